"""Published layer: the reporting warehouse (indicators.md, "The published table").

One function, ``write_publication``, writes everything a reader of the warehouse sees, in
ONE transaction, to any SQLAlchemy URL: a SQLite file by default, PostgreSQL in
production. Readers see the old content or the new, never a mix — also when the
publishing process is killed half-way (the database rolls the open transaction
back; nothing is staged outside it).

Tables (explicit Core definitions in ``schema``; Alembic revisions in ``migrations``
bring an older warehouse to them, see ``migrate``):

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
* ``publication_state`` — what the warehouse holds (inputs fingerprint, periods,
  threshold), written with the numbers; the pipeline plans the next publish from it.

Views (replaced at the end of every publish, ``CREATE OR REPLACE`` on PostgreSQL so
grants on them stay): ``v_indicators``, ``v_esf_by_gender`` and
``v_latest_indicators``; all read only public tables. ``SAMLA_REPORTING_ROLE`` is
granted read access to the public tables and views in the same transaction
(``grants``), never to schema ``restricted``.

The package's seams: ``schema`` (tables), ``views``, ``engines`` (engines, the
restricted table's location), ``rows`` (frames <-> validated rows), ``bulk`` (COPY),
``state``, ``grants``, ``migrate`` (+ ``migrations/``), ``publication`` (writing),
``reading``, ``dimensions``. What other modules use is re-exported here.
"""

from transforms.publish.warehouse.dimensions import areas_frame, indicators_dimension
from transforms.publish.warehouse.engines import (
    check_inside as _check_inside,
)
from transforms.publish.warehouse.engines import (
    make_engine,
    restricted_location,
)
from transforms.publish.warehouse.migrate import Upgrade, head_revision, upgrade
from transforms.publish.warehouse.publication import (
    dictionary_entries,
    refresh_steward_tables,
    write_publication,
)
from transforms.publish.warehouse.reading import canonical, read_table
from transforms.publish.warehouse.schema import (
    PERIOD_TABLES,
    REPLACED_TABLES,
    RESTRICTED_SCHEMA,
    indicator_values_restricted_table,
    metadata,
    publication_log,
    publication_state,
    restricted_metadata,
)
from transforms.publish.warehouse.state import publication_state_of
from transforms.publish.warehouse.views import VIEWS

__all__ = [
    "PERIOD_TABLES", "REPLACED_TABLES", "RESTRICTED_SCHEMA", "VIEWS", "Upgrade", "_check_inside", "areas_frame",
    "canonical", "dictionary_entries", "head_revision", "indicator_values_restricted_table", "indicators_dimension",
    "make_engine", "metadata", "publication_log", "publication_state", "publication_state_of", "read_table",
    "refresh_steward_tables", "restricted_location", "restricted_metadata", "upgrade", "write_publication",
]
