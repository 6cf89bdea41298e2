"""The warehouse as published before its schema was versioned.

A frozen record, not the current schema (that is ``schema.py``): later revisions change what this
made. A warehouse of that time is stamped with this revision instead of running it; an empty one
runs it. Every statement tolerates what already exists.

Revision ID: 0001
Revises:
"""

from alembic import op
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

from transforms.publish.warehouse.migrate import restricted_operations

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CELL_KEY = ("period", "area_level", "area_code", "gender", "indicator")


def _cells(*columns):
    return [*(Column(name, Text, nullable=False) for name in CELL_KEY), *columns]


def _numbers():
    return [Column("numerator", BigInteger), Column("denominator", BigInteger), Column("value", Double)]


def _texts(*names):
    return [Column(name, Text) for name in names]


def _base_tables(metadata: MetaData) -> None:
    Table("indicator_values", metadata, *_cells(*_numbers(), Column("suppressed", Boolean, nullable=False)),
          PrimaryKeyConstraint(*CELL_KEY, name="pk_indicator_values"))
    Table("source_status", metadata, Column("period", Text, nullable=False), Column("source", Text, nullable=False),
          Column("stale", Boolean, nullable=False), Column("snapshot_period", Text),
          PrimaryKeyConstraint("period", "source", name="pk_source_status"))
    Table("dataset_status", metadata, *(Column(n, Text, nullable=False) for n in ("period", "source", "dataset",
                                                                                  "state")),
          *_texts("file_name", "arrived_at"),
          PrimaryKeyConstraint("period", "source", "dataset", name="pk_dataset_status"))
    Table("publication_log", metadata, Column("entry_no", BigInteger, nullable=False, autoincrement=False),
          *(Column(n, Text, nullable=False) for n in ("published_at", "periods", "inputs")),
          Column("cells_changed", BigInteger, nullable=False), Column("cells_suppressed", BigInteger, nullable=False),
          PrimaryKeyConstraint("entry_no", name="pk_publication_log"))
    Table("areas", metadata, *(Column(n, Text, nullable=False) for n in ("area_level", "area_code", "name")),
          *_texts("federation_code", "parent_code"), PrimaryKeyConstraint("area_level", "area_code", name="pk_areas"))
    Table("indicators", metadata, *(Column(n, Text, nullable=False) for n in (
        "indicator", "name_sv", "name_en", "definition", "definition_sv", "kind")),
        PrimaryKeyConstraint("indicator", name="pk_indicators"))
    Table("load_ledger", metadata, Column("entry_no", BigInteger, nullable=False, autoincrement=False),
          *_texts("source", "dataset", "period", "file_name", "file_sha256", "arrived_at", "detected_format"),
          *(Column(n, BigInteger) for n in ("rows_read", "rows_accepted", "rows_quarantined")),
          *_texts("status", "message", "data_docs"), PrimaryKeyConstraint("entry_no", name="pk_load_ledger"))
    Table("quarantine_summary", metadata, Column("entry_no", BigInteger, nullable=False, autoincrement=False),
          *_texts("source", "dataset", "period", "file_sha256", "column", "rule"), Column("rows", BigInteger),
          PrimaryKeyConstraint("entry_no", name="pk_quarantine_summary"))
    Table("data_dictionary", metadata, *(Column(n, Text, nullable=False) for n in (
        "table_name", "column_name", "meaning_sv", "meaning_en")),
        PrimaryKeyConstraint("table_name", "column_name", name="pk_data_dictionary"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SCHEMA IF NOT EXISTS restricted")
        op.execute("REVOKE ALL ON SCHEMA restricted FROM PUBLIC")
    metadata = MetaData()
    _base_tables(metadata)
    metadata.create_all(bind, checkfirst=True)
    rop, schema = restricted_operations()
    restricted = MetaData()
    Table("indicator_values_restricted", restricted, *_cells(),
          Column("numerator", BigInteger, comment="UNSUPPRESSED"),
          Column("denominator", BigInteger, comment="UNSUPPRESSED; empty for counts"),
          Column("value", Double, comment="UNSUPPRESSED; empty for a rate over zero"),
          Column("persons", BigInteger, comment="contributing persons (disclosure rule 1)"),
          PrimaryKeyConstraint(*CELL_KEY, name="pk_indicator_values_restricted"), schema=schema,
          comment="RESTRICTED TO THE PROJECT OFFICE: unsuppressed numbers of small groups of "
                  "pupils. Do not grant to reporting staff; publish indicator_values instead.")
    restricted.create_all(rop.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("the base revision is not undone: drop the database instead")
