"""The national ingestion under the real Airflow scheduler, per executor, against ``samla run``.

    uv run python benchmarks/scheduler_benchmark.py [--municipalities 290] [--months 2]
        [--configs local-2,local-4,celery-1,celery-2,samla-run] [--out data/benchmarks]
    make benchmark-scheduler [SCHED_ARGS="--municipalities 20 --months 1"]

The generated national project (``transforms/demo/scale.py``, 138 pupils per
municipality, one source each, planted faults) is written once into a
template folder (not timed); each configuration then gets a fresh copy of it,
a fresh PostgreSQL metadata database on the local server (127.0.0.1:5432,
trust; dropped afterwards) and a fresh AIRFLOW_HOME, and starts the
production stack with the code of ``make airflow`` (samla_airflow.local_airflow):
api-server, scheduler, dag-processor, triggerer, plus the Celery workers
(Redis 127.0.0.1:6379 as broker, a queue of the run's own; PostgreSQL as
result backend). Through the REST API: unpause both DAGs, trigger samla_ingest
once per month (conf period_from = period_to = the month), wait for each run,
then trigger samla_publish over every period, as ``samla run`` does.

The scheduler creates no runs by itself here
(``AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE=False``): samla_ingest's monthly
schedule would otherwise start a run taking every new delivery (both months)
as soon as a manual run ends, and the Asset-triggered publication would run
again and again while the 290 source tasks emit their Asset events, taking
a slot each time. Both would blur the per-month figures.

Reported per configuration: stack start (db migrate, healthy), wall time per
month (trigger to the run's end) and for publication, tasks per second, the
task instances' queued -> running delay (median, 95th percentile, max: the
scheduler's and executor's own latency; each configuration's parallelism is
its slot count, so no task waits queued for a slot), slot use (the task
instances' summed durations over wall time x slots), peak RSS of the whole
stack's process tree (psutil, every second: every component's session and
descendants, task processes included) and the load average while it ran. Then
the checks: the ledger has a counted record for every delivered file, with
rows read = accepted + quarantined, and the published warehouse tables exist
(indicator_values not empty). After each stack is stopped, no process that
was ever part of it may be left.

``samla-run`` is the same copy through ``samla run --from FIRST --to LAST``
(dag.test in one process, tasks one after another), as in run_benchmark.py.

Nothing here is a test and nothing asserts a time; the figures go to stdout
and to ``--out`` (``scheduler_benchmark.json`` and ``scheduler_benchmark.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_benchmark import ROOT, machine_line, progress, run_samla  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "support"))  # the tests' own PostgreSQL database helper
from airflow_stack import metadata_database  # noqa: E402

REDIS = ("127.0.0.1", 6379)
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
FINISHED = {"success", "failed"}
TERMINAL_TI = {"success", "skipped", "failed", "upstream_failed", "removed"}
RUN_TIMEOUT = 3600  # seconds for one DAG run; a national month under a busy machine takes minutes

# name -> how the stack runs. Two cores: one task slot per core for a worker (concurrency 2);
# the scheduler's parallelism equals the slots in all, so a queued task never waits for a slot.
CONFIGS: dict[str, dict[str, Any]] = {
    "local-2": {"executor": "LocalExecutor", "parallelism": 2},
    "local-4": {"executor": "LocalExecutor", "parallelism": 4},
    "celery-1": {"executor": "CeleryExecutor", "workers": 1, "concurrency": 2},
    "celery-2": {"executor": "CeleryExecutor", "workers": 2, "concurrency": 2},
    "samla-run": {"executor": "dag.test (samla run)"},
    # As local-2 and celery-1, with every task process importing pandas, pyarrow and GX itself
    # (no task preload, samla_airflow/task_preload.py): what the preload buys. Run only when named.
    "local-2-no-preload": {"executor": "LocalExecutor", "parallelism": 2, "task_preload": False},
    "celery-1-no-preload": {"executor": "CeleryExecutor", "workers": 1, "concurrency": 2, "task_preload": False},
}
DEFAULT_CONFIGS = ("local-2", "local-4", "celery-1", "celery-2", "samla-run")


# --- the deliveries ----------------------------------------------------------------------------


def generate(root: Path, municipalities: int, months: int) -> dict[str, Any]:
    """The national project (or a smaller one) with its deliveries under ``root``: the template."""
    from transforms.demo import scale

    regions = min(scale.NATIONAL["regions"], municipalities)
    project = scale.project(**{**scale.NATIONAL, "municipalities": municipalities, "regions": regions,
                               "months": months})
    sources_file, _config, manifest = scale.deliver(project, root)
    files = {sid: [Path(p) for p in paths] for sid, paths in manifest["files"].items()}
    return {"periods": list(manifest["periods"]), "files": files,
            "sources_file": sources_file.relative_to(root.resolve())}


def fresh_copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target.resolve()


def base_env(data: Path, sources_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SAMLA_", "PYTEST"))}
    env.update({"SAMLA_DATA_DIR": str(data), "SAMLA_SOURCES": str(sources_file), "SAMLA_DEMO": "1"})
    return env


# --- checks ------------------------------------------------------------------------------------


def check_ledger(data: Path, files: dict[str, list[Path]]) -> dict[str, Any]:
    """Every delivered file has a counted ledger record; rows read = accepted + quarantined."""
    from transforms.ingest.ledger import Ledger

    counted = Ledger(data / "ledger").counted()
    have = {(str(r.source), str(r.file_name)) for r in counted.itertuples()}
    delivered = {(sid, p.name) for sid, paths in files.items() for p in paths}
    missing = sorted(delivered - have)
    read, accepted, held = (int(counted[c].sum()) for c in ("rows_read", "rows_accepted", "rows_quarantined"))
    return {"delivered": len(delivered), "records": len(counted), "missing": [f"{s}/{n}" for s, n in missing[:10]],
            "missing_n": len(missing), "rows_read": read, "rows_accepted": accepted, "rows_quarantined": held,
            "rejected": int((counted["status"] == "rejected").sum()),
            "ok": not missing and read == accepted + held}


def check_warehouse(data: Path) -> dict[str, Any]:
    import sqlalchemy as sa

    from transforms.publish.warehouse import metadata

    engine = sa.create_engine(f"sqlite:///{data / 'warehouse.db'}")
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            values = conn.execute(sa.text("SELECT count(*) FROM indicator_values")).scalar() \
                if "indicator_values" in tables else 0
    finally:
        engine.dispose()
    missing = sorted(set(metadata.tables) - tables)
    return {"tables": len(tables), "missing": missing, "indicator_values": int(values or 0),
            "ok": not missing and bool(values)}


# --- the stack ---------------------------------------------------------------------------------


def redis_reachable() -> None:
    with socket.create_connection(REDIS, timeout=5) as sock:
        sock.sendall(b"PING\r\n")
        if not sock.recv(64).startswith(b"+PONG"):
            raise SystemExit(f"Redis at {REDIS[0]}:{REDIS[1]} did not answer PING")


class Sampler:
    """Every second: the RSS summed over a process set, the load average, and every process seen."""

    def __init__(self, members, interval: float = 1.0):
        self.members, self.interval = members, interval
        self.peak_bytes, self.peak_at = 0, 0.0
        self.loads: list[float] = []
        self.seen: dict[int, float] = {}  # pid -> create_time
        self._stop = threading.Event()
        self._start = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in self.members():
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
                    self.seen.setdefault(proc.pid, proc.create_time())
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_at = total, time.perf_counter() - self._start
            self.loads.append(os.getloadavg()[0])
            self._stop.wait(self.interval)

    def leftovers(self) -> list[str]:
        """Processes seen during the run that still live (the same pid and start time)."""
        import psutil

        alive = []
        for pid, created in self.seen.items():
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{pid} {' '.join(proc.cmdline())[:120]}")
        return alive

    def load(self) -> dict[str, float]:
        loads = self.loads or [os.getloadavg()[0]]
        return {"mean": statistics.fmean(loads), "max": max(loads)}


class Api:
    def __init__(self, procs):
        import httpx

        self.client = httpx.Client(base_url=f"{procs.base_url}/api/v2", timeout=120,
                                   headers={"Authorization": f"Bearer {procs.token()}"})

    def call(self, method: str, path: str, **kwargs) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        out: list[dict] = []
        while True:
            page = self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                             params={"limit": 100, "offset": len(out)})
            out += page["task_instances"]
            if not page["task_instances"] or len(out) >= page["total_entries"]:
                return out

    def wait_dags(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            errors = self.call("GET", "/importErrors")["import_errors"]
            if errors:
                raise RuntimeError("import errors: " + "; ".join(e["stack_trace"][-400:] for e in errors))
            have = {d["dag_id"] for d in self.call("GET", "/dags", params={"limit": 100})["dags"]}
            if {"samla_ingest", "samla_publish"} <= have:
                return
            time.sleep(1)
        raise RuntimeError("the DAGs did not appear in the API")

    def run(self, dag_id: str, conf: dict[str, Any]) -> dict[str, Any]:
        """Trigger ``dag_id``, wait for the run to end; its timings and task-instance figures."""
        t0 = time.perf_counter()
        run_id = self.call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})["dag_run_id"]
        deadline = time.monotonic() + RUN_TIMEOUT
        while (run := self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}"))["state"] not in FINISHED:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{dag_id} {run_id} still {run['state']} after {RUN_TIMEOUT} s")
            time.sleep(1)
        wall = time.perf_counter() - t0
        return {"run_id": run_id, "state": run["state"], "wall_s": wall,
                **task_figures(self.task_instances(dag_id, run_id), run)}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def refill_gaps(tis: list[dict], slots: int) -> list[float]:
    """For each source task started after the first ``slots`` of them: seconds since the last task
    instance ended before it started. The sources wait for a slot then, so this is how long a freed
    slot stays empty: the scheduler's and executor's own delay, whatever the queued times say."""
    spans = [(_time(t["start_date"]), _time(t["end_date"]), t["task_id"]) for t in tis
             if t.get("start_date") and t.get("end_date")]
    ends = sorted(end for _, end, _ in spans)
    sources = sorted((start for start, _, task in spans if task.startswith("ingest_")))[slots:]
    gaps = []
    for start in sources:
        before = [end for end in ends if end <= start]
        if before:
            gaps.append((start - before[-1]).total_seconds())
    return gaps


def task_figures(tis: list[dict], run: dict) -> dict[str, Any]:
    """Queued -> running delays, summed task time and states of a run's task instances."""
    delays, durations, states = [], [], {}
    for ti in tis:
        states[ti["state"]] = states.get(ti["state"], 0) + 1
        queued, started = _time(ti.get("queued_when")), _time(ti.get("start_date"))
        if queued and started:
            delays.append((started - queued).total_seconds())
        if ti.get("duration"):
            durations.append(float(ti["duration"]))
    start, end = _time(run.get("start_date")), _time(run.get("end_date"))
    run_s = (end - start).total_seconds() if start and end else None
    ingest = [float(t["duration"]) for t in tis if t["task_id"].startswith("ingest_") and t.get("duration")]
    keep = ("task_id", "map_index", "state", "hostname", "scheduled_when", "queued_when", "start_date", "end_date",
            "duration", "try_number")
    return {"run_s": run_s, "task_instances": len(tis), "states": states,
            "run": {k: run.get(k) for k in ("queued_at", "start_date", "end_date")},
            "tis": [{k: ti.get(k) for k in keep} for ti in tis],
            "queued_to_running_s": {"median": statistics.median(delays) if delays else 0.0,
                                    "p95": _percentile(delays, 0.95), "max": max(delays, default=0.0)},
            "task_seconds": sum(durations),
            "source_task_s": {"median": statistics.median(ingest) if ingest else 0.0,
                              "max": max(ingest, default=0.0)}}


def stack_env(name: str, config: dict[str, Any], data: Path, sources_file: Path, home: Path, port: int,
              database: str, queue: str) -> dict[str, str]:
    from samla_airflow.local_airflow import airflow_env

    base = base_env(data, sources_file)
    base["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"{PG}/{database}"
    env = airflow_env(data, port=port, home=home, base=base)  # also the psycopg async URL
    slots = config.get("parallelism") or config["workers"] * config["concurrency"]
    env.update({
        "AIRFLOW__CORE__EXECUTOR": config["executor"],
        "AIRFLOW__CORE__PARALLELISM": str(slots),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs triggered here (module docstring)
        # A task's calls to the execution API time out after 5 s by default: too short on a busy machine.
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
    })
    if not config.get("task_preload", True):
        from samla_airflow.task_preload import SCHEDULER_ENV

        for name in [*SCHEDULER_ENV, "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"]:
            env.pop(name, None)
    if config["executor"] == "CeleryExecutor":
        env.update({
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{PG}/{database}",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(config["concurrency"]),
        })
    return env


def bench_stack(name: str, config: dict[str, Any], data: Path, sources_file: Path, root: Path,
                periods: list[str]) -> dict[str, Any]:
    from samla_airflow.local_airflow import COMPONENTS, AirflowProcesses, free_port

    port = free_port()
    queue = f"samla_bench_{secrets.token_hex(4)}"  # other users of the same Redis never take our tasks
    result: dict[str, Any] = {"config": name, **config}
    with metadata_database() as database:
        env = stack_env(name, config, data, sources_file, root / "airflow", port, database, queue)
        procs = AirflowProcesses(Path(env["AIRFLOW_HOME"]), env, port=port, components=COMPONENTS)
        sampler = Sampler(procs._members)
        try:
            t0 = time.perf_counter()
            procs.migrate()
            result["migrate_s"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            with sampler:
                procs.start()
                procs.wait_healthy(300)
                workers = [procs.start_celery_worker(f"bench-{i}-{queue}", queues=queue,
                                                     concurrency=config["concurrency"])
                           for i in range(config.get("workers", 0))]
                for component in workers:
                    procs.wait_worker_ready(component, timeout=300)
                api = Api(procs)
                api.wait_dags()
                result["healthy_s"] = time.perf_counter() - t0
                progress(f"{name}: stack up in {result['healthy_s']:.0f} s (migrate {result['migrate_s']:.0f} s)")
                for dag_id in ("samla_ingest", "samla_publish"):
                    api.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
                result["months"] = {}
                for period in periods:
                    month = api.run("samla_ingest", {"period_from": period, "period_to": period})
                    result["months"][period] = month
                    progress(f"{name}: {period} {month['state']} in {month['wall_s']:.1f} s, "
                             f"{month['task_instances']} task instances, queued->running median "
                             f"{month['queued_to_running_s']['median']:.2f} s")
                publication = api.run("samla_publish", {"period_from": None, "period_to": None})
                result["publication"] = publication
                progress(f"{name}: publication {publication['state']} in {publication['wall_s']:.1f} s")
        except Exception as exc:  # reported in the table; the stack is stopped below either way
            result["error"] = f"{type(exc).__name__}: {exc}"[:2000]
            progress(f"{name}: FAILED {result['error'][:300]}")
        finally:
            t0 = time.perf_counter()
            procs.stop()
            result["stop_s"] = time.perf_counter() - t0
        time.sleep(1)
        result["leftover_processes"] = sampler.leftovers()
    result["peak_rss_mb"] = sampler.peak_bytes / 2**20
    result["peak_at_s"] = sampler.peak_at
    result["load"] = sampler.load()
    result["slots"] = config.get("parallelism") or config["workers"] * config["concurrency"]
    return result


def bench_samla_run(data: Path, sources_file: Path, root: Path, periods: list[str]) -> dict[str, Any]:
    env = {**base_env(data, sources_file), "AIRFLOW__CORE__PARALLELISM": "4"}
    load: list[float] = []
    done = threading.Event()

    def sample_load() -> None:
        while not done.wait(1.0):
            load.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample_load, daemon=True)
    sampler.start()
    try:
        run = run_samla(["run", "--from", periods[0], "--to", periods[-1]], env, root / "run.log")
    finally:
        done.set()
        sampler.join()
    load = load or [os.getloadavg()[0]]
    return {"config": "samla-run", **CONFIGS["samla-run"], "slots": 1, "run": run,
            "months": {p: {"wall_s": s} for p, s in run["period_s"].items()},
            "publication": {"wall_s": run["publication_s"]} if run["publication_s"] is not None else None,
            "peak_rss_mb": run["peak_rss_mb"], "peak_at_s": run["peak_at_s"],
            "load": {"mean": statistics.fmean(load), "max": max(load)}, "leftover_processes": [],
            **({"error": f"samla run exited {run['exit']} (log {run['log']})"} if run["exit"] not in (0, 1) else {})}


# --- report ------------------------------------------------------------------------------------


def table(results: list[dict[str, Any]], periods: list[str]) -> str:
    def cell(r: dict[str, Any], key: str) -> str:
        months = r.get("months") or {}
        ingest_s = sum(m["wall_s"] for m in months.values())
        tis = sum(m.get("task_instances", 0) for m in months.values())
        pub = r.get("publication") or {}
        if key == "executor, slots":
            how = r["executor"]
            if r.get("workers"):
                how += f", {r['workers']} worker(s) × concurrency {r['concurrency']}"
            return f"{how}; {r['slots']} slot(s)" if r["config"] != "samla-run" else "in-process, tasks in turn"
        if key == "stack up (migrate + healthy)":
            return f"{r['migrate_s']:.0f} + {r['healthy_s']:.0f} s" if "healthy_s" in r else "–"
        if key == "seconds per month":
            return ", ".join(f"{months[p]['wall_s']:.1f}" for p in periods if p in months) or "–"
        if key == "publication":
            return f"{pub['wall_s']:.1f} s" if pub.get("wall_s") is not None else "–"
        if key == "months + publication":
            return f"{ingest_s + (pub.get('wall_s') or 0):.1f} s" if months else "–"
        if key == "tasks/s (ingestion)":
            return f"{tis / ingest_s:.2f}" if tis and ingest_s else "–"
        if key == "queued → running, median / p95 / max":
            q = [m["queued_to_running_s"] for m in months.values() if "queued_to_running_s" in m]
            if not q:
                return "–"
            return (f"{statistics.median(x['median'] for x in q):.2f} / {max(x['p95'] for x in q):.1f} / "
                    f"{max(x['max'] for x in q):.1f} s")
        if key == "slot refill gap (a task's end → the next start), median / p95":
            gaps = [g for m in months.values() for g in refill_gaps(m.get("tis") or [], r["slots"])]
            return f"{statistics.median(gaps):.1f} / {_percentile(gaps, 0.95):.1f} s" if gaps else "–"
        if key == "source task, median":
            s = [m["source_task_s"]["median"] for m in months.values() if "source_task_s" in m]
            return f"{statistics.median(s):.1f} s" if s else "–"
        if key == "slot use (Σ task time / wall × slots)":
            used = sum(m.get("task_seconds", 0.0) for m in months.values())
            return f"{used / (ingest_s * r['slots']):.0%}" if used and ingest_s else "–"
        if key == "peak RSS, whole tree":
            return f"{r['peak_rss_mb']:,.0f} MB"
        if key == "load average (1 min), mean / max":
            return f"{r['load']['mean']:.1f} / {r['load']['max']:.1f}"
        if key == "checks (ledger, warehouse, no leftovers)":
            if r.get("error"):
                return f"**error**: {r['error'][:120]}"
            led, wh = r.get("ledger") or {}, r.get("warehouse") or {}
            return (f"{'ok' if led.get('ok') else 'FAIL'} ({led.get('records')}/{led.get('delivered')} files), "
                    f"{'ok' if wh.get('ok') else 'FAIL'}, "
                    f"{'ok' if not r['leftover_processes'] else str(len(r['leftover_processes'])) + ' left'}")
        raise KeyError(key)

    keys = ["executor, slots", "stack up (migrate + healthy)", "seconds per month", "publication",
            "months + publication", "tasks/s (ingestion)", "queued → running, median / p95 / max",
            "slot refill gap (a task's end → the next start), median / p95", "source task, median", "slot use (Σ task time / wall × slots)", "peak RSS, whole tree",
            "load average (1 min), mean / max", "checks (ledger, warehouse, no leftovers)"]
    lines = ["| | " + " | ".join(r["config"] for r in results) + " |", "|---|" + "---:|" * len(results)]
    lines += [f"| {k} | " + " | ".join(cell(r, k) for r in results) + " |" for k in keys]
    return "\n".join(lines)


def ratios(results: list[dict[str, Any]]) -> str:
    """Months' wall time of each configuration against local-2, celery-2 against celery-1."""
    def ingest(name: str) -> float | None:
        r = next((x for x in results if x["config"] == name and not x.get("error")), None)
        return sum(m["wall_s"] for m in r["months"].values()) if r and r.get("months") else None

    lines = []
    for a, b in (("celery-1", "celery-2"), ("local-2", "local-4"), ("local-2", "celery-1"),
                 ("samla-run", "local-2"), ("samla-run", "celery-2"),
                 ("local-2-no-preload", "local-2"), ("celery-1-no-preload", "celery-1")):
        x, y = ingest(a), ingest(b)
        if x and y:
            lines.append(f"* months' wall time {b} / {a}: **{y / x:.2f}** ({a} {x:.0f} s, {b} {y:.0f} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=290, help="sources (one per municipality)")
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--out", default="data/benchmarks", help="folder for scheduler_benchmark.json and .md")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    parser.add_argument("--report", type=Path, help="only print the table of a saved scheduler_benchmark.json")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        periods = sorted({p for r in saved["results"] for p in r.get("months") or {}})
        print(f"{saved['machine']}\n\n{saved['size']}, {saved['files']} files\n\n{table(saved['results'], periods)}"
              f"\n\n{ratios(saved['results'])}")
        return 0
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    if unknown := [c for c in names if c not in CONFIGS]:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}: choose from {', '.join(CONFIGS)}")
    if any(CONFIGS[c]["executor"] == "CeleryExecutor" for c in names):
        redis_reachable()
    out = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out
    load_at_start = "/".join(f"{x:.1f}" for x in os.getloadavg())
    root = Path(tempfile.mkdtemp(prefix="samla-sched-bench-"))
    results = []
    try:
        progress(f"generating {args.municipalities} municipalities × {args.months} month(s)")
        t0 = time.perf_counter()
        generated = generate(root / "template", args.municipalities, args.months)
        periods = generated["periods"]
        n_files = sum(len(v) for v in generated["files"].values())
        progress(f"{n_files} files for {periods[0]}..{periods[-1]} in {time.perf_counter() - t0:.0f} s")
        for name in names:
            work = root / name
            data = fresh_copy(root / "template", work / "data")
            sources_file = data / generated["sources_file"]
            progress(f"{name}: start (load average {os.getloadavg()[0]:.1f})")
            if name == "samla-run":
                result = bench_samla_run(data, sources_file, work, periods)
            else:
                result = bench_stack(name, CONFIGS[name], data, sources_file, work, periods)
            result["ledger"] = check_ledger(data, generated["files"])
            with contextlib.suppress(Exception):
                result["warehouse"] = check_warehouse(data)
            results.append(result)
            out.mkdir(parents=True, exist_ok=True)  # after each configuration: a cut-off run keeps its figures
            (out / "scheduler_benchmark.partial.json").write_text(
                json.dumps({"periods": periods, "results": results}, indent=1, default=str), encoding="utf-8")
            progress(f"{name}: ledger {result['ledger']}, warehouse {result.get('warehouse')}, "
                     f"leftover processes {len(result['leftover_processes'])}")
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if args.keep:
            progress(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    machine = machine_line(load_at_start)
    size = f"{args.municipalities} municipalities (one source each), {len(periods)} month(s) {periods[0]}..{periods[-1]}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scheduler_benchmark.json").write_text(  # first: the figures survive a fault in the table below
        json.dumps({"machine": machine, "size": size, "files": n_files, "results": results}, indent=1, default=str),
        encoding="utf-8")
    report = f"{machine}\n\n{size}, {n_files} files\n\n{table(results, periods)}\n\n{ratios(results)}\n"
    print(f"\n{report}")
    (out / "scheduler_benchmark.md").write_text(report, encoding="utf-8")
    progress(f"written: {out / 'scheduler_benchmark.md'}, {out / 'scheduler_benchmark.json'}")
    return 0 if all(not r.get("error") and r["ledger"]["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
