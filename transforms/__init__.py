"""Samla's data logic: plain functions on files, DataFrames and Arrow tables.

Nothing in this package imports Airflow; every step of the flow
(landing -> raw archive -> harmonised -> validated -> curated -> published)
is testable on its own. Layers: ``config`` (what Samla is told), ``ingest``
(one source's deliveries to curated Parquet), ``publish`` (curated Parquet to
the published tables), ``privacy`` (personnummer, pseudonyms, retention);
``demo`` makes sample deliveries and is imported by none of them. Shared by
all: ``period`` (the Period type), ``atomic`` (the one way to write a file),
``values`` (what counts as empty). ARCHITECTURE.md has the rules.
"""
