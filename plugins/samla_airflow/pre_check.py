"""A steward's file checked before delivery, through exactly the pipeline's parsing and rules; stores nothing.

``samla check`` and the portal's check page both call ``check_file``: the file and the period's
participants file beside it (if any) are evaluated under a throwaway pseudonym key, so no key is
needed and no pseudonym shown means anything.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transforms.config.schema import DATASETS
from transforms.messages import t


class CheckRefused(ValueError):
    """The file cannot be checked as asked (no dataset or period known); the message says why."""


@dataclass(frozen=True)
class CheckReport:
    """What a check found: the pipeline's result and the report ``samla check --json`` prints."""

    ctx: Any  # FileContext
    result: Any  # FileResult
    report: dict[str, Any]
    beside: Path | None  # the participants file the persons were checked against
    snapshot: Any  # its accepted rows, or None

    @property
    def passed(self) -> bool:
        return self.result.status == "loaded" and not self.result.warnings


def check_file(source, path: Path, *, dataset: str | None = None, period: str | None = None,
               beside: Path | None = None) -> CheckReport:
    """Check ``path`` as a delivery of ``source``; ``dataset``/``period`` override what its name says.

    ``beside`` is the period's participants file the persons are checked against. The path's name is
    the file's name as delivered: it says the dataset and period.
    """
    from samla_airflow.cli.common import plain
    from transforms.ingest.file_context import FileContext
    from transforms.ingest.landing import identify, period_fault, sha256_of
    from transforms.ingest.pipeline import evaluate_file

    name = path.name
    named_dataset, named_period, name_fault = identify(source, name)
    dataset = dataset or named_dataset
    if dataset not in DATASETS:
        raise CheckRefused(t("usage.no_dataset", name=repr(name), datasets=", ".join(DATASETS)))
    if period:
        name_fault = period_fault(period)
    period = period or named_period
    if not period:
        raise CheckRefused(t("usage.no_period", name=repr(name)))
    ctx = FileContext(source, dataset, period, name, sha256_of(path))
    # A throwaway key: the check stores nothing and needs no pseudonymisation key.
    key = secrets.token_bytes(32)
    snapshot = None
    if dataset == "participants":
        beside = None
    elif beside is not None:
        checked = evaluate_file(beside, FileContext(source, "participants", period, beside.name, sha256_of(beside)),
                                key, None, membership=False)
        snapshot = checked.accepted
    # Today as ingestion reads it: a participants snapshot of a month not yet over would be rejected.
    today = datetime.now(UTC).date()
    result = evaluate_file(path, ctx, key, snapshot, name_fault, membership=snapshot is not None, today=today)
    report = {
        "file": str(path), "source": source.id, "dataset": dataset, "period": period, "would_be": result.status,
        "message": result.message, "detected_format": result.detected_format, "rows_read": result.rows_read,
        "rows_would_load": result.rows_accepted, "rows_with_problems": result.rows_quarantined,
        "warnings": result.warnings, "headers": result.headers,
        "problems": [{k: plain(v) for k, v in r.items()
                      if k in ("source_row", "column", "header", "rule", "description", "value", "other_value")}
                     for r in result.quarantine.to_dict("records")],
    }
    for problem in report["problems"]:  # pseudonyms under a throwaway key mean nothing: don't show them
        if "person_id" in (problem["column"] or "").split(","):
            problem["value"] = None
    return CheckReport(ctx, result, report, beside, snapshot)
