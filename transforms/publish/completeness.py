"""Published layer: what the numbers rest on (indicators.md, ``dataset_status``).

From the load ledger: for every published period, configured source and
dataset, ``delivered`` (an accepted delivery for that period), ``missing`` (no
delivery) or ``rejected`` (only rejected deliveries). ``file_name`` and
``arrived_at`` name the delivery that counts — the newest accepted one, as in
curated — or the newest rejected one.
"""

from __future__ import annotations

import pandas as pd

from transforms.config.schema import DATASETS

COLUMNS = ["period", "source", "dataset", "state", "file_name", "arrived_at"]
ACCEPTED = ("loaded", "loaded_with_quarantine")
PROBLEM_STATES = ("missing", "rejected")


def dataset_status(ledger_frame: pd.DataFrame, sources: list[str], periods: list[str]) -> pd.DataFrame:
    """One row per period × source × dataset (a participants snapshot is ``delivered``
    only for its own period; staleness stays in ``source_status``)."""
    newest: dict[tuple[str, str, str, bool], tuple[str, str]] = {}
    if len(ledger_frame):
        frame = ledger_frame[ledger_frame["period"].isin(periods)]
        frame = frame.sort_values(["arrived_at", "processed_at"], kind="stable")
        for r in frame.itertuples(index=False):
            accepted = r.status in ACCEPTED
            if accepted or r.status == "rejected":
                newest[(r.period, r.source, r.dataset, accepted)] = (r.file_name, r.arrived_at)
    rows: list[tuple[str, str, str, str, str | None, str | None]] = []
    for period in periods:
        for source in sources:
            for dataset in DATASETS:
                if (period, source, dataset, True) in newest:
                    rows.append((period, source, dataset, "delivered", *newest[(period, source, dataset, True)]))
                elif (period, source, dataset, False) in newest:
                    rows.append((period, source, dataset, "rejected", *newest[(period, source, dataset, False)]))
                else:
                    rows.append((period, source, dataset, "missing", None, None))
    return pd.DataFrame(rows, columns=COLUMNS)


def problems(status: pd.DataFrame, periods: list[str] | None = None) -> pd.DataFrame:
    """The ``missing`` and ``rejected`` rows (of ``periods``, if given): empty means complete."""
    out = status[status["state"].isin(PROBLEM_STATES)]
    if periods is not None:
        out = out[out["period"].isin(periods)]
    return out.sort_values(["period", "source", "dataset"], kind="stable").reset_index(drop=True)


def status_for_cli(warehouse_url: str, period: str | None = None, source: str | None = None) -> pd.DataFrame:
    """``dataset_status`` as published, narrowed for ``samla status`` (the steward's command):
    the problems first, then the rest, one row per period, source and dataset."""
    from transforms.publish.warehouse import read_table

    frame = read_table(warehouse_url, "dataset_status")
    if period:
        frame = frame[frame["period"] == period]
    if source:
        frame = frame[frame["source"] == source]
    rank = frame["state"].map({"rejected": 0, "missing": 1}).fillna(2)
    return frame.assign(_rank=rank).sort_values(["_rank", "period", "source", "dataset"], kind="stable") \
        .drop(columns="_rank").reset_index(drop=True)
