"""Writing a publication: everything readers see, in one transaction."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from transforms.period import is_period
from transforms.publish import dictionary
from transforms.publish.interrupt import stops_on_sigterm
from transforms.publish.warehouse import grants, migrate
from transforms.publish.warehouse.bulk import bulk_insert
from transforms.publish.warehouse.dimensions import indicators_columns
from transforms.publish.warehouse.engines import check_inside
from transforms.publish.warehouse.rows import check_cells, to_rows
from transforms.publish.warehouse.schema import (
    PERIOD_TABLES,
    REPLACED_TABLES,
    dataset_status_table,
    indicator_values_restricted_table,
    metadata,
    publication_log,
    publication_state,
)
from transforms.publish.warehouse.state import write_state
from transforms.publish.warehouse.views import VIEW_TABLES, VIEWS, replace_views

log = logging.getLogger(__name__)


def _comment_sql(conn: Connection, entries: list[tuple[str, str, str, str]]) -> None:
    """PostgreSQL COMMENTs from the data dictionary (Swedish, then English)."""
    quote = conn.dialect.identifier_preparer.quote
    views = set(VIEWS)
    for table, column, sv, en in entries:
        literal = "'" + f"{sv} / {en}".replace("'", "''") + "'"
        if column:
            conn.execute(text(f"COMMENT ON COLUMN {quote(table)}.{quote(column)} IS {literal}"))
        else:
            kind = "VIEW" if table in views else "TABLE"
            conn.execute(text(f"COMMENT ON {kind} {quote(table)} IS {literal}"))


def dictionary_entries() -> list[tuple[str, str, str, str]]:
    """The data dictionary of every table and view in the warehouse (not the restricted table):
    the public ones, and the internal state and schema version."""
    objects = [*metadata.tables.values(), publication_state, *(VIEW_TABLES[name] for name in VIEWS)]
    return dictionary.entries([*((t.name, [c.name for c in t.columns]) for t in objects),
                               ("alembic_version", ["version_num"])])


def _cell_values(rows: Iterable[Sequence[Any]]) -> dict[tuple, tuple]:
    return {tuple(r[:5]): tuple(r[5:]) for r in rows}


@stops_on_sigterm
def write_publication(
    url: str,
    *,
    indicator_values: pd.DataFrame,
    indicator_values_restricted: pd.DataFrame,
    source_status: pd.DataFrame,
    periods: list[str],
    areas: pd.DataFrame,
    indicators: pd.DataFrame,
    load_ledger: pd.DataFrame,
    quarantine_summary: pd.DataFrame,
    dataset_status: pd.DataFrame | None = None,
    inputs: list[dict] | None = None,
    published_at: str | None = None,
    on_step: Callable[[str], None] | None = None,
    root: Path | None = None,
    state: dict | None = None,
    reporting_role: str | None = None,
) -> dict:
    """Publish to the warehouse at ``url`` in one transaction.

    ``root``: the data folder a SQLite warehouse file and its restricted file must lie
    in (given for the default warehouse; an explicit URL is the operator's choice).

    Brings the schema to the current revision (``migrate``), replaces the rows of
    ``periods`` in the period tables, replaces the dimension and steward tables
    completely, appends a ``publication_log`` row (``inputs``: the deliveries changed
    since the previous publish), records ``state`` (what the warehouse now holds:
    fingerprint, periods, threshold) when given, replaces the views and grants
    ``reporting_role`` read access to the published tables and views. The restricted
    table goes to ``restricted_location``; on SQLite that is another file, whose
    transaction commits right after the warehouse's (a crash in between leaves it one
    publish behind, never ahead). Every frame is validated before the database is
    touched. ``on_step(name)`` is called inside the transaction after each step
    ("ready", "deleted", "inserted:<table>", "replaced:<table>", "logged", "views") and
    once after the commit ("committed"). Returns rows per table and rows deleted.
    """
    step = on_step or (lambda _name: None)
    period_set = set(periods)
    bad = sorted(str(p) for p in period_set if not isinstance(p, str) or not is_period(p))
    if bad:
        raise ValueError(f"periods must be YYYY-MM strings: {bad}")
    if dataset_status is None:
        dataset_status = pd.DataFrame(columns=[c.name for c in dataset_status_table.columns])

    frames = {
        "indicator_values": indicator_values,
        "source_status": source_status,
        "dataset_status": dataset_status,
        "areas": areas,
        "indicators": indicators_columns(indicators),
        "load_ledger": load_ledger,
        "quarantine_summary": quarantine_summary,
    }
    tables = {t.name: t for t in (*PERIOD_TABLES, *REPLACED_TABLES)}
    rows = {name: to_rows(tables[name], frame) for name, frame in frames.items()}
    entries = dictionary_entries()
    rows["data_dictionary"] = sorted(entries)
    restricted_rows = to_rows(indicator_values_restricted_table, indicator_values_restricted)
    for table in PERIOD_TABLES:
        check_cells(table.name, rows[table.name], table, period_set)
    check_cells("indicator_values_restricted", restricted_rows, indicator_values_restricted_table, period_set)
    ordered = sorted(period_set)
    if root is not None:
        check_inside(url, root)

    deleted: dict[str, int] = {}
    with migrate.writing(url) as (conn, rconn, upgraded):
        if upgraded.changed:
            log.info("warehouse schema upgraded from %s to %s", upgraded.before, upgraded.after)
        dialect = conn.dialect.name
        step("ready")

        public = tables["indicator_values"]  # the name ``indicator_values`` is the frame here
        before = _cell_values(conn.execute(sa.select(public).where(public.c.period.in_(ordered))).all())
        for table in PERIOD_TABLES:
            deleted[table.name] = conn.execute(table.delete().where(table.c.period.in_(ordered))).rowcount
        deleted["indicator_values_restricted"] = rconn.execute(
            indicator_values_restricted_table.delete().where(
                indicator_values_restricted_table.c.period.in_(ordered))).rowcount
        for table in REPLACED_TABLES:
            deleted[table.name] = conn.execute(table.delete()).rowcount
        step("deleted")

        for table in PERIOD_TABLES:
            bulk_insert(conn, table, rows[table.name])
            step(f"inserted:{table.name}")
        bulk_insert(rconn, indicator_values_restricted_table, restricted_rows)
        step("inserted:indicator_values_restricted")
        for table in REPLACED_TABLES:
            bulk_insert(conn, table, rows[table.name])
            step(f"replaced:{table.name}")

        after = _cell_values(rows["indicator_values"])
        changed = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        suppressed_at = [c.name for c in public.columns].index("suppressed")
        last_entry = sa.select(sa.func.coalesce(sa.func.max(publication_log.c.entry_no), 0))
        entry_no = conn.execute(last_entry).scalar_one() + 1
        log_row = {
            "entry_no": entry_no,
            "published_at": published_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "periods": ",".join(ordered),
            "inputs": json.dumps(inputs or [], ensure_ascii=False, sort_keys=True),
            "cells_changed": changed,
            "cells_suppressed": sum(1 for r in rows["indicator_values"] if r[suppressed_at]),
        }
        conn.execute(publication_log.insert(), [log_row])
        if state is not None:
            write_state(conn, state, entry_no)
        step("logged")

        # Views last: on PostgreSQL replacing a view locks it until commit.
        _finish(conn, entries, reporting_role)
        step("views")
    step("committed")
    summary = {
        "dialect": dialect,
        "periods": ordered,
        "rows": {**{name: len(r) for name, r in rows.items()}, "indicator_values_restricted": len(restricted_rows)},
        "deleted": deleted,
        "publication": log_row,
    }
    log.info("published %s", {k: v for k, v in summary.items() if k != "publication"})
    return summary


def _finish(conn: Connection, entries: list[tuple[str, str, str, str]], reporting_role: str | None) -> None:
    replace_views(conn)
    if conn.dialect.name == "postgresql":
        _comment_sql(conn, entries)
    grants.grant_reporting(conn, reporting_role)


def refresh_steward_tables(url: str, *, load_ledger: pd.DataFrame, quarantine_summary: pd.DataFrame,
                           reporting_role: str | None = None) -> None:
    """Replace only the steward tables, in one transaction: a run that only rejected files changes no
    indicator, but its ledger records must still reach ``load_ledger``. The publication
    state is left as it is: a warehouse that holds no numbers does not claim any."""
    by_name = {t.name: t for t in REPLACED_TABLES}
    frames = {by_name["load_ledger"]: load_ledger, by_name["quarantine_summary"]: quarantine_summary}
    rows = {table: to_rows(table, frame) for table, frame in frames.items()}
    with migrate.writing(url) as (conn, _rconn, _upgraded):
        for table, table_rows in rows.items():
            conn.execute(table.delete())
            bulk_insert(conn, table, table_rows)
        grants.grant_reporting(conn, reporting_role)
