"""Ingestion: one source's deliveries from the landing folder to curated Parquet.

In: delivered files, a ``Source`` and the pseudonym key.
Flow: ``landing`` (identify, archive with sha256) -> ``parse`` (bytes to a raw
table) -> ``harmonise`` (canonical columns, codes, types; personnummer to
pseudonym) -> ``validate`` (GX suites, participant membership) -> ``curated``
(accepted rows as Parquet, quarantine beside them) and ``ledger`` (one record
per file: counts, status, message). ``pipeline`` runs the steps per source.
Out: curated partitions, quarantine, ledger records, and to the caller a
``SourceResult`` (per file: ledger record, Data Docs page, quarantined rows).
Never imports ``publish``.
"""
