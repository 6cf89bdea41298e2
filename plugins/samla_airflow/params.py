"""DAG params shared by the ingestion and publication DAGs, and how a run's periods are chosen."""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param

from transforms.period import Period

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


def period_params() -> dict[str, Param]:
    return {
        "period_from": Param(None, type=["null", "string"], pattern=PERIOD, description="first period YYYY-MM"),
        "period_to": Param(None, type=["null", "string"], pattern=PERIOD, description="last period YYYY-MM"),
    }


def sources_param() -> Param:
    return Param([], type="array", items={"type": "string"}, description="source ids to run; empty = all")


def period_range(params: dict[str, Any], run_type: str | None = None, logical_date=None) -> tuple[str, str] | None:
    """The periods a run covers: explicit params, else a backfill's month, else everything (None).

    A range open at the start begins at the project's first period (the project file); one open at the end
    has no end, so a delivery named for a month after the project is still read and refused with its reason."""
    start, end = params.get("period_from"), params.get("period_to")
    if start or end:
        if not start:
            from transforms.config.project import current_project

            start = current_project().first_period
        return (start, end or str(Period(9999, 12)))
    if run_type == "backfill" and logical_date is not None:
        # A backfill run on month M's schedule reports the month before M.
        period = str(Period.of(logical_date).previous())
        return (period, period)
    return None
