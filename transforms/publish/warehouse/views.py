"""The warehouse's views: their read-side columns and their SQL, in one place for publish and migrations."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Connection

from transforms.publish.dictionary import GENDER_NAMES, LEVEL_NAMES, case_sql

log = logging.getLogger(__name__)

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
    *(Column(f"count_{gender}", BigInteger) for gender in ("all", "female", "male", "nonbinary")),
)

# The columns of v_indicators, in order; v_latest_indicators reads the same rows less the Swedish and
# English level and gender names.
_INDICATOR_COLUMNS = {
    "period": Text, "area_level": Text, "area_level_sv": Text, "area_code": Text, "area_name": Text,
    "gender": Text, "gender_sv": Text, "gender_en": Text, "indicator": Text, "indicator_name_sv": Text,
    "indicator_name_en": Text, "kind": Text, "numerator": BigInteger, "denominator": BigInteger,
    "value": Double, "suppressed": Boolean, "percent": Double, "count": BigInteger,
}
_NOT_IN_LATEST = {"area_level_sv", "gender_sv", "gender_en"}

v_indicators = Table("v_indicators", view_metadata,
                     *(Column(name, kind) for name, kind in _INDICATOR_COLUMNS.items()))

v_latest_indicators = Table("v_latest_indicators", view_metadata,
                            *(Column(name, kind) for name, kind in _INDICATOR_COLUMNS.items()
                              if name not in _NOT_IN_LATEST))

# For readers, beside the exact ``value`` (the number every check uses): a rate as a percentage
# rounded half away from zero to one decimal, and a count as an integer. The percentage is worked
# out from the integer numerator and denominator, never from the binary ``value`` (0.0745 * 100 is
# 7.4499... in floating point): round(1000 n / d) / 10 = floor((2000 n + d) / (2 d)) / 10, where
# ``/`` of two non-negative integers truncates on SQLite and PostgreSQL alike. The result is a
# double (REAL on SQLite): the nearest one to the decimal, shown as e.g. 6.3.
# New columns go at the end: PostgreSQL's CREATE OR REPLACE VIEW only appends columns.
PERCENT_SQL = ("CASE WHEN i.kind = 'rate' AND iv.denominator > 0 THEN CAST((iv.numerator * 2000 + iv.denominator)"
               " / (iv.denominator * 2) AS DOUBLE PRECISION) / 10 END AS percent")
COUNT_SQL = "CASE WHEN i.kind = 'count' THEN CAST(iv.value AS BIGINT) END AS count"
_READER_NUMBERS = f"{PERCENT_SQL},\n       {COUNT_SQL}"

# ``substr`` rather than LIKE 'EECO%': a literal percent sign is mangled by
# pyformat drivers. ``value_all`` rather than ``all``: ALL is reserved in SQL. The ESF+ common
# indicators (EECO, EECR) are all counts: ``count_*`` is their value as an integer.
# Each view's SELECT; ``replace_views`` makes the DDL.
VIEWS: dict[str, str] = {
    "v_indicators": f"""
SELECT iv.period, iv.area_level, {case_sql("iv.area_level", LEVEL_NAMES, 0)} AS area_level_sv,
       iv.area_code, a.name AS area_name, iv.gender,
       {case_sql("iv.gender", GENDER_NAMES, 0)} AS gender_sv,
       {case_sql("iv.gender", GENDER_NAMES, 1)} AS gender_en,
       iv.indicator, i.name_sv AS indicator_name_sv, i.name_en AS indicator_name_en, i.kind,
       iv.numerator, iv.denominator, iv.value, iv.suppressed,
       {_READER_NUMBERS}
FROM indicator_values iv
LEFT JOIN areas a ON a.area_level = iv.area_level AND a.area_code = iv.area_code
LEFT JOIN indicators i ON i.indicator = iv.indicator
""",
    "v_esf_by_gender": """
SELECT period, area_level, area_code, indicator,
       MAX(CASE WHEN gender = 'all' THEN value END) AS value_all,
       MAX(CASE WHEN gender = 'female' THEN value END) AS value_female,
       MAX(CASE WHEN gender = 'male' THEN value END) AS value_male,
       MAX(CASE WHEN gender = 'nonbinary' THEN value END) AS value_nonbinary,
       MAX(CASE WHEN suppressed THEN 1 ELSE 0 END) = 1 AS any_suppressed,
       MAX(CASE WHEN gender = 'all' THEN CAST(value AS BIGINT) END) AS count_all,
       MAX(CASE WHEN gender = 'female' THEN CAST(value AS BIGINT) END) AS count_female,
       MAX(CASE WHEN gender = 'male' THEN CAST(value AS BIGINT) END) AS count_male,
       MAX(CASE WHEN gender = 'nonbinary' THEN CAST(value AS BIGINT) END) AS count_nonbinary
FROM indicator_values
WHERE substr(indicator, 1, 4) IN ('EECO', 'EECR')
GROUP BY period, area_level, area_code, indicator
""",
    "v_latest_indicators": f"""
SELECT iv.period, iv.area_level, iv.area_code, a.name AS area_name,
       iv.gender, iv.indicator, i.name_sv AS indicator_name_sv,
       i.name_en AS indicator_name_en, i.kind,
       iv.numerator, iv.denominator, iv.value, iv.suppressed,
       {_READER_NUMBERS}
FROM indicator_values iv
LEFT JOIN areas a ON a.area_level = iv.area_level AND a.area_code = iv.area_code
LEFT JOIN indicators i ON i.indicator = iv.indicator
WHERE iv.period = (SELECT MAX(period) FROM indicator_values)
""",
}
VIEW_TABLES = {"v_indicators": v_indicators, "v_esf_by_gender": v_esf_by_gender,
                "v_latest_indicators": v_latest_indicators}
VIEW_ORDER = {
    "v_indicators": ("period", "area_level", "area_code", "gender", "indicator"),
    "v_esf_by_gender": ("period", "area_level", "area_code", "indicator"),
    "v_latest_indicators": ("area_level", "area_code", "gender", "indicator"),
}


def replace_views(conn: Connection) -> None:
    """(Re)create every view on ``conn`` inside its transaction.

    PostgreSQL: ``CREATE OR REPLACE VIEW`` keeps the grants on the view (a view may only gain
    columns at the end that way); a view whose columns changed otherwise is dropped and created
    inside a savepoint, and the caller grants again. SQLite has no grants and no OR REPLACE.
    """
    quote = conn.dialect.identifier_preparer.quote
    for name, select in VIEWS.items():
        if conn.dialect.name == "postgresql":
            try:
                with conn.begin_nested():
                    conn.execute(text(f"CREATE OR REPLACE VIEW {quote(name)} AS {select}"))
                continue
            except sa.exc.DBAPIError:
                log.info("view %s changed its columns: dropped and created again", name)
        conn.execute(text(f"DROP VIEW IF EXISTS {quote(name)}"))
        conn.execute(text(f"CREATE VIEW {quote(name)} AS {select}"))
