"""The warehouse's tables: explicit Core definitions, the one description of the current schema.

Migrations (``migrations/versions``) bring an older warehouse to it; ``views`` reads these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from transforms.config.schema import CELL_KEY

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
SURROGATE = {"load_ledger": "entry_no", "quarantine_summary": "entry_no"}

# What the warehouse holds, written in the transaction that publishes the numbers: the pipeline plans
# the next publish from it, so a new, emptied or restored warehouse is refilled with what it lacks.
# Its own metadata: an internal table, neither in the data dictionary nor granted to reporting roles.
state_metadata = MetaData()

publication_state = Table(
    "publication_state",
    state_metadata,
    Column("state_no", BigInteger, nullable=False, autoincrement=False, comment="always 1: one row"),
    Column("entry_no", BigInteger, nullable=False, comment="the publication_log entry that wrote it"),
    Column("fingerprint", Text, nullable=False, comment="JSON: dataset/source/period -> delivery checksum"),
    Column("periods_on_record", Text, nullable=False, comment="JSON list of the periods on record"),
    Column("threshold", BigInteger, nullable=True, comment="suppression threshold of the periods on record"),
    PrimaryKeyConstraint("state_no", name="pk_publication_state"),
    comment="What the warehouse holds: the inputs, periods and threshold of its publications.",
)
