"""Publication: curated Parquet to the published indicator tables.

In: curated partitions and the ledger (read, never written here).
Flow: ``indicators`` (every number of indicators.md, raw) -> ``disclosure``
(suppression) -> ``warehouse`` (one transaction), ``published_files``
(Parquet) and ``fund_report`` (Excel). ``pipeline`` decides which periods
changed and runs the steps.
Out: the warehouse tables, published Parquet and the fund report.
"""
