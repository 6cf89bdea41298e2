"""Samla's data logic: plain functions on files, DataFrames and Arrow tables.

Nothing in this package imports Airflow; every step of the flow
(landing -> raw archive -> harmonised -> validated -> curated -> published)
is testable on its own.
"""
