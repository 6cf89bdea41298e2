"""Tell the project office when a DAG run fails: one e-mail per failed run (SAMLA_OFFICE_EMAIL).

Two Airflow callbacks share the work, because no single one both sees every
task's error and runs once per run:

* ``record_task_failure`` (every task's ``on_failure_callback``, through
  ``dag_config.default_args``) runs in the task's own process after its last
  try, with the exception in its context: it keeps the task's display name and
  its error's last line in a small JSON file, one per failed task, under
  ``<data dir>/alerts/<dag>/<run>/``. ``forget_task_failure`` (the tasks'
  ``on_success_callback``) removes it when a cleared task then succeeds.
* ``email_office`` (each DAG's ``on_failure_callback``) runs once the run has
  failed: in ``dag.test()`` inside the calling process, under the scheduler in
  the dag-processor, where there is no ORM and no list of task states. It reads
  those files and sends one e-mail naming every failed task; the tasks it told
  about are remembered in ``sent.json``, so the same failures never go out twice.

A task killed from outside (no callback of its own ran) is still named by the
run's context, with a pointer to its log. Sending never raises: the run has
failed already, and an unreachable mail server is only logged. Texts pass
``mask_in_text``: an error message may quote a delivered value.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from samla_airflow.schedule import local_time, next_run_text
from transforms.messages import language, t
from transforms.privacy.personnummer import MaskingFilter, mask_in_text

log = logging.getLogger(__name__)
log.addFilter(MaskingFilter())

OFFICE_EMAIL_ENV = "SAMLA_OFFICE_EMAIL"
MAX_LINE = 500  # characters of one error line in the e-mail
SENT = "sent.json"
# Read by the dag-processor too, where no task has copied Airflow Variables into the environment.
_CALLBACK_SETTINGS = ("SAMLA_DATA_DIR", OFFICE_EMAIL_ENV, "SAMLA_LANGUAGE", "SAMLA_SMTP_CONN_ID", "SAMLA_MAIL_FROM",
                      "SAMLA_PROJECT", "SAMLA_SOURCES")


# --- the task-level record ---------------------------------------------------------------------


def _safe(text: str) -> str:
    """A folder name for a run id (it holds ':' and '+'), unique by a short digest."""
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", text)[:80]
    return f"{readable}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _run_folder(data_dir: Path, dag_id: str, run_id: str) -> Path:
    return data_dir / "alerts" / _safe(dag_id) / _safe(run_id)


def _data_dir() -> Path:
    from transforms.config.settings import load_settings

    return load_settings().data_dir


def last_line(exc: BaseException | None) -> str:
    """The error's last meaningful line, masked: what a person reads first in the task's log."""
    if exc is None:
        return ""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[-1] if lines else ""
    from airflow.sdk.exceptions import AirflowException

    if not isinstance(exc, AirflowException):  # ours are written for people; others need their kind
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    text = mask_in_text(" ".join(text.split()))
    return text if len(text) <= MAX_LINE else text[:MAX_LINE - 1] + "…"


def _task_file(folder: Path, task_id: str, map_index: int) -> Path:
    return folder / (f"{_safe(task_id)}.json" if map_index in (None, -1) else f"{_safe(task_id)}.{map_index}.json")


def _ti_fields(context: dict) -> tuple[str, str, str, int]:
    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)
    return context["dag"].dag_id, context["run_id"], ti.task_id, -1 if map_index is None else int(map_index)


def record_task_failure(context: dict) -> None:
    """Task ``on_failure_callback``: keep this task's final failure and its last error line for the run's e-mail."""
    try:
        from samla_airflow.settings_bridge import export_airflow_settings
        from transforms import atomic

        export_airflow_settings()
        dag_id, run_id, task_id, map_index = _ti_fields(context)
        ti, task = context["ti"], context.get("task")
        folder = _run_folder(_data_dir(), dag_id, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_json(_task_file(folder, task_id, map_index), {
            "task_id": task_id, "map_index": map_index,
            "display_name": mask_in_text(str(getattr(task, "task_display_name", None) or task_id)),
            "try_number": int(getattr(ti, "try_number", 0) or 0),
            "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "line": last_line(context.get("exception")),
        })
    except Exception:  # noqa: BLE001 - the task has failed already; the run's e-mail still names it
        log.exception("could not record the task's failure for the office e-mail")


def forget_task_failure(context: dict) -> None:
    """Task ``on_success_callback``: a cleared task that now succeeded is no longer a failure to report."""
    try:
        if not os.environ.get("SAMLA_DATA_DIR"):  # the failed try may have found it as an Airflow Variable
            from samla_airflow.settings_bridge import export_airflow_settings

            export_airflow_settings()
        dag_id, run_id, task_id, map_index = _ti_fields(context)
        folder = _run_folder(_data_dir(), dag_id, run_id)
        if folder.is_dir():
            _task_file(folder, task_id, map_index).unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a success must never fail for its bookkeeping
        log.exception("could not clear an earlier failure record")


def _key(failure: dict) -> str:
    return f"{failure['task_id']}|{failure['map_index']}|{failure['try_number']}"


def _recorded(folder: Path) -> list[dict]:
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.name == SENT:
            continue
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda f: (f.get("failed_at", ""), f.get("task_id", "")))


# --- the DAG-level e-mail ----------------------------------------------------------------------


def office_addresses() -> list[str]:
    """SAMLA_OFFICE_EMAIL: one or more addresses, separated by commas, semicolons or spaces."""
    return [a for a in re.split(r"[,;\s]+", os.environ.get(OFFICE_EMAIL_ENV, "")) if a]


def run_url(dag_id: str, run_id: str) -> str | None:
    """The run in Airflow's UI when a base URL is configured ([api] base_url, AIRFLOW__API__BASE_URL)."""
    from urllib.parse import quote

    try:
        from airflow.configuration import conf

        base = (conf.get("api", "base_url", fallback="") or "").strip()
    except Exception:  # noqa: BLE001 - no link then
        base = ""
    if not base or not base.startswith(("http://", "https://")):
        return None
    return f"{base.rstrip('/')}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def _e(text: Any) -> str:
    return html.escape(mask_in_text(str(text)), quote=True)


def compose_office_email(dag_id: str, run_id: str, started: datetime | None, failures: list[dict],
                         next_run_sentence: str, url: str | None) -> tuple[str, str]:
    """(subject, HTML body) in SAMLA_LANGUAGE: which run failed, each failed task with its last line, what to do."""
    project = _e(_project_name())
    what = t(f"alerts.dag.{dag_id}") if f"alerts.dag.{dag_id}" in _catalogue() else dag_id
    subject = " ".join(mask_in_text(t("alerts.office.subject", dag=dag_id, what=what, n=len(failures))).split())
    items = []
    for f in failures:
        name = f.get("display_name") or f["task_id"]
        label = _e(name) if name == f["task_id"] else f"{_e(name)} (<code>{_e(f['task_id'])}</code>)"
        if f.get("map_index", -1) not in (None, -1):
            label += " " + t("alerts.office.map_index", n=f["map_index"])
        when = local_time(datetime.fromisoformat(f["failed_at"])) if f.get("failed_at") else ""
        line = _e(f["line"]) if f.get("line") else t("alerts.office.no_line")
        items.append(f"<li><b>{label}</b>{', ' + when if when else ''}: {line}</li>")
    link = (f'<li>{t("alerts.office.link")} <a href="{html.escape(url, quote=True)}">{_e(run_id)}</a></li>'
            if url else "")
    body = f"""<!DOCTYPE html>
<html lang="{language()}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;max-width:60em">
<p>{t("alerts.office.intro", project=project, dag=_e(dag_id), what=_e(what), run_id=_e(run_id),
      started=local_time(started))}</p>
<p><b>{t("alerts.office.failed", n=len(failures))}</b></p>
<ul>
{chr(10).join(items)}
</ul>
<p><b>{t("email.what_to_do")}</b></p>
<ul>
<li>{t("alerts.office.todo_read")}</li>
<li>{t("alerts.office.todo_clear")}</li>
<li>{_e(next_run_sentence)}</li>
{link}
</ul>
<hr>
<p style="color:#555;font-size:90%">{t("alerts.office.footer", env=OFFICE_EMAIL_ENV)}</p>
</body></html>
"""
    return subject, body


def _project_name() -> str:
    """The project file's name; the e-mail goes out without it when the project file is what broke."""
    try:
        from transforms.config.project import current_project

        return current_project().name
    except Exception:  # noqa: BLE001 - see above
        return "Samla"


def _catalogue() -> dict:
    from transforms.messages import catalogue

    return catalogue()


def _settings_from_airflow() -> None:
    """In the dag-processor the environment is all there is unless Variables are asked for by name."""
    from samla_airflow.settings_bridge import _variable

    for name in _CALLBACK_SETTINGS:
        if not os.environ.get(name):
            value = _variable(name)
            if value:
                os.environ[name] = str(value)


def _context_failure(context: Mapping[str, Any]) -> dict | None:
    """The run's last failed task as the callback's context names it (no record: killed from outside)."""
    ti = context.get("ti")
    if ti is None:
        return None
    task = context.get("task")
    map_index = getattr(ti, "map_index", -1)
    return {"task_id": ti.task_id, "map_index": -1 if map_index is None else int(map_index),
            "display_name": str(getattr(task, "task_display_name", None) or ti.task_id),
            "try_number": int(getattr(ti, "try_number", 0) or 0), "failed_at": "", "line": ""}


def email_office(context: Mapping[str, Any]) -> None:
    """DAG ``on_failure_callback``: one e-mail to SAMLA_OFFICE_EMAIL about this failed run. Never raises."""
    try:
        _email_office(context)
    except Exception:  # noqa: BLE001 - the run has failed already; this only tells about it
        log.exception("could not e-mail the project office about the failed run")


def _email_office(context: Mapping[str, Any]) -> bool:
    _settings_from_airflow()
    dag = context["dag"]
    dag_id, run_id = dag.dag_id, context["run_id"]
    folder = _run_folder(_data_dir(), dag_id, run_id)
    failures = _recorded(folder)
    named = {f["task_id"] for f in failures}
    extra = _context_failure(context)
    if extra is not None and extra["task_id"] not in named:
        failures.append(extra)
    sent_path = folder / SENT
    try:
        sent = set(json.loads(sent_path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        sent = set()
    if failures and all(_key(f) in sent for f in failures):
        log.info("%s %s: the office was told about these failures already", dag_id, run_id)
        return False
    to = office_addresses()
    if not to:
        log.warning("%s %s failed, but %s is not set: nobody was e-mailed", dag_id, run_id, OFFICE_EMAIL_ENV)
        return False
    dag_run = context.get("dag_run")
    started = getattr(dag_run, "start_date", None) or getattr(dag_run, "run_after", None)
    try:
        sentence = next_run_text(dag)
    except Exception:  # noqa: BLE001 - the e-mail goes out without the next run
        log.exception("could not read the DAG's timetable")
        sentence = ""
    subject, body = compose_office_email(dag_id, run_id, started, failures, sentence, run_url(dag_id, run_id))
    from samla_airflow.notify import send_html

    if not send_html(to, subject, body, what=f"the project office about {dag_id} {run_id}"):
        return False
    try:
        from transforms import atomic

        folder.mkdir(parents=True, exist_ok=True)
        atomic.write_json(sent_path, sorted(sent | {_key(f) for f in failures}))
    except OSError:
        log.warning("%s %s: could not remember that the office was e-mailed", dag_id, run_id)
    return True
