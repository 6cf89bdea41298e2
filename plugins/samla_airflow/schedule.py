"""When a DAG runs next, as the e-mails say it: read from the DAG's own timetable.

Used by ``alerts`` (the office's e-mail) and ``notify`` (the steward's), which
``alerts`` also uses to send; kept apart so neither imports the other back.
Airflow is imported inside the functions: DAG files import this at parse time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from transforms.messages import t


def local_time(moment: datetime | None) -> str:
    """A time for people in these e-mails: Swedish time, to the minute."""
    from transforms.clock import local_time as swedish_time

    return swedish_time(moment, seconds=False) or "?"


def next_run(dag: Any, now: datetime | None = None) -> tuple[str, datetime | None]:
    """The DAG's next scheduled run after ``now`` from its own timetable: ("time", when), ("assets", None)
    for a DAG started by Asset updates, ("none", None) for one without a schedule."""
    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    if not timetable.can_be_scheduled:
        return "none", None
    if not timetable.periodic:
        return "assets", None
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=TimeRestriction(
        earliest=pendulum.instance(now or datetime.now(UTC)), latest=None, catchup=True))
    return ("time", info.run_after) if info is not None else ("none", None)


def next_run_text(dag: Any, now: datetime | None = None) -> str:
    """One sentence for the office: when the DAG runs next."""
    kind, when = next_run(dag, now)
    return t(f"alerts.next_run.{kind}", **({"when": local_time(when)} if when else {}))


def steward_next_run(dag: Any | None = None, now: datetime | None = None) -> str:
    """'The next scheduled run, <when>, picks it up' for a steward; the current task's DAG by default.

    Outside a task (a direct call) or for a DAG without a time schedule it says only that the next run does.
    """
    try:
        if dag is None:
            from airflow.sdk import get_current_context

            dag = get_current_context()["dag"]
        kind, when = next_run(dag, now)
    except Exception:  # noqa: BLE001 - not inside a task: no timetable to read
        kind, when = "none", None
    return t("alerts.steward.picks_up_at", when=local_time(when)) if kind == "time" else t("alerts.steward.picks_up")


