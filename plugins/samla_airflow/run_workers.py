"""``samla run`` on several cores: worker processes, each running ``dag.test()`` for a share of the sources.

One process runs the real DAGs on one core (``airflow_runner.DagRunner``). With
more than one worker the command itself imports no Airflow and no GX. It starts
one template process, which imports Airflow, GX, pandas and the pipeline and
builds the in-process execution API once, and forks every worker from it: a
worker starts in milliseconds, and the memory those imports take is shared by
all workers (copy-on-write) instead of held once per worker. The workers stay
for every period. Each worker has a metadata database of its own (SQLite under
``AIRFLOW_HOME/run-workers/<n>/``): no two processes write one SQLite file.

A period with work for more than one worker runs in two steps:

1. every worker runs ``samla_ingest`` for its share (``sources: [...]``), with the
   run-wide tasks (unknown sources, the attention lists) marked successful instead
   of run (``dag.test``'s ``mark_success_pattern``) and the summary skipped (the
   conf's ``SHARE_OF_PERIOD``: the lists are mapped over its result, which a task
   marked successful would not have); all shares of the period get one run id, so their
   task failures are recorded side by side and the office gets one e-mail naming them all;
2. the first worker runs ``samla_ingest`` once more with the source tasks marked
   successful: the run-wide tasks then see every share's ledger records, once.

A period with work for one worker and an empty one run once, as in one process. The
publication runs in a worker forked afresh once the ingesting workers have ended: its
memory is then the publication's alone, not that of a long ingestion as well. Writing is safe across processes as across the scheduler's
parallel tasks: a source at a time (``locks.source_lock``), ledger records written
exclusively, the Data Docs index under its own lock.

Messages between the command and a worker are JSON lines over a socket of their
own (the worker's fds 1 and 2 go to the run's log while a DAG runs); the command
hands the template a worker's end of it with the request to fork (SCM_RIGHTS).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORKERS_ENV = "SAMLA_RUN_WORKERS"
# In a share's conf: the DAG's summary skips (the period's totals come from the run after every share).
SHARE_OF_PERIOD = "samla_share_of_period"
# About what one worker holds at its peak: Airflow, GX and the DAGs (benchmarks/README.md).
WORKER_MEMORY = 700 * 2**20
# The tasks a source share does not run: they read the whole period's ledger, so run once after every share
# (not the summary: the attention lists are mapped over its result, and a missing result fails the run;
# it skips in a share, SHARE_OF_PERIOD).
RUN_WIDE_TASKS = "unknown_sources|needs_attention|quarantined_rows"
READY = {"ready": True}  # the template's first message: everything imported, the home's configuration written
STOP_WAIT = 5.0  # seconds a worker has to end after SIGTERM before it is killed


class WorkerFailed(RuntimeError):
    """A worker ended without answering (crashed, killed): the command stops and says so."""


def worker_count(asked: int | None, with_work: int) -> int:
    """How many workers: ``--workers``, else SAMLA_RUN_WORKERS, else as many as cores and memory allow.

    1 is the one process of before; never more than sources with work. A metadata database set
    in the environment (a deployment's) is left alone: one process, as before.
    """
    if asked is None:
        text = os.environ.get(WORKERS_ENV, "").strip()
        asked = int(text) if text.isdigit() else None
    if asked is None:
        if os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
            return 1
        import psutil

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        asked = min(cores, max(1, psutil.virtual_memory().available // WORKER_MEMORY))
    return max(1, min(asked, with_work))


def shares(items: list[str], n: int, weight: Mapping[str, int] | None = None) -> list[list[str]]:
    """``items`` in ``n`` shares of about equal ``weight`` (the bytes waiting in each source's folder): the
    largest first, each to the lightest share so far. Without weights (or all equal) they are dealt in turn.
    Each share keeps the items' own order."""
    weight = weight or {}
    loads, parts = [0] * n, [list[str]() for _ in range(n)]
    position = {item: i for i, item in enumerate(items)}
    for item in sorted(items, key=lambda it: (-weight.get(it, 0), position[it])):
        lightest = min(range(n), key=lambda i: (loads[i], len(parts[i]), i))
        parts[lightest].append(item)
        loads[lightest] += weight.get(item, 0)
    return [sorted(part, key=position.__getitem__) for part in parts if part]


class Template:
    """The process every worker is forked from, and the socket the command asks it over."""

    def __init__(self, data_dir: Path, log_file: Path):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "samla_airflow.run_workers", "template", str(theirs.fileno()), str(data_dir),
                 str(log_file)], stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),))
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control = ours
        self._answer()  # READY: imported (or an error, said as one)

    def _answer(self) -> dict[str, Any]:
        message = _received(self.control)
        if not message:
            raise self.failed()
        return checked(json.loads(message))

    def failed(self) -> WorkerFailed:
        from transforms.messages import t

        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_WAIT)
        return WorkerFailed(t("run.worker_failed", n=0, code=self.process.returncode))

    def fork(self, index: int, channel: socket.socket) -> int:
        """A worker forked with ``channel`` as its end of the socket to the command; its pid."""
        home = Path(os.environ["AIRFLOW_HOME"]) / "run-workers" / str(index)
        home.mkdir(parents=True, exist_ok=True)
        request = {"fork": index, "db": f"sqlite:///{home / 'airflow.db'}"}
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], [channel.fileno()])
        except OSError:
            raise self.failed() from None
        return int(self._answer()["pid"])

    def exit_code(self, pid: int, wait: float = 0.0) -> int | None:
        """A worker's exit code once it has ended (as ``Popen.returncode``: -9 killed by SIGKILL), else None."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self.control.send(json.dumps({"code": pid}).encode())
                code = self._answer()["code"]
            except (OSError, WorkerFailed):
                return None
            if code is not None or time.monotonic() >= deadline:
                return code
            time.sleep(0.05)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.control.close()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _received(sock: socket.socket) -> bytes:
    """What ``sock`` holds now; b"" when the other end is gone (closed or reset)."""
    try:
        return sock.recv(1 << 16)
    except OSError:
        return b""


def checked(found: dict[str, Any]) -> dict[str, Any]:
    """An answer, or the error it carries raised as the command reports it."""
    if "error" in found:
        if found.get("errno") is not None:
            raise OSError(found["errno"], found["error"])
        raise RuntimeError(found["error"])
    return found


class Worker:
    """One worker process (forked by the template) and the command's end of its socket."""

    def __init__(self, index: int, template: Template):
        ours, theirs = socket.socketpair()
        try:
            self.pid = template.fork(index, theirs)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.index, self.template = index, template
        self.channel = ours
        self.answers = ours.fileno()
        self.buffer = b""  # read unbuffered by hand: a line left in a file object's buffer would never wake select

    def ask(self, request: dict[str, Any]) -> None:
        try:
            self.channel.sendall((json.dumps(request) + "\n").encode())
        except OSError:
            raise self.failed() from None

    def read(self) -> None:
        """What the socket holds now (after select said it holds something)."""
        chunk = _received(self.channel)
        if not chunk:
            raise self.failed()
        self.buffer += chunk

    def line(self) -> dict[str, Any] | None:
        """The next whole answer read, if any."""
        if b"\n" not in self.buffer:
            return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        return checked(json.loads(line))

    def failed(self) -> WorkerFailed:
        from transforms.messages import t

        code = self.template.exit_code(self.pid, wait=STOP_WAIT)
        return WorkerFailed(t("run.worker_failed", n=self.index + 1, code="?" if code is None else code))

    def stop(self) -> None:
        """Ask it to end (its socket closed); make it end."""
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.channel.close()
        if self.template.exit_code(self.pid, wait=STOP_WAIT) is None:
            for sent in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, sent)
                if self.template.exit_code(self.pid, wait=STOP_WAIT) is not None:
                    break


class WorkerPool:
    """The workers of one ``samla run``, started when first needed and kept to the end."""

    def __init__(self, size: int, data_dir: Path, log_file: Path):
        self.size, self.data_dir, self.log_file = size, data_dir, log_file
        self.workers: list[Worker] = []
        self.template: Template | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        if self.template is not None:
            self.template.stop()
            self.template = None

    def close(self, keep: int = 0) -> None:
        """End every worker but the first ``keep`` (a worker left idle holds its memory)."""
        for worker in self.workers[keep:]:
            worker.stop()
        del self.workers[keep:]

    def _started(self, n: int) -> list[Worker]:
        if self.template is None:
            self.template = Template(self.data_dir, self.log_file)
        while len(self.workers) < n:
            self.workers.append(Worker(len(self.workers), self.template))
        return self.workers[:n]

    def _all(self, requests: list[tuple[Worker, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Each request to its worker at once; their answers, in the same order; a failure at once."""
        for worker, request in requests:
            worker.ask(request)
        answers: dict[int, dict[str, Any]] = {}
        with selectors.DefaultSelector() as waiting:
            for worker, _ in requests:
                waiting.register(worker.answers, selectors.EVENT_READ, worker)
            while len(answers) < len(requests):
                for key, _ in waiting.select():
                    worker = key.data
                    worker.read()
                    found = worker.line()
                    if found is not None:
                        answers[worker.index] = found
                        waiting.unregister(worker.answers)
        return [answers[worker.index] for worker, _ in requests]

    def has_dag(self, dag_id: str) -> bool:
        (found,) = self._all([(self._started(1)[0], {"do": "has_dag", "dag": dag_id})])
        return bool(found["has"])

    def run(self, dag_id: str, conf: dict[str, Any]) -> dict[str, str]:
        """One DAG run in the first worker, as in one process."""
        (found,) = self._all([(self._started(1)[0], {"do": "run", "dag": dag_id, "conf": conf})])
        return found["states"]

    def run_afresh(self, dag_id: str, conf: dict[str, Any]) -> dict[str, str]:
        """One DAG run in a worker forked for it once every other worker has ended (the publication)."""
        self.close()
        return self.run(dag_id, conf)

    def run_shares(self, conf: dict[str, Any], parts: list[list[str]], source_tasks: Iterable[str]) -> dict[str, str]:
        """One period's ``samla_ingest`` over several workers (the two steps above); the merged states."""
        workers = self._started(len(parts))
        run_after = datetime.now(UTC)
        answers = self._all([(worker, {"do": "run", "dag": "samla_ingest",
                                       "conf": {**conf, "sources": part, SHARE_OF_PERIOD: True},
                                       "run_after": run_after.isoformat(), "mark_success": RUN_WIDE_TASKS,
                                       "keep_office_email": True})
                             for worker, part in zip(workers, parts, strict=True)])
        states = merged([answer["states"] for answer in answers])
        failed = [worker for worker, answer in zip(workers, answers, strict=True) if answer["states"]["_run"] == "failed"]
        if failed:  # the shares' failures are recorded under one run id: one e-mail names them all
            self._all([(failed[0], {"do": "office_email", "dag": "samla_ingest"})])
        tasks = set(source_tasks) | {"select_sources"}
        # A run id of its own (a microsecond on), or the first worker's database would find its first run.
        (rest,) = self._all([(workers[0], {"do": "run", "dag": "samla_ingest", "conf": conf,
                                           "run_after": (run_after + timedelta(microseconds=1)).isoformat(),
                                           "mark_success": "|".join(re.escape(task) for task in sorted(tasks))})])
        for task, state in rest["states"].items():
            if task not in tasks and task not in ("run_check", "_run"):
                states[task] = state
        if rest["states"]["_run"] == "failed":
            states["_run"] = "failed"
        return states


def merged(runs: list[dict[str, str]]) -> dict[str, str]:
    """Task states of one period's shares: a state that is neither success nor skipped wins, then success."""
    rank = {"skipped": 0, "success": 1}
    states: dict[str, str] = {}
    for run in runs:
        for task, state in run.items():
            if task not in states or rank.get(state, 2) > rank.get(states[task], 2):
                states[task] = state
    return states


# --- the worker process ------------------------------------------------------------------------


def _end_with_parent() -> None:
    """Linux: this process is killed when the command that started it dies, however it died."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the command ended before prctl
            os._exit(1)


def _serve(requests, answers, runner) -> None:
    for line in requests:
        request = json.loads(line)
        try:
            if request["do"] == "has_dag":
                found: dict[str, Any] = {"has": runner.has_dag(request["dag"])}
            elif request["do"] == "office_email":
                runner.send_office_email(request["dag"])
                found = {}
            else:
                run_after = datetime.fromisoformat(request["run_after"]) if request.get("run_after") else None
                found = {"states": runner.run(request["dag"], request["conf"], run_after=run_after,
                                              mark_success=request.get("mark_success"),
                                              keep_office_email=bool(request.get("keep_office_email")))}
        except OSError as exc:
            found = {"error": exc.strerror or type(exc).__name__, "errno": exc.errno}
        except Exception as exc:  # noqa: BLE001 - told to the command, which reports it as in one process
            found = {"error": str(exc) or type(exc).__name__}
        answers.write(json.dumps(found) + "\n")
        answers.flush()


def _preload(log_file: Path) -> None:
    """What every worker needs, imported and built once in the template (its output to the run's log)."""
    from samla_airflow.airflow_runner import output_to

    with output_to(log_file):
        import airflow  # noqa: F401 - writes a fresh home's configuration
        import great_expectations  # noqa: F401
        import pyarrow.parquet  # noqa: F401
        from airflow.dag_processing import dagbag  # noqa: F401
        from airflow.models.dagbag import DBDagBag  # noqa: F401
        from airflow.sdk.execution_time import supervisor, task_runner  # noqa: F401
        from airflow.utils import db  # noqa: F401

        import transforms.ingest.pipeline  # noqa: F401
        import transforms.publish.indicators  # noqa: F401

        # The in-process execution API every dag.test() task talks to: its app and versioned routes
        # (seconds of pydantic models) built here, its threads only when a worker first uses it.
        app = supervisor.in_process_api_server().app
        if not getattr(app, "_cadwyn_initialized", True):
            app._cadwyn_initialize()


def _worker(channel_fd: int, request: dict[str, Any], data_dir: Path, log_file: Path) -> int:
    """A forked worker: its own metadata database, then requests until the command closes its socket."""
    _end_with_parent()
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = request["db"]
    from airflow import settings

    settings.configure_vars()
    settings.reconfigure_orm()
    from samla_airflow.airflow_runner import DagRunner

    channel = socket.socket(fileno=channel_fd)
    with channel.makefile("r", encoding="utf-8") as requests, channel.makefile("w", encoding="utf-8") as answers:
        _serve(requests, answers, DagRunner(data_dir, log_file))
    return 0


def _template(control: socket.socket, data_dir: Path, log_file: Path) -> int:
    try:
        _preload(log_file)
    except Exception as exc:  # noqa: BLE001 - told to the command, which reports it
        control.send(json.dumps({"error": str(exc) or type(exc).__name__}).encode())
        return 1
    gc.freeze()  # what was imported stays out of the collector's way: its pages stay shared with the workers
    ended: dict[int, int] = {}
    control.send(json.dumps(READY).encode())
    while True:
        waiting = selectors.DefaultSelector()
        waiting.register(control, selectors.EVENT_READ)
        readable = waiting.select(timeout=0.2)
        waiting.close()
        with contextlib.suppress(ChildProcessError):
            while (found := os.waitpid(-1, os.WNOHANG))[0]:
                ended[found[0]] = os.waitstatus_to_exitcode(found[1])
        if not readable:
            continue
        message, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        if not message:  # the command closed its end: the run is over
            return 0
        request = json.loads(message)
        if "code" in request:
            control.send(json.dumps({"code": ended.get(request["code"])}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                control.close()
                code = _worker(fds[0], request, data_dir, log_file)
            finally:
                os._exit(code)
        os.close(fds[0])
        control.send(json.dumps({"pid": pid}).encode())


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle: it ends the workers
    _end_with_parent()
    if argv[:1] != ["template"]:
        raise SystemExit("usage: python -m samla_airflow.run_workers template CONTROL_FD DATA_DIR LOG_FILE")
    control_fd, data_dir, log_file = int(argv[1]), Path(argv[2]), Path(argv[3])
    with socket.socket(fileno=control_fd) as control:
        return _template(control, data_dir, log_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
