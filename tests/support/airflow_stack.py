"""The real Airflow components for the end-to-end tests (LocalExecutor or CeleryExecutor).

A fresh PostgreSQL metadata database on the local server (127.0.0.1:5432,
trust auth; dropped afterwards), a private AIRFLOW_HOME and a data folder with
one period of sample deliveries, started with the code of ``make airflow``
(samla_airflow.local_airflow). ``ingest_then_publish`` drives one period
through the REST API: trigger samla_ingest, wait for it, wait for the
Asset-triggered samla_publish run(s). Without the server the tests FAIL; they
never skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from samla_airflow.local_airflow import AirflowProcesses, airflow_env, free_port

from transforms.config.settings import DEFAULT_SOURCES
from transforms.config.sources import load_sources
from transforms.demo.generate import generate

PG_UNREACHABLE = "PostgreSQL not reachable at 127.0.0.1:5432 — the real-scheduler tests need the local server"
PERIOD = "2024-09"
KEY = "scheduler-e2e-key-0123456789abcdef"
TIMEOUT = 600  # seconds for the whole flow once the components are started; generous for a busy machine
FINISHED = {"success", "failed"}
BAD_TASK_STATES = {"failed", "up_for_retry", "upstream_failed"}


def admin_connection() -> psycopg.Connection:
    """The local server's maintenance database; a missing server FAILS the test (never a skip)."""
    try:
        return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        error = str(exc).strip()
    pytest.fail(f"{PG_UNREACHABLE} ({error})", pytrace=False)


@contextlib.contextmanager
def metadata_database() -> Iterator[str]:
    """A fresh PostgreSQL database for Airflow's metadata; dropped (connections forced out) at the end."""
    admin = admin_connection()
    name = f"samla_af_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def sample_deliveries(data: Path, period: str = PERIOD) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    generate(load_sources(DEFAULT_SOURCES, data), data, [period], faults=False)
    return data


def clean_environment() -> dict[str, str]:
    """This process's environment without its Airflow/Samla/pytest settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SAMLA_", "PYTEST"))}


def stack_environment(tmp_path: Path, data: Path, database: str, extra: Mapping[str, str] = ()) -> tuple[dict, int]:
    base = clean_environment()
    base["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    port = free_port()
    # airflow_env also sets the async URL (postgresql+psycopg_async: asyncpg is not installed).
    env = airflow_env(data, port=port, home=tmp_path / "airflow", base=base)
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # Re-parse often, so the DAG sees the run triggered while it is paused (see ingest_then_publish).
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        # A task's calls to the execution API time out after 5 s by default: too short when eight
        # test runs share two cores (seen as ReadTimeout before the task even started).
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
        "SAMLA_DATA_DIR": str(data),
        "SAMLA_PSEUDONYM_KEY": KEY,
        **dict(extra),
    })
    env.pop("SAMLA_DEMO", None)
    return env, port


def started(env: dict, port: int, timings: dict[str, float],
            components: Sequence[str] = ("api-server", "scheduler", "dag-processor")) -> AirflowProcesses:
    """Migrated and healthy components (the caller stops them)."""
    procs = AirflowProcesses(Path(env["AIRFLOW_HOME"]), env, port=port, components=components)
    t0 = time.monotonic()
    procs.migrate()
    timings["db migrate"] = time.monotonic() - t0
    t0 = time.monotonic()
    procs.start()
    procs.wait_healthy(150)
    timings["healthy"] = time.monotonic() - t0
    return procs


# --------------------------------------------------------------------------- REST helpers


class Api:
    def __init__(self, procs: AirflowProcesses):
        self.procs = procs
        self.client = httpx.Client(base_url=f"{procs.base_url}/api/v2", timeout=120,  # a busy 2-core machine
                                   headers={"Authorization": f"Bearer {procs.token()}"})

    def call(self, method: str, path: str, **kwargs) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    def runs(self, dag_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]

    def tasks(self, dag_id: str, run_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                         params={"limit": 100})["task_instances"]

    def queued_events(self, dag_id: str) -> list[dict]:
        response = self.client.get(f"/dags/{dag_id}/assets/queuedEvents")
        if response.status_code == 404:  # nothing queued
            return []
        if response.status_code != 200:
            raise AssertionError(f"queuedEvents -> {response.status_code}: {response.text[:300]}")
        return response.json()["queued_events"]


def _task_log_tail(home: Path, dag_id: str, run_id: str, task_id: str, lines: int = 25) -> str:
    """The end of a task's newest attempt log (JSON lines -> 'level event' plus any error)."""
    folder = home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    attempts = sorted(folder.glob("attempt=*.log"))
    if not attempts:
        return f"      (no log under {folder})"
    out = []
    for line in attempts[-1].read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]:
        try:
            rec = json.loads(line)
        except ValueError:
            out.append(f"      {line}")
            continue
        text = f"      {rec.get('level', '')} {rec.get('event', '')}"
        for err in rec.get("error_detail") or []:
            text += f"\n        {err.get('exc_type')}: {err.get('exc_value')}"
            frames = err.get("frames") or []
            text += "".join(f"\n          {f.get('filename')}:{f.get('lineno')} {f.get('name')}" for f in frames[-4:])
        out.append(text)
    return "\n".join(out)


def diagnostics(api: Api, procs: AirflowProcesses) -> str:
    parts = []
    for dag_id in ("samla_ingest", "samla_publish"):
        try:
            runs = api.runs(dag_id)
        except Exception as exc:  # the API itself may be the problem
            parts.append(f"{dag_id}: runs not readable ({exc})")
            continue
        parts.append(f"{dag_id}: {len(runs)} run(s)")
        for run in runs:
            parts.append(f"  {run['dag_run_id']} [{run['run_type']}] {run['state']}")
            try:
                tis = api.tasks(dag_id, run["dag_run_id"])
            except Exception as exc:
                parts.append(f"    tasks not readable ({exc})")
                continue
            for ti in sorted(tis, key=lambda t: t["task_id"]):
                parts.append(f"    {ti['task_id']}: {ti['state']} (try {ti.get('try_number')}, "
                             f"host {ti.get('hostname')})")
                if ti["state"] in BAD_TASK_STATES:
                    parts.append(_task_log_tail(procs.home, dag_id, run["dag_run_id"], ti["task_id"]))
    for component in procs.procs:
        if component == "api-server":
            continue
        tail = "\n".join(line[:300] for line in procs.log_tail(component, 40).splitlines())
        parts.append(f"--- tail of the {component} log ({procs.log_file(component)}):\n{tail}")
    return "\n".join(parts)


def _bad_tasks(api: Api, dag_id: str, run_id: str) -> list[str]:
    return [f"{t['task_id']}={t['state']}" for t in api.tasks(dag_id, run_id) if t["state"] in BAD_TASK_STATES]


# --------------------------------------------------------------------------- the flow


def ingest_then_publish(procs: AirflowProcesses, timings: dict[str, float], period: str | None = PERIOD,
                        expected: dict[str, str] | None = None) -> list[dict]:
    """Trigger samla_ingest for ``period`` (None: let the scheduler start its monthly run), wait for it
    and the Asset-triggered publication.

    Fails the test (with the runs, task states and component log tails) on any
    failed task or run; returns the ingestion run's task instances.
    """
    api = Api(procs)
    deadline = time.monotonic() + TIMEOUT
    t_start = time.monotonic()

    def fail(message: str) -> None:
        pytest.fail(f"{message}\n\n{diagnostics(api, procs)}", pytrace=False)

    # The dag-processor has to parse and serialise both DAGs first.
    while True:
        errors = api.call("GET", "/importErrors")["import_errors"]
        if errors:
            fail("the DAG folder has import errors: " + "; ".join(f"{e['filename']}: {e['stack_trace'][-400:]}" for e in errors))
        have = {d["dag_id"] for d in api.call("GET", "/dags", params={"limit": 100})["dags"]}
        if {"samla_ingest", "samla_publish"} <= have:
            break
        if time.monotonic() > deadline:
            fail(f"the DAGs did not appear in the API (have: {sorted(have)})")
        time.sleep(1)
    timings["dags parsed"] = time.monotonic() - t_start

    api.call("PATCH", "/dags/samla_publish", json={"is_paused": False})
    if period is None:
        # As in production: unpausing samla_ingest (monthly, catchup off) makes the scheduler create
        # a run for the latest schedule at once, and a scheduled run takes every new delivery.
        api.call("PATCH", "/dags/samla_ingest", json={"is_paused": False})
        while not (runs := api.runs("samla_ingest")):
            if time.monotonic() > deadline:
                fail("the scheduler created no samla_ingest run after unpausing it")
            time.sleep(1)
        run_id = runs[0]["dag_run_id"]
    else:
        # A run for ``period`` only. Unpausing would also create the latest scheduled run, which would
        # race with ours (max_active_runs=1). So: trigger while paused, let the dag-processor re-parse
        # (it then records that the one allowed run is taken), then unpause.
        triggered_at = datetime.now(UTC)
        run = api.call("POST", "/dags/samla_ingest/dagRuns",
                       json={"logical_date": None, "conf": {"period_from": period, "period_to": period}})
        run_id = run["dag_run_id"]
        while True:
            parsed = api.call("GET", "/dags/samla_ingest").get("last_parsed_time")
            if parsed and datetime.fromisoformat(parsed.replace("Z", "+00:00")) > triggered_at:
                break
            if time.monotonic() > deadline:
                fail("samla_ingest was not re-parsed after the trigger")
            time.sleep(1)
        api.call("PATCH", "/dags/samla_ingest", json={"is_paused": False})
    timings["run created"] = time.monotonic() - t_start - timings["dags parsed"]

    # The ingestion run.
    t0 = time.monotonic()
    while True:
        state = api.call("GET", f"/dags/samla_ingest/dagRuns/{run_id}")["state"]
        if state in FINISHED:
            break
        # ``expected``: task -> final state where it is not success (a failed source task fails the
        # run through run_check).
        # The attention tasks are skipped when there is nothing to list.
        expected = {"needs_attention": "skipped", "quarantined_rows": "skipped"} | (expected or {})
        if bad := [b for b in _bad_tasks(api, "samla_ingest", run_id) if b.split("=")[0] not in expected]:
            fail(f"samla_ingest run {run_id}: task(s) failed: {', '.join(bad)}")
        if time.monotonic() > deadline:
            fail(f"samla_ingest run {run_id} still {state} after {TIMEOUT} s")
        time.sleep(2)
    timings["ingest run"] = time.monotonic() - t0
    want = "failed" if set(expected.values()) & BAD_TASK_STATES else "success"
    if state != want:  # the run state read through the REST API tells the truth
        fail(f"samla_ingest run {run_id} ended {state}, expected {want}")
    tis = api.tasks("samla_ingest", run_id)
    states = {t["task_id"]: t["state"] for t in tis}
    durations = [t["duration"] or 0.0 for t in tis if t["task_id"].startswith("ingest_")]
    timings["ingest task (slowest)"] = max(durations, default=0.0)
    not_ok = {k: v for k, v in states.items() if v != expected.get(k, "success")}
    assert not not_ok, f"every source has new deliveries, yet: {not_ok}"

    # Every Asset event of that run either made a samla_publish run or is still queued for one
    # (max_active_runs=1). Done when nothing is queued or running and every such run succeeded.
    t0 = time.monotonic()
    while True:
        runs = [r for r in api.runs("samla_publish") if r["run_type"] == "asset_triggered"]
        for r in runs:
            if r["state"] == "failed" or _bad_tasks(api, "samla_publish", r["dag_run_id"]):
                fail(f"samla_publish run {r['dag_run_id']} failed (tasks: "
                     f"{', '.join(_bad_tasks(api, 'samla_publish', r['dag_run_id'])) or r['state']})")
        if runs and all(r["state"] == "success" for r in runs) and not api.queued_events("samla_publish"):
            break
        if time.monotonic() > deadline:
            fail(f"no successful Asset-triggered samla_publish run within {TIMEOUT} s "
                 f"(runs: {[(r['dag_run_id'], r['state']) for r in runs]})")
        time.sleep(2)
    timings["publish runs"] = time.monotonic() - t0
    timings["asset-triggered publish runs"] = len(runs)
    other = [r for r in api.runs("samla_publish") if r["run_type"] != "asset_triggered"]
    assert not other, f"samla_publish ran other than by its Assets: {other}"
    publish_tis = [ti for r in runs for ti in api.tasks("samla_publish", r["dag_run_id"])]
    timings["total after start"] = time.monotonic() - t_start
    return tis + publish_tis


def clear_with_downstream(procs: AirflowProcesses, run_id: str, task_id: str) -> list[dict]:
    """Clear ``task_id`` of the samla_ingest run ``run_id`` with its downstream tasks, as the grid's
    "Clear" does; wait for the run to finish again; return its task instances."""
    api = Api(procs)
    summary_try = next(t["try_number"] for t in api.tasks("samla_ingest", run_id) if t["task_id"] == "summary")
    api.call("POST", "/dags/samla_ingest/clearTaskInstances", json={
        "dry_run": False, "dag_run_id": run_id, "task_ids": [task_id], "include_downstream": True,
        "only_failed": False, "reset_dag_runs": True})
    deadline = time.monotonic() + TIMEOUT
    while True:
        state = api.call("GET", f"/dags/samla_ingest/dagRuns/{run_id}")["state"]
        tis = api.tasks("samla_ingest", run_id)
        again = next(t["try_number"] for t in tis if t["task_id"] == "summary") > summary_try
        if state in FINISHED and again:
            return tis
        if time.monotonic() > deadline:
            pytest.fail(f"samla_ingest run {run_id} did not finish after clearing {task_id} (state {state})\n\n"
                        f"{diagnostics(api, procs)}", pytrace=False)
        time.sleep(2)


def print_timings(label: str, timings: dict[str, float]) -> None:
    print(f"{label} timings: " + ", ".join(f"{k} {v:.0f}{'' if isinstance(v, int) else ' s'}"
                                           for k, v in timings.items()))


def imports_pandas(pid: int) -> bool:
    """Whether process ``pid`` has pandas loaded (its compiled libraries mapped): the executor's workers
    import what every task imports before they fork task processes (samla_airflow/task_preload.py)."""
    import psutil

    return any("pandas/_libs" in m.path for m in psutil.Process(pid).memory_maps(grouped=True))
