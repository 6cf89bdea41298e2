"""Quarantine explained to a steward: which delivery of a period counts, and the root of a cascade.

A row quarantined because its person is not an accepted participant
(``person_not_in_participants``) is usually fixed in the participants file:
``cascade_roots`` finds the participants row of the same person that was
quarantined (same source, the period or the newest earlier one), so the CLI
and the e-mail can point at the row to fix. Matching is by pseudonym; no
person id is shown.
"""

from __future__ import annotations

import pandas as pd

CASCADE_RULE = "person_not_in_participants"


def newest_deliveries(records: pd.DataFrame) -> pd.DataFrame:
    """The ledger records that count: the newest arrival per source, dataset and period. A file that
    names no period (a misnamed, refused or unknown-source file) is a delivery of its own: each is kept."""
    if records.empty:
        return records
    ordered = records.sort_values("arrived_at", kind="stable")
    newest = ordered.groupby(["source", "dataset", "period"], dropna=False).tail(1)
    undated = ordered["period"].isna() | (ordered["period"] == "")
    return ordered[undated | ordered.index.isin(newest.index)]


def cascade_roots(rows: pd.DataFrame, quarantine: pd.DataFrame) -> dict[int, dict]:
    """Index of each cascaded row in ``rows`` -> the participants quarantine row that caused it.

    ``quarantine`` is the source's whole quarantine (``curated.read_quarantine``).
    """
    if rows.empty or quarantine.empty or "person" not in rows.columns:
        return {}
    cascaded = rows[(rows["rule"] == CASCADE_RULE) & rows["person"].notna()]
    if cascaded.empty:
        return {}
    participants = quarantine[(quarantine["dataset"] == "participants") & quarantine["person"].notna()]
    participants = participants.sort_values(["period", "source_row"], kind="stable")
    roots = {}
    for index, row in cascaded.iterrows():
        found = participants[(participants["person"] == row["person"]) & (participants["period"] <= row["period"])]
        if not found.empty:
            root = found[found["period"] == found["period"].iloc[-1]].iloc[0]
            roots[index] = {k: _plain(root.get(k)) for k in ("file_name", "file_sha256", "period", "source_row",
                                                             "header", "rule", "description")}
    return roots



def _plain(value):
    return value.item() if hasattr(value, "item") else value
