"""``samla run`` on several cores: worker processes, each running ``dag.test()`` for a share of the sources.

One process runs the real DAGs on one core (``airflow_runner.DagRunner``). With
more than one worker the command itself imports no Airflow and no GX; it
starts the workers once, and they stay for every period and the publication,
so each pays Airflow's and GX's imports and the first ``dag.test()``'s start-up
once. Each worker has a metadata database of its own (SQLite under
``AIRFLOW_HOME/run-workers/<n>/``): no two processes write one SQLite file.

A period with work for more than one worker runs in two steps:

1. every worker runs ``samla_ingest`` for its share (``sources: [...]``), with the
   run-wide tasks (unknown sources, the attention lists) marked successful instead
   of run (``dag.test``'s ``mark_success_pattern``; the summary runs, as the lists
   are mapped over its result); all shares of the period get one run id, so their
   task failures are recorded side by side and the office gets one e-mail naming them all;
2. the first worker runs ``samla_ingest`` once more with the source tasks marked
   successful: the run-wide tasks then see every share's ledger records, once.

A period with work for one worker, an empty one and the publication run once,
as in one process. Writing is safe across processes as across the scheduler's
parallel tasks: a source at a time (``locks.source_lock``), ledger records written
exclusively, the Data Docs index under its own lock.

Messages between the command and a worker are JSON lines: requests on the
worker's stdin, answers on a pipe of their own (the worker's fds 1 and 2 go to
the run's log while a DAG runs).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

WORKERS_ENV = "SAMLA_RUN_WORKERS"
# About what one worker holds at its peak: Airflow, GX and the DAGs (benchmarks/README.md).
WORKER_MEMORY = 700 * 2**20
# The tasks a source share does not run: they read the whole period's ledger, so run once after every share
# (not the summary: the attention lists are mapped over its result, and a missing result fails the run).
RUN_WIDE_TASKS = "unknown_sources|needs_attention|quarantined_rows"
READY = {"ready": True}  # a worker's first line: Airflow imported, its home's configuration written
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


class Worker:
    """One worker process and its two pipes."""

    def __init__(self, index: int, data_dir: Path, log_file: Path):
        home = Path(os.environ["AIRFLOW_HOME"]) / "run-workers" / str(index)
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}")
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "samla_airflow.run_workers", str(write_end), str(data_dir), str(log_file)],
                stdin=subprocess.PIPE, pass_fds=(write_end,), env=env, text=True)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self.index = index
        self.answers = read_end
        self.buffer = b""  # read unbuffered by hand: a line left in a file object's buffer would never wake select
        self.ready = False

    def ask(self, request: dict[str, Any]) -> None:
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self.failed() from None

    def read(self) -> None:
        """What the pipe holds now (after select said it holds something)."""
        chunk = os.read(self.answers, 1 << 16)
        if not chunk:
            raise self.failed()
        self.buffer += chunk

    def line(self) -> dict[str, Any] | None:
        """The next whole answer read, if any; the worker's "ready" is noted and passed over."""
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            found = json.loads(line)
            if found == READY:
                self.ready = True
            else:
                return self.checked(found)
        return None

    def checked(self, found: dict[str, Any]) -> dict[str, Any]:
        if "error" in found:
            if found.get("errno") is not None:
                raise OSError(found["errno"], found["error"])
            raise RuntimeError(found["error"])
        return found

    def wait_ready(self) -> None:
        while not self.ready:
            if self.line() is None and not self.ready:
                self.read()

    def failed(self) -> WorkerFailed:
        from transforms.messages import t

        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_WAIT)
        return WorkerFailed(t("run.worker_failed", n=self.index + 1, code=self.process.returncode))

    def stop(self) -> None:
        """Ask it to end; make it end."""
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self.answers)


class WorkerPool:
    """The workers of one ``samla run``, started when first needed and kept to the end."""

    def __init__(self, size: int, data_dir: Path, log_file: Path):
        self.size, self.data_dir, self.log_file = size, data_dir, log_file
        self.workers: list[Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self, keep: int = 0) -> None:
        """End every worker but the first ``keep`` (a worker left idle holds its memory)."""
        for worker in self.workers[keep:]:
            worker.stop()
        del self.workers[keep:]

    def _started(self, n: int) -> list[Worker]:
        while len(self.workers) < n:
            worker = Worker(len(self.workers), self.data_dir, self.log_file)
            self.workers.append(worker)
            # The first worker of a fresh Airflow home writes its configuration: the next starts after it.
            if len(self.workers) == 1:
                worker.wait_ready()
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

    def run_shares(self, conf: dict[str, Any], parts: list[list[str]], source_tasks: Iterable[str]) -> dict[str, str]:
        """One period's ``samla_ingest`` over several workers (the two steps above); the merged states."""
        workers = self._started(len(parts))
        run_after = datetime.now(UTC)
        answers = self._all([(worker, {"do": "run", "dag": "samla_ingest", "conf": {**conf, "sources": part},
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


def _serve(answers, runner) -> None:
    for line in sys.stdin:
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


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle: it ends the workers
    _end_with_parent()
    answer_fd, data_dir, log_file = int(argv[0]), Path(argv[1]), Path(argv[2])
    with os.fdopen(answer_fd, "w", encoding="utf-8") as answers:
        from samla_airflow.airflow_runner import DagRunner, output_to

        with output_to(log_file):
            import airflow  # noqa: F401 - writes a fresh home's configuration, before the next worker starts
        runner = DagRunner(data_dir, log_file)
        answers.write(json.dumps(READY) + "\n")
        answers.flush()
        _serve(answers, runner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
