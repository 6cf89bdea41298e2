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
  Never grant it to reporting staff; no view reads from it.
* ``source_status`` — per published period, which snapshot each source
  contributed and whether it was stale.
* ``areas``, ``indicators`` — dimensions, fully replaced on every publish.
* ``load_ledger``, ``quarantine_summary`` — the data steward's tables, fully
  replaced on every publish.

Views (dropped and recreated at the end of every publish): ``v_esf_by_gender``
and ``v_latest_indicators``; both read only public tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import numbers
import re
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

log = logging.getLogger(__name__)

AREA_LEVELS = ("region", "federation", "municipality")
GENDERS = ("all", "female", "male", "nonbinary")
ESF_PREFIXES = ("EECO", "EECR")
_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

metadata = MetaData()

_CELL_KEY = ("period", "area_level", "area_code", "gender", "indicator")


def _cell_key_columns() -> list[Column]:
    return [
        Column("period", Text, nullable=False, comment="YYYY-MM"),
        Column("area_level", Text, nullable=False, comment="municipality | federation | region"),
        Column("area_code", Text, nullable=False, comment="kommunkod, federation code or FOKUS"),
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
    PrimaryKeyConstraint(*_CELL_KEY, name="pk_indicator_values"),
    comment="Published ESF+ and project indicators (indicators.md). Suppressed cells carry no numbers.",
)

indicator_values_restricted = Table(
    "indicator_values_restricted",
    metadata,
    *_cell_key_columns(),
    Column("numerator", BigInteger, nullable=True, comment="UNSUPPRESSED"),
    Column("denominator", BigInteger, nullable=True, comment="UNSUPPRESSED; empty for counts"),
    Column("value", Double, nullable=True, comment="UNSUPPRESSED; empty for a rate over zero"),
    Column("persons", BigInteger, nullable=True, comment="contributing persons (disclosure rule 1)"),
    PrimaryKeyConstraint(*_CELL_KEY, name="pk_indicator_values_restricted"),
    comment=(
        "RESTRICTED TO THE FOKUS IM PROJECT OFFICE: unsuppressed numbers of small groups of "
        "pupils. Do not grant to reporting staff; publish indicator_values instead."
    ),
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
    Column("definition", Text, nullable=False),
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

PERIOD_TABLES = (indicator_values, indicator_values_restricted, source_status)
REPLACED_TABLES = (areas, indicators, load_ledger, quarantine_summary)
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
_VIEW_TABLES = {"v_esf_by_gender": v_esf_by_gender, "v_latest_indicators": v_latest_indicators}
_VIEW_ORDER = {
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


def indicators_frame() -> pd.DataFrame:
    """The ``indicators`` dimension: the catalogue of ``transforms.publish.indicators``
    (one source of truth for names and definitions), with the warehouse's column names."""
    from transforms.publish.indicators import indicators_frame as catalogue

    return _indicators_columns(catalogue())


def _indicators_columns(frame: pd.DataFrame) -> pd.DataFrame:
    # transforms.publish.indicators calls the code column ``code``; the table calls it ``indicator``.
    if "code" in frame.columns and "indicator" not in frame.columns:
        return frame.rename(columns={"code": "indicator"})
    return frame


def is_esf_indicator(code: str) -> bool:
    return code.startswith(ESF_PREFIXES)


# --------------------------------------------------------------------------- engines


def make_engine(url: str, *, writer: bool = False) -> Engine:
    """An engine whose transactions really are transactions on every dialect.

    Python's sqlite3 module does not BEGIN before DDL, so CREATE TABLE/VIEW
    would autocommit; we switch its implicit handling off and BEGIN ourselves
    (the SQLAlchemy "pysqlite serializable" recipe). A writer takes the write
    lock at BEGIN (IMMEDIATE) so two publishes queue instead of interleaving;
    WAL lets readers go on reading the old content meanwhile.
    """
    engine = sa.create_engine(url, poolclass=NullPool)
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
                    f"({dict(zip(_CELL_KEY, (r[idx[k]] for k in _CELL_KEY), strict=True))}); "
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
        stmt = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def publish(
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
    on_step: Callable[[str], None] | None = None,
) -> dict:
    """Publish to the warehouse at ``url`` in one transaction.

    Replaces the rows of ``periods`` in the three period tables, replaces the
    dimension and steward tables completely and recreates the views. Every
    frame is validated before the database is touched. ``on_step(name)`` is
    called inside the transaction after each step ("ready", "deleted",
    "inserted:<table>", "replaced:<table>", "views") and once after the commit
    ("committed"). Returns rows per table and rows deleted.
    """
    step = on_step or (lambda _name: None)
    period_set = set(periods)
    bad = sorted(p for p in period_set if not isinstance(p, str) or not _PERIOD_RE.match(p))
    if bad:
        raise ValueError(f"periods must be YYYY-MM strings: {bad}")

    frames = {
        "indicator_values": indicator_values,
        "indicator_values_restricted": indicator_values_restricted,
        "source_status": source_status,
        "areas": areas,
        "indicators": _indicators_columns(indicators),
        "load_ledger": load_ledger,
        "quarantine_summary": quarantine_summary,
    }
    tables = {t.name: t for t in (*PERIOD_TABLES, *REPLACED_TABLES)}
    rows = {name: _rows(tables[name], frame) for name, frame in frames.items()}
    for table in PERIOD_TABLES:
        _check_cells(table.name, rows[table.name], table, period_set)

    engine = make_engine(url, writer=True)
    deleted: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUBLISH_LOCK_KEY})
            metadata.create_all(conn, checkfirst=True)
            step("ready")

            ordered = sorted(period_set)
            for table in PERIOD_TABLES:
                n = 0
                if ordered:
                    n = conn.execute(table.delete().where(table.c.period.in_(ordered))).rowcount
                deleted[table.name] = n
            for table in REPLACED_TABLES:
                deleted[table.name] = conn.execute(table.delete()).rowcount
            step("deleted")

            for table in PERIOD_TABLES:
                _bulk_insert(conn, table, rows[table.name])
                step(f"inserted:{table.name}")
            for table in REPLACED_TABLES:
                _bulk_insert(conn, table, rows[table.name])
                step(f"replaced:{table.name}")

            # Views last: on PostgreSQL replacing a view locks it until commit.
            for name, ddl in VIEWS.items():
                conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
                conn.execute(text(ddl))
            step("views")
    finally:
        engine.dispose()
    step("committed")
    summary = {
        "dialect": engine.dialect.name,
        "periods": sorted(period_set),
        "rows": {name: len(r) for name, r in rows.items()},
        "deleted": deleted,
    }
    log.info("published %s", summary)
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
    table = metadata.tables[name]
    if name == "indicators":
        frame = _indicators_columns(frame)
    return _typed_frame(table, _rows(table, frame))


def read_table(url: str, name: str) -> pd.DataFrame:
    """Read a warehouse table or view into a typed DataFrame in a stable order.

    Text columns come back as ``string``, integers as ``Int64``, reals as
    ``float64`` (NaN when empty), booleans as ``bool``.
    """
    if name in metadata.tables:
        table = metadata.tables[name]
        order = list(table.primary_key.columns)
    elif name in _VIEW_TABLES:
        table = _VIEW_TABLES[name]
        order = [table.c[c] for c in _VIEW_ORDER[name]]
    else:
        raise ValueError(
            f"unknown warehouse table {name!r}; known: {sorted([*metadata.tables, *_VIEW_TABLES])}"
        )
    engine = make_engine(url)
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
