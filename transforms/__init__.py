"""Samla's data logic: plain functions on files, DataFrames and Arrow tables.

Nothing in this package imports Airflow; every step of the flow
(landing -> raw archive -> harmonised -> validated -> curated -> published)
is testable on its own. The kernel, which imports nothing else of Samla:
``period`` (the Period type), ``atomic`` (the one way to write a file),
``paths`` (what lies inside the data folder), ``values`` (what counts as
empty), ``clock``, ``names`` and the ``messages`` catalogue. Layers above it,
each importing only earlier ones: ``config`` (what Samla is told),
``privacy`` (personnummer, pseudonyms), ``ingest`` (one source's deliveries
to curated Parquet), ``upkeep`` (retention, key rotation), ``publish``
(curated Parquet to the published tables), ``demo`` (sample deliveries,
imported by none of them). ARCHITECTURE.md has the rules.
"""
