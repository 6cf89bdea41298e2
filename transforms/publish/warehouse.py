"""Published layer: the reporting warehouse (indicators.md, "The published table").

One function, ``publish``, writes everything a reader of the warehouse sees, in
ONE transaction, to any SQLAlchemy URL: a SQLite file by default, PostgreSQL in
production. Readers see the old content or the new, never a mix — also when the
publishing process is killed half-way (the database rolls the open transaction
back; nothing is staged outside it).

Tables (explicit Core definitions below, created when missing):

* ``indicator_values`` — the public table, one row per period × level × area ×
  gender × indicator; suppressed cells carry no numbers (disclosure rule 3).
* ``indicator_values_restricted`` — RESTRICTED TO THE PROJECT OFFICE: the same
  cells with the unsuppressed numbers and the number of contributing persons.
  Never where the published tables are read (``restricted_location``): schema
  ``restricted`` on PostgreSQL, a separate owner-only file on SQLite.
* ``source_status`` — per published period, which snapshot each source
  contributed and whether it was stale.
* ``dataset_status`` — per published period, source and dataset: delivered,
  missing or rejected, and the delivery that counts.
* ``publication_log`` — one row appended per publish.
* ``areas``, ``indicators``, ``data_dictionary`` — dimensions and column
  meanings (sv/en), fully replaced on every publish.
* ``load_ledger``, ``quarantine_summary`` — the data steward's tables, fully
  replaced on every publish.

Views (dropped and recreated at the end of every publish): ``v_indicators``,
``v_esf_by_gender`` and ``v_latest_indicators``; all read only public tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import numbers
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from transforms.config.project import current_project
from transforms.config.schema import AREA_LEVELS, CELL_KEY, GENDERS
from transforms.config.settings import warehouse_timeouts
from transforms.period import is_period
from transforms.publish import dictionary
from transforms.publish.dictionary import GENDER_NAMES, LEVEL_NAMES, case_sql
from transforms.publish.interrupt import stops_on_sigterm

log = logging.getLogger(__name__)


metadata = MetaData()



def _cell_key_columns() -> list[Column]:
    return [
        Column("period", Text, nullable=False, comment="YYYY-MM"),
        Column("area_level", Text, nullable=False, comment="municipality | federation | region"),
        Column("area_code", Text, nullable=False, comment="kommunkod, federation code or region code (the project file)"),
        Column("gender", Text, nullable=False, comment="all | female | male | nonbinary"),
        Column("indicator", Text, nullable=False, comment="indicator code, see table indicators"),
    ]


indicator_values = Table(
    "indicator_values",
    metadata,
    *_cell_key_columns(),
    Column("numerator", BigInteger, nullable=True, comment="empty when suppressed"),
    Column("denominator", BigInteger, nullable=True, comment="empty for counts and when suppressed"),
    Column("value", Double, nullable=True, comment="count or rate; empty when suppressed"),
    Column("suppressed", Boolean, nullable=False, comment="disclosure control applied"),
    PrimaryKeyConstraint(*CELL_KEY, name="pk_indicator_values"),
    comment="Published ESF+ and project indicators (indicators.md). Suppressed cells carry no numbers.",
)

# indicators.md: the restricted table is never stored where the published tables are
# read. PostgreSQL: its own schema, with USAGE revoked from PUBLIC, so only roles the
# office grants can read it. SQLite: a separate file beside the warehouse, mode 0600
# (the engine maps the schema away there, see ``restricted_location``).
RESTRICTED_SCHEMA = "restricted"
restricted_metadata = MetaData()

indicator_values_restricted_table = Table(
    "indicator_values_restricted",
    restricted_metadata,
    *_cell_key_columns(),
    Column("numerator", BigInteger, nullable=True, comment="UNSUPPRESSED"),
    Column("denominator", BigInteger, nullable=True, comment="UNSUPPRESSED; empty for counts"),
    Column("value", Double, nullable=True, comment="UNSUPPRESSED; empty for a rate over zero"),
    Column("persons", BigInteger, nullable=True, comment="contributing persons (disclosure rule 1)"),
    PrimaryKeyConstraint(*CELL_KEY, name="pk_indicator_values_restricted"),
    comment=(
        "RESTRICTED TO THE PROJECT OFFICE: unsuppressed numbers of small groups of "
        "pupils. Do not grant to reporting staff; publish indicator_values instead."
    ),
    schema=RESTRICTED_SCHEMA,
)


source_status = Table(
    "source_status",
    metadata,
    Column("period", Text, nullable=False, comment="published period YYYY-MM"),
    Column("source", Text, nullable=False, comment="source id"),
    Column("stale", Boolean, nullable=False, comment="no accepted participants snapshot for this or a later period"),
    Column("snapshot_period", Text, nullable=True, comment="period of the snapshot used; empty if none ever"),
    PrimaryKeyConstraint("period", "source", name="pk_source_status"),
    comment="Which participants snapshot each source contributed to each published period.",
)

dataset_status_table = Table(
    "dataset_status",
    metadata,
    Column("period", Text, nullable=False, comment="published period YYYY-MM"),
    Column("source", Text, nullable=False, comment="source id"),
    Column("dataset", Text, nullable=False, comment="participants | attendance | survey | activities"),
    Column("state", Text, nullable=False, comment="delivered | missing | rejected"),
    Column("file_name", Text, nullable=True, comment="the delivery that counts (or the newest rejected one)"),
    Column("arrived_at", Text, nullable=True, comment="ISO 8601 arrival of that delivery"),
    PrimaryKeyConstraint("period", "source", "dataset", name="pk_dataset_status"),
    comment="What the numbers of each published period rest on, per source and dataset.",
)

publication_log = Table(
    "publication_log",
    metadata,
    Column("entry_no", BigInteger, nullable=False, autoincrement=False, comment="1, 2, ... in publish order"),
    Column("published_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("periods", Text, nullable=False, comment="the periods (re)published, comma-separated"),
    Column("inputs", Text, nullable=False, comment="JSON list of the deliveries changed since the previous publish"),
    Column("cells_changed", BigInteger, nullable=False, comment="published cells new or different from before"),
    Column("cells_suppressed", BigInteger, nullable=False, comment="suppressed cells among those published"),
    PrimaryKeyConstraint("entry_no", name="pk_publication_log"),
    comment="One row per publish, appended: restated numbers are visible as such.",
)

areas = Table(
    "areas",
    metadata,
    Column("area_level", Text, nullable=False),
    Column("area_code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("federation_code", Text, nullable=True, comment="empty for the region"),
    Column("parent_code", Text, nullable=True, comment="area code one level up; empty for the region"),
    PrimaryKeyConstraint("area_level", "area_code", name="pk_areas"),
    comment="Areas of the three levels.",
)

indicators = Table(
    "indicators",
    metadata,
    Column("indicator", Text, nullable=False),
    Column("name_sv", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("definition", Text, nullable=False, comment="in English"),
    Column("definition_sv", Text, nullable=False),
    Column("kind", Text, nullable=False, comment="count | rate"),
    PrimaryKeyConstraint("indicator", name="pk_indicators"),
    comment="Indicator catalogue.",
)

# The steward tables have no natural key the pipeline can promise (the same
# bytes may be recorded twice as a duplicate delivery; a file-level fault may
# leave fields empty), so their key is the row's position in the frame given.
load_ledger = Table(
    "load_ledger",
    metadata,
    Column("entry_no", BigInteger, nullable=False, autoincrement=False, comment="row position in the published ledger"),
    Column("source", Text),
    Column("dataset", Text),
    Column("period", Text),
    Column("file_name", Text),
    Column("file_sha256", Text),
    Column("arrived_at", Text, comment="ISO 8601; text so every dialect stores the identical value"),
    Column("detected_format", Text),
    Column("rows_read", BigInteger),
    Column("rows_accepted", BigInteger),
    Column("rows_quarantined", BigInteger),
    Column("status", Text),
    Column("message", Text),
    Column("data_docs", Text),
    PrimaryKeyConstraint("entry_no", name="pk_load_ledger"),
    comment="One row per delivered file: what was read, accepted and quarantined (exports.md).",
)

quarantine_summary = Table(
    "quarantine_summary",
    metadata,
    Column("entry_no", BigInteger, nullable=False, autoincrement=False),
    Column("source", Text),
    Column("dataset", Text),
    Column("period", Text),
    Column("file_sha256", Text),
    Column("column", Text),
    Column("rule", Text),
    Column("rows", BigInteger),
    PrimaryKeyConstraint("entry_no", name="pk_quarantine_summary"),
    comment="Quarantined rows per file, column and rule (counts only, no row content).",
)

data_dictionary = Table(
    "data_dictionary",
    metadata,
    Column("table_name", Text, nullable=False),
    Column("column_name", Text, nullable=False, comment="empty for the table itself"),
    Column("meaning_sv", Text, nullable=False),
    Column("meaning_en", Text, nullable=False),
    PrimaryKeyConstraint("table_name", "column_name", name="pk_data_dictionary"),
    comment="What every published table, view and column means, in Swedish and English.",
)

PERIOD_TABLES = (indicator_values, source_status, dataset_status_table)
REPLACED_TABLES = (areas, indicators, load_ledger, quarantine_summary, data_dictionary)
_SURROGATE = {"load_ledger": "entry_no", "quarantine_summary": "entry_no"}

# Views: read-side definitions (for typed reads) and their portable SQL.
view_metadata = MetaData()

v_esf_by_gender = Table(
    "v_esf_by_gender",
    view_metadata,
    Column("period", Text),
    Column("area_level", Text),
    Column("area_code", Text),
    Column("indicator", Text),
    Column("value_all", Double),
    Column("value_female", Double),
    Column("value_male", Double),
    Column("value_nonbinary", Double),
    Column("any_suppressed", Boolean),
)

v_indicators = Table(
    "v_indicators",
    view_metadata,
    Column("period", Text),
    Column("area_level", Text),
    Column("area_level_sv", Text),
    Column("area_code", Text),
    Column("area_name", Text),
    Column("gender", Text),
    Column("gender_sv", Text),
    Column("gender_en", Text),
    Column("indicator", Text),
    Column("indicator_name_sv", Text),
    Column("indicator_name_en", Text),
    Column("kind", Text),
    Column("numerator", BigInteger),
    Column("denominator", BigInteger),
    Column("value", Double),
    Column("suppressed", Boolean),
)

v_latest_indicators = Table(
    "v_latest_indicators",
    view_metadata,
    Column("period", Text),
    Column("area_level", Text),
    Column("area_code", Text),
    Column("area_name", Text),
    Column("gender", Text),
    Column("indicator", Text),
    Column("indicator_name_sv", Text),
    Column("indicator_name_en", Text),
    Column("kind", Text),
    Column("numerator", BigInteger),
    Column("denominator", BigInteger),
    Column("value", Double),
    Column("suppressed", Boolean),
)

# ``substr`` rather than LIKE 'EECO%': a literal percent sign is mangled by
# pyformat drivers. ``value_all`` rather than ``all``: ALL is reserved in SQL.
VIEWS: dict[str, str] = {
    "v_indicators": f"""
CREATE VIEW v_indicators AS
SELECT iv.period, iv.area_level, {case_sql("iv.area_level", LEVEL_NAMES, 0)} AS area_level_sv,
       iv.area_code, a.name AS area_name, iv.gender,
       {case_sql("iv.gender", GENDER_NAMES, 0)} AS gender_sv,
       {case_sql("iv.gender", GENDER_NAMES, 1)} AS gender_en,
       iv.indicator, i.name_sv AS indicator_name_sv, i.name_en AS indicator_name_en, i.kind,
       iv.numerator, iv.denominator, iv.value, iv.suppressed
FROM indicator_values iv
LEFT JOIN areas a ON a.area_level = iv.area_level AND a.area_code = iv.area_code
LEFT JOIN indicators i ON i.indicator = iv.indicator
""",
    "v_esf_by_gender": """
CREATE VIEW v_esf_by_gender AS
SELECT period, area_level, area_code, indicator,
       MAX(CASE WHEN gender = 'all' THEN value END) AS value_all,
       MAX(CASE WHEN gender = 'female' THEN value END) AS value_female,
       MAX(CASE WHEN gender = 'male' THEN value END) AS value_male,
       MAX(CASE WHEN gender = 'nonbinary' THEN value END) AS value_nonbinary,
       MAX(CASE WHEN suppressed THEN 1 ELSE 0 END) = 1 AS any_suppressed
FROM indicator_values
WHERE substr(indicator, 1, 4) IN ('EECO', 'EECR')
GROUP BY period, area_level, area_code, indicator
""",
    "v_latest_indicators": """
CREATE VIEW v_latest_indicators AS
SELECT iv.period, iv.area_level, iv.area_code, a.name AS area_name,
       iv.gender, iv.indicator, i.name_sv AS indicator_name_sv,
       i.name_en AS indicator_name_en, i.kind,
       iv.numerator, iv.denominator, iv.value, iv.suppressed
FROM indicator_values iv
LEFT JOIN areas a ON a.area_level = iv.area_level AND a.area_code = iv.area_code
LEFT JOIN indicators i ON i.indicator = iv.indicator
WHERE iv.period = (SELECT MAX(period) FROM indicator_values)
""",
}
_VIEW_TABLES = {"v_indicators": v_indicators, "v_esf_by_gender": v_esf_by_gender,
                "v_latest_indicators": v_latest_indicators}
_VIEW_ORDER = {
    "v_indicators": ("period", "area_level", "area_code", "gender", "indicator"),
    "v_esf_by_gender": ("period", "area_level", "area_code", "indicator"),
    "v_latest_indicators": ("area_level", "area_code", "gender", "indicator"),
}

# A fixed key for pg_advisory_xact_lock: one publish at a time per database.
_PUBLISH_LOCK_KEY = 0x53414D4C41  # "SAMLA"


# --------------------------------------------------------------------------- dimension frames


def areas_frame() -> pd.DataFrame:
    """The ``areas`` dimension built from the project file."""
    project = current_project()
    rows: list[tuple[str, str, str, str | None, str | None]] = [
        ("region", project.region_code, project.region_name, None, None)
    ]
    for code, name in project.federations.items():
        rows.append(("federation", code, name, code, project.region_code))
    for fed in project.federations:
        for municipality in project.municipalities.values():
            if municipality.federation == fed:
                rows.append(("municipality", municipality.kommunkod, municipality.name, fed, fed))
    return pd.DataFrame(rows, columns=[c.name for c in areas.columns])


def indicators_dimension() -> pd.DataFrame:
    """The ``indicators`` dimension: the catalogue of ``transforms.publish.indicators``
    (one source of truth for names and definitions), with the warehouse's column names."""
    from transforms.publish.indicators import DEFINITIONS_SV, catalogue

    frame = _indicators_columns(catalogue())
    frame.insert(4, "definition_sv", frame["indicator"].map(DEFINITIONS_SV))
    return frame


def _indicators_columns(frame: pd.DataFrame) -> pd.DataFrame:
    # transforms.publish.indicators calls the code column ``code``; the table calls it ``indicator``.
    if "code" in frame.columns and "indicator" not in frame.columns:
        return frame.rename(columns={"code": "indicator"})
    return frame


# --------------------------------------------------------------------------- engines


def make_engine(url: str, *, writer: bool = False, schema_map: dict | None = None) -> Engine:
    """An engine whose transactions really are transactions on every dialect.

    Python's sqlite3 module does not BEGIN before DDL, so CREATE TABLE/VIEW
    would autocommit; we switch its implicit handling off and BEGIN ourselves
    (the SQLAlchemy "pysqlite serializable" recipe). A writer takes the write
    lock at BEGIN (IMMEDIATE) so two publishes queue instead of interleaving;
    WAL lets readers go on reading the old content meanwhile.
    """
    options = {"schema_translate_map": schema_map} if schema_map else {}
    engine = sa.create_engine(url, poolclass=NullPool, execution_options=options,
                              connect_args=_postgresql_session_limits(url))
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA busy_timeout = 60000")
            if writer:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _postgresql_session_limits(url: str) -> dict:
    """Fail instead of waiting minutes behind a lock or an endless statement (issue 8.1).

    The server also checks every few seconds whether the client is still there, so a
    publish stopped by SIGTERM does not leave its backend waiting on a lock.
    """
    if not sa.engine.make_url(url).get_backend_name().startswith("postgresql"):
        return {}
    lock, statement = warehouse_timeouts()
    return {"connect_timeout": 10, "options": f"-c lock_timeout={lock * 1000} -c statement_timeout="
                                              f"{statement * 1000} -c client_connection_check_interval=2000"}


# --------------------------------------------------------------------------- frame -> rows


def _kind(col: Column) -> str:
    if isinstance(col.type, Boolean):
        return "bool"
    if isinstance(col.type, sa.Integer):
        return "int"
    if isinstance(col.type, sa.Float):
        return "float"
    return "text"


def _to_text(v: Any) -> str:
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date):
        return v.isoformat()
    return str(v)


def _to_int(v: Any, where: str) -> int:
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"{where}: {v!r} is not a whole number")
        return int(v)
    try:
        return int(v)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {v!r} is not a whole number") from None


def _to_bool(v: Any, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if hasattr(v, "dtype") and v.dtype.kind == "b":  # numpy bool
        return bool(v)
    if isinstance(v, numbers.Real) and v in (0, 1):
        return bool(v)
    raise ValueError(f"{where}: {v!r} is not a boolean")


def _convert(values: Iterable[Any], mask: Sequence[bool], col: Column, where: str) -> list[Any]:
    kind = _kind(col)
    out: list[Any] = []
    for v, missing in zip(values, mask, strict=True):
        if missing:
            if not col.nullable:
                raise ValueError(f"{where}: column {col.name!r} may not be empty")
            out.append(None)
        elif kind == "text":
            out.append(_to_text(v))
        elif kind == "int":
            out.append(_to_int(v, f"{where}.{col.name}"))
        elif kind == "float":
            f = float(v)
            out.append(None if math.isnan(f) else f)
        else:
            out.append(_to_bool(v, f"{where}.{col.name}"))
    return out


def _data_columns(table: Table) -> list[Column]:
    surrogate = _SURROGATE.get(table.name)
    return [c for c in table.columns if c.name != surrogate]


def _rows(table: Table, frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Validate ``frame`` against ``table`` and return its rows as plain Python tuples
    in the table's column order, sorted by primary key (the steward tables keep the
    frame's order and number it)."""
    cols = _data_columns(table)
    names = [c.name for c in cols]
    if frame is None:
        raise ValueError(f"{table.name}: no frame given")
    if len(frame) == 0:
        return []
    if frame.columns.duplicated().any():
        raise ValueError(f"{table.name}: duplicated columns {list(frame.columns[frame.columns.duplicated()])}")
    missing = [n for n in names if n not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in names]
    if missing or extra:
        raise ValueError(
            f"{table.name}: columns do not match the table; missing {missing}, unexpected {extra} "
            f"(expected exactly {names})"
        )
    converted = []
    for col in cols:
        series = frame[col.name]
        converted.append(
            _convert(series.to_list(), series.isna().to_list(), col, table.name)
        )
    rows = list(zip(*converted, strict=True))
    surrogate = _SURROGATE.get(table.name)
    if surrogate:
        return [(i, *row) for i, row in enumerate(rows, start=1)]
    pk = [names.index(c.name) for c in table.primary_key.columns]
    rows.sort(key=lambda r: tuple(r[i] for i in pk))
    seen = set()
    for r in rows:
        key = tuple(r[i] for i in pk)
        if key in seen:
            raise ValueError(f"{table.name}: duplicate key {dict(zip([names[i] for i in pk], key, strict=True))}")
        seen.add(key)
    return rows


def _check_cells(name: str, rows: list[tuple[Any, ...]], table: Table, periods: set[str]) -> None:
    idx = {c.name: i for i, c in enumerate(table.columns)}
    for r in rows:
        if r[idx["period"]] not in periods:
            raise ValueError(
                f"{name}: row for period {r[idx['period']]!r}, which is not among the periods "
                f"being published {sorted(periods)}"
            )
        if "gender" in idx and r[idx["gender"]] not in GENDERS:
            raise ValueError(f"{name}: unknown gender {r[idx['gender']]!r}")
        if "area_level" in idx and r[idx["area_level"]] not in AREA_LEVELS:
            raise ValueError(f"{name}: unknown area_level {r[idx['area_level']]!r}")
    if name == "indicator_values":
        # indicators.md, disclosure rule 3: a suppressed cell never carries the real number.
        for r in rows:
            if r[idx["suppressed"]] and any(
                r[idx[c]] is not None for c in ("numerator", "denominator", "value")
            ):
                raise ValueError(
                    "indicator_values: a suppressed cell carries numbers "
                    f"({dict(zip(CELL_KEY, (r[idx[k]] for k in CELL_KEY), strict=True))}); "
                    "suppressed cells must have numerator, denominator and value empty"
                )


# --------------------------------------------------------------------------- writing


def _bulk_insert(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        # facts.md: COPY is ~5x faster than executemany on PostgreSQL. The raw
        # psycopg connection is the one SQLAlchemy's transaction is open on.
        quote = conn.dialect.identifier_preparer.quote
        name = f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)
        stmt = f"COPY {name} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def restricted_location(url: str) -> tuple[str, str | None]:
    """Where the restricted table of the warehouse at ``url`` lives: (URL, schema).

    PostgreSQL and other servers: the same database, schema ``restricted``
    (USAGE revoked from PUBLIC; the office's role is granted it by the DBA).
    SQLite: ``<name>_restricted<suffix>`` beside the warehouse file, mode 0600.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url, RESTRICTED_SCHEMA
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ValueError(f"the restricted table needs a SQLite file of its own; {url!r} is not a file")
    path = Path(database)
    return parsed.set(database=str(path.with_name(f"{path.stem}_restricted{path.suffix}"))) \
        .render_as_string(hide_password=False), None


def _check_inside(url: str, root: Path) -> None:
    from transforms.config.paths import inside_data_dir

    for location in (url, restricted_location(url)[0]):
        parsed = sa.engine.make_url(location)
        if parsed.get_backend_name() == "sqlite":
            inside_data_dir(Path(parsed.database or ""), root)


def _restricted_engine(url: str, *, writer: bool = False) -> Engine:
    target, schema = restricted_location(url)
    if schema is not None:
        return make_engine(target, writer=writer)
    path = Path(sa.engine.make_url(target).database)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created owner-only before SQLite opens it; SQLite gives its -wal/-shm files the same mode.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    return make_engine(target, writer=writer, schema_map={RESTRICTED_SCHEMA: None})


def _secure_restricted_schema(conn: Connection) -> None:
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {RESTRICTED_SCHEMA}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA {RESTRICTED_SCHEMA} FROM PUBLIC"))


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
    """The data dictionary of every public table and view (not the restricted table)."""
    objects = [*metadata.tables.values(), *(_VIEW_TABLES[name] for name in VIEWS)]
    return dictionary.entries((t.name, [c.name for c in t.columns]) for t in objects)


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
) -> dict:
    """Publish to the warehouse at ``url`` in one transaction.

    ``root``: the data folder a SQLite warehouse file and its restricted file must lie
    in (given for the default warehouse; an explicit URL is the operator's choice).

    Replaces the rows of ``periods`` in the period tables, replaces the
    dimension and steward tables completely, appends a ``publication_log`` row
    (``inputs``: the deliveries changed since the previous publish) and
    recreates the views. The restricted table goes to ``restricted_location``;
    on SQLite that is another file, whose transaction commits right after the
    warehouse's (a crash in between leaves it one publish behind, never ahead).
    Every frame is validated before the database is touched. ``on_step(name)``
    is called inside the transaction after each step ("ready", "deleted",
    "inserted:<table>", "replaced:<table>", "views") and once after the commit
    ("committed"). Returns rows per table and rows deleted.
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
        "indicators": _indicators_columns(indicators),
        "load_ledger": load_ledger,
        "quarantine_summary": quarantine_summary,
    }
    tables = {t.name: t for t in (*PERIOD_TABLES, *REPLACED_TABLES)}
    rows = {name: _rows(tables[name], frame) for name, frame in frames.items()}
    entries = dictionary_entries()
    rows["data_dictionary"] = sorted(entries)
    restricted_rows = _rows(indicator_values_restricted_table, indicator_values_restricted)
    for table in PERIOD_TABLES:
        _check_cells(table.name, rows[table.name], table, period_set)
    _check_cells("indicator_values_restricted", restricted_rows, indicator_values_restricted_table, period_set)
    ordered = sorted(period_set)
    if root is not None:
        _check_inside(url, root)

    engine = make_engine(url, writer=True)
    separate = engine.dialect.name == "sqlite"
    restricted_engine = _restricted_engine(url, writer=True) if separate else None
    deleted: dict[str, int] = {}
    try:
        with contextlib.ExitStack() as stack:
            # Opened first, committed last (ExitStack unwinds in reverse).
            rconn = stack.enter_context(restricted_engine.begin()) if separate else None
            conn = stack.enter_context(engine.begin())
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUBLISH_LOCK_KEY})
                _secure_restricted_schema(conn)
            rconn = rconn or conn
            metadata.create_all(conn, checkfirst=True)
            restricted_metadata.create_all(rconn, checkfirst=True)
            # Earlier versions kept the restricted table beside the published ones.
            conn.execute(text("DROP TABLE IF EXISTS indicator_values_restricted"))
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
                _bulk_insert(conn, table, rows[table.name])
                step(f"inserted:{table.name}")
            _bulk_insert(rconn, indicator_values_restricted_table, restricted_rows)
            step("inserted:indicator_values_restricted")
            for table in REPLACED_TABLES:
                _bulk_insert(conn, table, rows[table.name])
                step(f"replaced:{table.name}")

            after = _cell_values(rows["indicator_values"])
            changed = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
            suppressed_at = [c.name for c in public.columns].index("suppressed")
            log_no = conn.execute(sa.select(sa.func.coalesce(sa.func.max(publication_log.c.entry_no), 0))).scalar()
            log_row = {
                "entry_no": log_no + 1,
                "published_at": published_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "periods": ",".join(ordered),
                "inputs": json.dumps(inputs or [], ensure_ascii=False, sort_keys=True),
                "cells_changed": changed,
                "cells_suppressed": sum(1 for r in rows["indicator_values"] if r[suppressed_at]),
            }
            conn.execute(publication_log.insert(), [log_row])
            step("logged")

            # Views last: on PostgreSQL replacing a view locks it until commit.
            for name, ddl in VIEWS.items():
                conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
                conn.execute(text(ddl))
            if conn.dialect.name == "postgresql":
                _comment_sql(conn, entries)
            step("views")
    finally:
        engine.dispose()
        if restricted_engine is not None:
            restricted_engine.dispose()
    step("committed")
    summary = {
        "dialect": engine.dialect.name,
        "periods": ordered,
        "rows": {**{name: len(r) for name, r in rows.items()}, "indicator_values_restricted": len(restricted_rows)},
        "deleted": deleted,
        "publication": log_row,
    }
    log.info("published %s", {k: v for k, v in summary.items() if k != "publication"})
    return summary


# --------------------------------------------------------------------------- reading


def _typed_frame(table: Table, records: list[Sequence[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for i, col in enumerate(table.columns):
        values = [r[i] for r in records]
        kind = _kind(col)
        if kind == "text":
            data[col.name] = pd.array(values, dtype="string")
        elif kind == "int":
            data[col.name] = pd.array(values, dtype="Int64")
        elif kind == "float":
            data[col.name] = pd.array(
                [math.nan if v is None else float(v) for v in values], dtype="float64"
            )
        else:
            data[col.name] = pd.array(
                [None if v is None else bool(v) for v in values],
                dtype="bool" if not col.nullable or None not in values else "boolean",
            )
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


def canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as ``read_table`` would return it after publishing it to table ``name``
    (validated, typed and ordered the same way)."""
    table = indicator_values_restricted_table if name == "indicator_values_restricted" else metadata.tables[name]
    if name == "indicators":
        frame = _indicators_columns(frame)
    return _typed_frame(table, _rows(table, frame))


def refresh_steward_tables(url: str, *, load_ledger: pd.DataFrame, quarantine_summary: pd.DataFrame) -> None:
    """Replace only the steward tables, in one transaction: a run that only rejected files changes no
    indicator, but its ledger records must still reach ``load_ledger`` (issue 11.7)."""
    by_name = {t.name: t for t in REPLACED_TABLES}
    frames = {by_name["load_ledger"]: load_ledger, by_name["quarantine_summary"]: quarantine_summary}
    rows = {table: _rows(table, frame) for table, frame in frames.items()}
    with make_engine(url, writer=True).begin() as conn:
        metadata.create_all(conn, checkfirst=True)
        for table, table_rows in rows.items():
            conn.execute(table.delete())
            _bulk_insert(conn, table, table_rows)


def read_table(url: str, name: str) -> pd.DataFrame:
    """Read a warehouse table or view into a typed DataFrame in a stable order.

    Text columns come back as ``string``, integers as ``Int64``, reals as
    ``float64`` (NaN when empty), booleans as ``bool``.
    """
    engine_for = make_engine
    if name == "indicator_values_restricted":
        table = indicator_values_restricted_table
        order = list(table.primary_key.columns)
        engine_for = _restricted_engine
    elif name in metadata.tables:
        table = metadata.tables[name]
        order = list(table.primary_key.columns)
    elif name in _VIEW_TABLES:
        table = _VIEW_TABLES[name]
        order = [table.c[c] for c in _VIEW_ORDER[name]]
    else:
        raise ValueError(
            f"unknown warehouse table {name!r}; known: {sorted([*metadata.tables, *_VIEW_TABLES])}"
        )
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            records = conn.execute(sa.select(table)).all()
    finally:
        engine.dispose()
    # Sorted here, not by ORDER BY: PostgreSQL would sort text by the database's
    # collation, Python and SQLite by code point; one order for every dialect.
    names = [c.name for c in table.columns]
    positions = [names.index(c.name) for c in order]
    records.sort(key=lambda r: tuple(r[i] for i in positions))
    return _typed_frame(table, records)
