"""Distributed execution: samla_ingest and samla_publish under the CeleryExecutor with two workers.

As in production (docker-compose.yml): CeleryExecutor, Redis as the broker
(the local server, 127.0.0.1:6379, a queue of this test's own), PostgreSQL as
metadata database and Celery result backend (a fresh database on
127.0.0.1:5432, dropped afterwards). Two ``airflow celery worker`` processes
with distinct Celery hostnames and concurrency 1 serve the queue; each task
instance records the worker that ran it as its hostname (tests/support/worker_hostname.py).
Checks: the source tasks ran on both workers, and every warehouse table (the
restricted one too) equals the one an in-process run (``samla run``, dag.test)
writes from the same deliveries with the same key, apart from when things
happened (arrival and processing times, Data Docs run folders) and the
publication log, which counts publications. Without PostgreSQL or Redis this
test FAILS; it never skips.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from airflow_stack import (
    KEY,
    PERIOD,
    admin_connection,
    clean_environment,
    imports_pandas,
    ingest_then_publish,
    metadata_database,
    print_timings,
    sample_deliveries,
    stack_environment,
    started,
)

pytestmark = [pytest.mark.scheduler, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ("samla-worker-a", "samla-worker-b")
REDIS = ("127.0.0.1", 6379)
# Columns that say when something happened, not what was published.
TIME_COLUMNS = ("arrived_at", "processed_at", "published_at", "created_at", "updated_at")
DOCS_RUN_TIME = re.compile(r"-\d{8}T\d{6}Z\d{6}\.html$")  # a page per validation: its time is in the name


def _redis_reachable() -> None:
    try:
        with socket.create_connection(REDIS, timeout=5) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                raise OSError("no PONG")
    except OSError as exc:
        pytest.fail(f"Redis not reachable at {REDIS[0]}:{REDIS[1]} — the Celery test needs the local server "
                    f"({exc}); install and start it: apt-get install redis-server", pytrace=False)


@pytest.fixture
def celery_stack(tmp_path):
    """api-server, scheduler, dag-processor and two Celery workers on one queue; always stopped."""
    data = sample_deliveries(tmp_path / "data")
    queue = f"samla_test_{secrets.token_hex(4)}"  # other runs on the same Redis never take our tasks
    timings: dict[str, float] = {}
    with metadata_database() as database:
        env, port = stack_environment(tmp_path, data, database, {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        })
        procs = started(env, port, timings)
        try:
            worker_env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests" / "support"), env.get("PYTHONPATH")])),
                          "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.hostname"}
            workers = [procs.start_celery_worker(name, queues=queue, env={**worker_env, "SAMLA_TEST_WORKER": name})
                       for name in WORKERS]
            for component in workers:
                procs.wait_worker_ready(component)
            yield procs, data, timings
        finally:
            procs.stop()


def _in_process_run(tmp_path: Path) -> Path:
    """The same deliveries through ``samla run`` (dag.test in one process); returns the data folder."""
    data = sample_deliveries(tmp_path / "inprocess")
    env = clean_environment() | {"SAMLA_DATA_DIR": str(data), "SAMLA_PSEUDONYM_KEY": KEY}
    done = subprocess.run([sys.executable, "-m", "samla_airflow.cli", "run", "--from", PERIOD, "--to", PERIOD],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"samla run exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return data


def _table(data: Path, name: str) -> pd.DataFrame:
    from transforms.publish.warehouse import read_table

    frame = read_table(f"sqlite:///{data / 'warehouse.db'}", name)
    frame = frame.drop(columns=[c for c in frame.columns if c in TIME_COLUMNS or c == "entry_no"])
    frame = frame.astype(object).where(frame.notna(), None)
    if "data_docs" in frame.columns:
        frame["data_docs"] = frame["data_docs"].map(lambda p: p if p is None else DOCS_RUN_TIME.sub("-<time>.html", p))
    return frame.sort_values(list(frame.columns), key=lambda s: s.astype(str)).reset_index(drop=True)


def test_celery_two_workers_run_ingest_and_publish(request, tmp_path):
    admin_connection().close()  # in the test body, so a missing server is a failure, not a set-up error
    _redis_reachable()
    procs, data, timings = request.getfixturevalue("celery_stack")
    tis = ingest_then_publish(procs, timings, period=None)  # the scheduled run, as in production

    # A task that never ran (the mapped "needs attention" task with nothing to show is skipped) has no host.
    hosts = {ti["task_id"]: ti["hostname"] for ti in tis if ti["state"] != "skipped"}
    source_hosts = {h for task, h in hosts.items() if task.startswith("ingest_")}
    assert source_hosts == set(WORKERS), f"source tasks ran on {sorted(source_hosts)}, expected both of {WORKERS}"
    assert set(hosts.values()) <= set(WORKERS), f"a task ran outside the Celery workers: {hosts}"
    for name in WORKERS:  # imported before the pool forks: every task process inherits it
        assert imports_pandas(procs.procs[f"worker-{name}"].pid), f"Celery worker {name} has not imported pandas"
    print_timings("celery e2e", timings)

    procs.stop()  # free the machine for the in-process run
    reference = _in_process_run(tmp_path)
    from transforms.publish.warehouse import metadata

    # Every published table and the restricted one; publication_log is the history of publications
    # (Asset events may start samla_publish more than once), not their content.
    names = sorted({*metadata.tables, "indicator_values_restricted"} - {"publication_log"})
    assert "indicator_values" in names
    for name in names:
        ours, theirs = _table(data, name), _table(reference, name)
        assert len(ours) > 0 or name == "quarantine_summary", f"{name}: empty after the Celery run"
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, obj=f"warehouse table {name}")
