"""What needs attention in a run's periods: rejected files and quarantined rows, from the ledger.

The truth of the periods, not of one try of a task: for each source, dataset
and period the delivery that counts is the newest one (``newest_deliveries``,
as ``samla status`` shows it), so a rejected file stays listed until a later
delivery of the same source, dataset and period replaces it, whichever task
or run checked it. Files that name no period (unmatched names, refused
entries, unknown folders) have no later delivery to replace them: they are
listed by the runs that found them.

The lists are bounded for the Airflow grid (one mapped instance per source,
a mapped task takes at most 1 024): at most ``MAX_SOURCES`` items, the rest
counted in a closing item; each item names its files until its name is full
and carries at most ``MAX_LINES`` lines for the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from transforms import names
from transforms.ingest.explain import newest_deliveries
from transforms.messages import t

ACCEPTED = ("loaded", "loaded_with_quarantine")
MAX_SOURCES = 100  # mapped instances per attention task
MAX_LINES = 200  # file lines an item carries into its instance's log
NAME_CHARS = 240  # Airflow stores at most 250 characters of a mapped instance's name


@dataclass(frozen=True)
class Attention:
    counted: pd.DataFrame  # the deliveries that count in the run's periods (+ undated files found by the run)
    rejected: pd.DataFrame
    quarantined: pd.DataFrame
    checked: int  # ledger records written since the run began
    periods: list[str]


def run_attention(frame: pd.DataFrame, periods: tuple[str, str] | None, since: str | None) -> Attention:
    """``frame`` is ``Ledger.counted``; ``periods`` the run's range (None: a run for every new delivery, whose
    periods are those of the records written ``since`` it began, an ISO time; None: every record)."""
    recent = frame if since is None else frame[frame["processed_at"] >= since]
    dated = frame[frame["period"].fillna("") != ""]
    if periods is not None:
        dated = dated[(dated["period"] >= periods[0]) & (dated["period"] <= periods[1])]
    elif since is not None:
        dated = dated[dated["period"].isin(set(recent["period"]))]
    undated = recent[(recent["period"].fillna("") == "") & (recent["status"] == "rejected")]
    counted = pd.concat([newest_deliveries(dated), undated]) if len(undated) else newest_deliveries(dated)
    counted = counted.sort_values(["source", "period", "dataset", "file_name"], kind="stable")
    return Attention(
        counted=counted,
        rejected=counted[counted["status"] == "rejected"],
        quarantined=counted[counted["status"].isin(ACCEPTED) & (counted["rows_quarantined"] > 0)],
        checked=len(recent),
        periods=sorted(set(dated["period"])),
    )


def _where(r) -> str:
    return f"{r.dataset} {r.period}" if r.period else f"{r.dataset} {names.shown(r.file_name)}"


def items(problems: pd.DataFrame, labels: dict[str, str], kind: str) -> list[dict[str, Any]]:
    """One item per source with problems of ``kind`` (``rejected`` | ``quarantined``):
    ``{"name": ..., "lines": [...]}``, the name for the grid, the lines for the log."""
    out: list[dict[str, Any]] = []
    groups = list(problems.groupby("source", sort=True))
    for sid, rows in groups[:MAX_SOURCES]:
        n = len(rows) if kind == "rejected" else int(rows["rows_quarantined"].sum())
        out.append({"name": _name(kind, labels.get(sid, sid), n, rows), "lines": _lines(kind, sid, rows)})
    rest = groups[MAX_SOURCES:]
    if rest:
        files = sum(len(rows) for _, rows in rest)
        out.append({"name": t("dag.attention.more_sources", n=len(rest), files=t("common.files", n=files)),
                     "lines": [f"{sid}: {t('common.files', n=len(rows))}" for sid, rows in rest]})
    return out


def _name(kind: str, label: str, n: int, rows: pd.DataFrame) -> str:
    """The instance's name: the count first, then as many files as fit, then how many more."""
    parts = [f"{_where(r)} ({int(r.rows_quarantined)})" if kind == "quarantined" else
             f"{_where(r)} ({names.shown(r.file_name)})" if r.period else _where(r) for r in rows.itertuples(index=False)]
    name = ""
    for shown in range(1, len(parts) + 1):
        hidden = len(parts) - shown
        files = ", ".join(parts[:shown]) + (f", {t('dag.attention.more', n=hidden)}" if hidden else "")
        candidate = t(f"dag.attention.{kind}", source=label, n=n, files=files)
        if name and len(candidate) > NAME_CHARS:
            break
        name = candidate
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "…"


def _lines(kind: str, sid: str, rows: pd.DataFrame) -> list[str]:
    lines = []
    for r in rows.head(MAX_LINES).itertuples(index=False):
        where = {"source": sid, "dataset": r.dataset, "period": r.period or "-", "file_name": r.file_name}
        lines.append(t("dag.attention.rejected_line", message=r.message, **where) if kind == "rejected" else
                     t("dag.attention.quarantined_line", n=int(r.rows_quarantined), **where))
    if len(rows) > MAX_LINES:
        lines.append(t("dag.attention.more_lines", n=len(rows) - MAX_LINES, source=sid))
    return lines


def summary_text(found: Attention) -> str:
    """The summary task's log line: counts over the deliveries that count, and what this run checked."""
    counted = found.counted
    scope = t("dag.summary.periods", periods=", ".join(found.periods)) if found.periods else \
        t("dag.summary.no_periods")
    return t("dag.summary", scope=scope, deliveries=t("dag.summary.deliveries", n=len(counted)),
             read=t("common.rows", n=int(counted["rows_read"].sum())),
             accepted=t("common.rows", n=int(counted["rows_accepted"].sum())),
             quarantined=t("common.rows", n=int(counted["rows_quarantined"].sum())),
             rejected=t("dag.summary.rejected", n=len(found.rejected)),
             held=t("dag.summary.held", n=len(found.quarantined)), checked=t("common.files", n=found.checked))

