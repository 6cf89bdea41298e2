"""Upkeep: keeping the data folder in order over time, above ingestion.

``retention`` deletes raw deliveries and other identifying copies past their
retention period (reading the ledger and arrival records); ``rotation``
re-makes curated data and quarantine under a new pseudonym key (running
ingestion again). Both use ``ingest``, which never imports them.
"""
