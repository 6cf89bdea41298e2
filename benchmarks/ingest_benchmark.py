"""Ingestion throughput and DAG parse cost, as ratios against a floor measured in the same run.

    uv run python benchmarks/ingest_benchmark.py [--rows 10000,100000] [--out data/benchmarks]

For each size N a synthetic attendance file (N distinct persons, one row each,
one month) and the matching participants snapshot are generated in a temporary
folder that is deleted at the end; the personnummer are synthetic with a valid
check digit and are written nowhere else. Every step is timed best of
``--repeat`` (default 3) and reported in seconds, rows/s and as a ratio to the
floor: ``pyarrow.csv.read_csv`` of the same file, the raw cost of reading the
bytes. The DAG files are each parsed in a fresh interpreter, against the floor
of importing ``airflow.sdk`` alone. GX's fixed cost per file is measured on
``--gx-files`` small frames of each dataset in this process, with GX's
frame-independent work kept across files and without (``gx_file_rows``).

Nothing here asserts a time: the figures go to stdout and to ``--out``
(CSV files and a Markdown table; see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import ast
import csv
import gc
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
sys.path.insert(0, str(ROOT / "tests" / "support"))  # deliveries.py: the synthetic personnummer builder

from deliveries import make_pnr  # noqa: E402

PERIOD = "2025-03"
MUNICIPALITY = "1489"
STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", flush=True)


# --- synthetic deliveries ------------------------------------------------------------------


def synthetic_people(n: int, seed: int) -> list[str]:
    """``n`` distinct synthetic 12-digit personnummer (ages 15-20 in the period)."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        birth = date(rng.randint(2005, 2009), rng.randint(1, 12), rng.randint(1, 28))
        out.add(make_pnr(birth, rng.randint(0, 999)))
    return sorted(out)


def write_files(folder: Path, n: int, bad_share: float, seed: int) -> tuple[Path, Path, int]:
    """participants_<period>.csv and attendance_<period>.csv; returns paths and the bad row count.

    Attendance rows balance (attended + absences = scheduled); ``bad_share`` of
    them attend more than scheduled, a row fault the GX suite finds.
    """
    rng = random.Random(seed)
    persons = synthetic_people(n, seed)
    bad = set(rng.sample(range(n), int(n * bad_share)))
    participants = folder / f"participants_{PERIOD}.csv"
    attendance = folder / f"attendance_{PERIOD}.csv"
    programmes, genders, tracks = ("IMA", "IMS", "IMV", "IMY"), ("female", "male", "K", "M"), ("none", "worklife")
    with participants.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["person_id", "programme", "gender", "entry_date", "exit_date", "exit_status",
                         "qualification", "track", "labour_status", "newly_arrived", "foreign_background",
                         "disability"])
        for pnr in persons:
            writer.writerow([pnr, rng.choice(programmes), rng.choice(genders),
                             f"2024-{rng.randint(9, 12):02d}-{rng.randint(1, 28):02d}", "", "", "",
                             rng.choice(tracks), "inactive", rng.choice("01"), rng.choice("01"), "no"])
    with attendance.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["person_id", "month", "scheduled_min", "attended_min", "absence_valid_min",
                         "absence_invalid_min"])
        for index, pnr in enumerate(persons):
            scheduled = rng.randrange(600, 2400, 30)
            valid = rng.randrange(0, scheduled // 4)
            invalid = rng.randrange(0, scheduled // 4)
            attended = scheduled - valid - invalid
            if index in bad:
                attended = scheduled + 60
            writer.writerow([pnr, PERIOD, scheduled, attended, valid, invalid])
    return participants, attendance, len(bad)


# --- timing ------------------------------------------------------------------------------


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[list[float], Any]:
    """Wall times of ``repeat`` calls (garbage collected before each) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def ingest_rows(n: int, repeat: int, bad_share: float, key: bytes) -> list[dict[str, Any]]:
    import pandas as pd
    import pyarrow.csv as pacsv

    from transforms.config.sources import parse_sources
    from transforms.ingest.file_context import FileContext
    from transforms.ingest.harmonise import harmonise, typed_frame
    from transforms.ingest.landing import sha256_of
    from transforms.ingest.parse import read_file
    from transforms.ingest.pipeline import evaluate_file, membership_faults
    from transforms.ingest.validate import parameters_for, validate

    rows: list[dict[str, Any]] = []

    def record(step: str, times: float | list[float], note: str = "") -> None:
        times = [times] if isinstance(times, float) else times
        runs = " ".join(f"{t:.3f}" for t in times)
        rows.append({"rows": n, "step": step, "seconds": min(times), "runs": runs, "note": note})
        progress(f"  N={n:>7,}  {step:<36} best {min(times):8.3f} s  (runs: {runs})  {note}")

    with tempfile.TemporaryDirectory(prefix="samla-bench-") as tmp:
        folder = Path(tmp)
        progress(f"N={n:,}: generating {n:,} synthetic persons, attendance and participants files")
        participants_path, path, bad = write_files(folder, n, bad_share, seed=n)
        size_mb = path.stat().st_size / 1e6
        progress(f"N={n:,}: attendance file {size_mb:.1f} MB, {bad} rows with a deliberate fault")

        config = parse_sources({"sources": [{"id": "bench", "name": "Benchmark", "municipalities": [MUNICIPALITY],
                                             "delivery": {"folder": "landing"}}]}, folder)
        source = config.get("bench")
        ctx = FileContext(source, "attendance", PERIOD, path.name, sha256_of(path))
        hints = ctx.config.format
        params = parameters_for(ctx.period_start, ctx.period_end, ctx.period, source.municipalities)

        # The participants snapshot: the real pipeline's accepted participants (timed once, for context).
        pctx = FileContext(source, "participants", PERIOD, participants_path.name, sha256_of(participants_path))
        start = time.perf_counter()
        presult = evaluate_file(participants_path, pctx, key, None)
        seconds = time.perf_counter() - start
        if presult.accepted is None or len(presult.accepted) != n:
            raise SystemExit(f"participants snapshot not accepted: {presult.status}: {presult.message}")
        snapshot = presult.accepted[["person", "kommunkod"]]
        record("participants evaluate_file (once)", seconds, "builds the snapshot; single run, not best of")

        progress(f"N={n:,}: floors")
        pacsv.read_csv(path)  # untimed: starts pyarrow's thread pool, so every ratio has a clean denominator
        times, _ = best_of(repeat, lambda: pacsv.read_csv(path))
        floor = min(times)
        record("floor: pyarrow.csv.read_csv", times)
        times, _ = best_of(repeat, lambda: pd.read_csv(path, dtype=str))
        record("pandas.read_csv(dtype=str)", times)

        progress(f"N={n:,}: pipeline steps")
        times, table = best_of(repeat, lambda: read_file(path, hints))
        record("parse.read_file", times)
        times, harmonised = best_of(repeat, lambda: harmonise(table, ctx, key))
        record("harmonise.harmonise (+ pseudonyms)", times)
        times, typed = best_of(repeat, lambda: typed_frame(harmonised.frame, "attendance"))
        record("harmonise.typed_frame", times)
        times, (gx_faults, _) = best_of(repeat, lambda: validate(typed, "attendance", params))
        record("validate.validate (GX)", times, f"{len(gx_faults)} row faults")
        times, member = best_of(repeat, lambda: membership_faults(typed, snapshot, False))
        record("ingest.membership_faults", times, f"{len(member)} row faults")
        steps = sum(r["seconds"] for r in rows if r["step"].startswith(("parse.", "harmonise.", "validate.",
                                                                          "ingest.membership")))
        record("sum of the five steps above", steps, "for comparison with the whole")
        times, result = best_of(repeat, lambda: evaluate_file(path, ctx, key, snapshot))
        if result.rows_read != n or result.rows_quarantined != bad:
            raise SystemExit(f"unexpected outcome for N={n}: {result.status}: {result.message}")
        record("ingest.evaluate_file (whole)", times, f"{result.status}, {result.rows_quarantined} quarantined")
    for row in rows:
        row["rows_per_s"] = n / row["seconds"]
        row["ratio_to_floor"] = row["seconds"] / floor
    return rows


# --- GX's fixed cost per file ------------------------------------------------------------


def gx_file_rows(files: int, repeat: int) -> list[dict[str, Any]]:
    """Seconds of ``validate`` per small file (138 rows), each dataset, GX's work kept across the files of
    the process and row conditions as masks (``gx_memo.PER_PROCESS``, ``ROW_MASKS``: "after") or not
    ("before": each file builds its graphs anew, as inside one run only), in one process.

    Each round validates the same ``files`` frames (tests/support/gx_frames.py: a period, municipalities
    and faulty rows of their own each) once per mode, modes interleaved, the store emptied before each
    sequence. "first" is the sequence's first file (an empty store), "steady" the median of the files
    after the first three (every period seen once); CPU seconds of this process (the machine is
    shared), best of ``repeat`` rounds; wall seconds beside them.
    """
    import pandas as pd  # noqa: F401  (imported before timing)
    from gx_frames import deliveries

    from transforms.ingest import gx_memo
    from transforms.ingest import validate as validate_module

    rows: list[dict[str, Any]] = []
    before = gx_memo.PER_PROCESS, gx_memo.ROW_MASKS
    try:
        for dataset in ("participants", "attendance", "survey", "activities"):
            sequence = list(deliveries(dataset, files))
            validate_module.validate(sequence[0][0], dataset, sequence[0][1], "warm-up")
            runs: dict[bool, list[tuple[list[float], list[float]]]] = {False: [], True: []}
            for _ in range(repeat):
                for kept in (False, True):
                    gx_memo.PER_PROCESS = gx_memo.ROW_MASKS = kept
                    gx_memo.forget()
                    gc.collect()
                    cpu, wall = [], []
                    for frame, parameters in sequence:
                        c, w = time.process_time(), time.perf_counter()
                        validate_module.validate(frame, dataset, parameters, "bench")
                        cpu.append(time.process_time() - c)
                        wall.append(time.perf_counter() - w)
                    runs[kept].append((cpu, wall))
            for kept in (False, True):
                first = min(cpu[0] for cpu, _ in runs[kept])
                steady = min(statistics.median(cpu[3:]) for cpu, _ in runs[kept])
                wall_steady = min(statistics.median(wall[3:]) for _, wall in runs[kept])
                rows.append({"dataset": dataset, "mode": "after (kept per process)" if kept else "before (per file)",
                             "first_s": first, "steady_s": steady, "steady_wall_s": wall_steady,
                             "kept": len(gx_memo._graphs) if kept else 0})
                progress(f"  GX per file  {dataset:<13} {rows[-1]['mode']:<25} first {first:.4f} s  "
                         f"steady {steady:.4f} s CPU ({wall_steady:.4f} s wall)")
            for row in rows[-2:]:
                row["steady_ratio"] = row["steady_s"] / rows[-2]["steady_s"]
    finally:
        gx_memo.PER_PROCESS, gx_memo.ROW_MASKS = before
    return rows


def gx_file_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(not measured: --gx-files 0)"
    lines = ["| dataset | GX work | first file, CPU s | steady, CPU s/file | × before | steady, wall s/file |",
             "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {r['dataset']} | {r['mode']} | {r['first_s']:.4f} | {r['steady_s']:.4f} | {r['steady_ratio']:.2f} | "
              f"{r['steady_wall_s']:.4f} |" for r in rows]
    return "\n".join(lines)


# --- DAG parse cost --------------------------------------------------------------------------

_PARSE = """
import runpy, sys, time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
runpy.run_path(sys.argv[1])
t2 = time.perf_counter()
print({"import": t1 - t0, "run_path": t2 - t1})
"""


def dag_parse_rows(repeat: int) -> list[dict[str, Any]]:
    """Each DAG file in a fresh interpreter, best of ``repeat``.

    Every interpreter times ``import airflow.sdk`` (the floor) and then
    ``runpy.run_path`` of one DAG file; the floor is the best import of all runs.
    """
    with tempfile.TemporaryDirectory(prefix="samla-bench-airflow-") as home:
        env = dict(os.environ)
        for name in ("SAMLA_SOURCES", "SAMLA_WAREHOUSE_URL", "SAMLA_PSEUDONYM_KEY", "SAMLA_DEMO"):
            env.pop(name, None)
        env.update({
            "AIRFLOW_HOME": home, "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False", "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "SAMLA_DATA_DIR": str(Path(home) / "data"),
        })

        def run(target: Path) -> dict[str, float]:
            out = subprocess.run([sys.executable, "-c", _PARSE, str(target)], capture_output=True, text=True,
                                 env=env, cwd=ROOT, timeout=300, check=True)
            return ast.literal_eval(out.stdout.strip().splitlines()[-1])

        runs: dict[str, list[dict[str, float]]] = {}
        for target in sorted(DAGS.glob("*.py")):
            runs[target.name] = []
            for attempt in range(repeat):
                runs[target.name].append(run(target))
                last = runs[target.name][-1]
                progress(f"  DAG parse {target.name:<20} run {attempt + 1}/{repeat}: import airflow.sdk "
                         f"{last['import']:.3f} s, run_path {last['run_path']:.3f} s")
    imports = [r["import"] for file_runs in runs.values() for r in file_runs]
    floor = min(imports)
    rows = [{"file": "floor: import airflow.sdk", "seconds": floor, "ratio_to_floor": 1.0,
             "runs": " ".join(f"{t:.3f}" for t in imports),
             "note": f"best of all {len(imports)} interpreters (median {statistics.median(imports):.3f} s)"}]
    for name, file_runs in runs.items():
        times = [r["run_path"] for r in file_runs]
        rows.append({"file": name, "seconds": min(times), "ratio_to_floor": min(times) / floor,
                     "runs": " ".join(f"{t:.3f}" for t in times),
                     "note": "runpy.run_path after import airflow.sdk, fresh interpreter"})
    return rows


# --- reporting -----------------------------------------------------------------------------


def bar(value: float, largest: float, width: int = 30) -> str:
    return "█" * max(1, round(width * value / largest)) if largest > 0 else ""


def ingest_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| rows | step | seconds | rows/s | × floor | |", "|---:|---|---:|---:|---:|---|"]
    for n in sorted({r["rows"] for r in rows}):
        group = [r for r in rows if r["rows"] == n]
        largest = max(r["seconds"] for r in group)
        for r in group:
            lines.append(f"| {n:,} | {r['step'].strip()} | {r['seconds']:.3f} | {r['rows_per_s']:,.0f} | "
                         f"{r['ratio_to_floor']:.1f} | {bar(r['seconds'], largest)} |")
    return "\n".join(lines)


def dag_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(not measured: --skip-dags)"
    largest = max(r["seconds"] for r in rows)
    lines = ["| DAG file | seconds | × floor | |", "|---|---:|---:|---|"]
    lines += [f"| {r['file']} | {r['seconds']:.3f} | {r['ratio_to_floor']:.2f} | {bar(r['seconds'], largest)} |"
              for r in rows]
    return "\n".join(lines)


def write_outputs(out: Path, ingest: list[dict[str, Any]], dags: list[dict[str, Any]], machine: str,
                  gx_files: list[dict[str, Any]] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "ingest_steps.csv", out / "dag_parse.csv", out / "ingest_benchmark.md", out / "gx_files.csv"]
    with paths[3].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["dataset", "mode", "first_s", "steady_s", "steady_ratio", "steady_wall_s",
                                         "kept"])
        writer.writeheader()
        writer.writerows({k: round(v, 5) if isinstance(v, float) else v for k, v in r.items()} for r in gx_files or [])
    with paths[0].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["rows", "step", "seconds", "rows_per_s", "ratio_to_floor", "runs", "note"])
        writer.writeheader()
        writer.writerows({**r, "seconds": round(r["seconds"], 4), "rows_per_s": round(r["rows_per_s"]),
                          "ratio_to_floor": round(r["ratio_to_floor"], 2)} for r in ingest)
    with paths[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["file", "seconds", "ratio_to_floor", "runs", "note"])
        writer.writeheader()
        writer.writerows({**r, "seconds": round(r["seconds"], 4), "ratio_to_floor": round(r["ratio_to_floor"], 3)}
                         for r in dags)
    paths[2].write_text(
        f"# Samla ingest benchmark\n\n{machine}\n\n"
        "Best-of timings; × floor = seconds / `pyarrow.csv.read_csv` of the same file "
        "(matplotlib is not installed, so the bars are text).\n\n"
        f"{ingest_table(ingest)}\n\n## GX per small file (138 rows), one process\n\n"
        f"{gx_file_table(gx_files or [])}\n\n## DAG parse (fresh interpreter per file)\n\n"
        "× floor = seconds / `import airflow.sdk` alone.\n\n"
        f"{dag_table(dags)}\n", encoding="utf-8")
    return paths


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def machine_line(load_at_start: str) -> str:
    import great_expectations
    import pandas
    import pyarrow

    return (f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} cores; Python {platform.python_version()}, pandas {pandas.__version__}, "
            f"pyarrow {pyarrow.__version__}, great_expectations {great_expectations.__version__}; "
            f"load average (1/5/15 min) {load_at_start} at start, {load()} at end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000", help="comma-separated file sizes (default 10000,100000)")
    parser.add_argument("--out", default="data/benchmarks", help="folder for the CSV and Markdown results")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step; the best counts (default 3)")
    parser.add_argument("--bad-share", type=float, default=0.01,
                        help="share of attendance rows with a deliberate row fault (default 0.01)")
    parser.add_argument("--skip-dags", action="store_true", help="do not measure the DAG parse cost")
    parser.add_argument("--gx-files", type=int, default=40,
                        help="small files per dataset for GX's cost per file (default 40; 0 skips)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.rows.split(",") if s.strip()]
    out = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out

    load_at_start = load()
    key = secrets.token_hex(32).encode()  # a throw-away pseudonym key: nothing is kept
    progress("importing pandas, pyarrow, GX and transforms")
    from transforms.ingest import validate as validate_module
    start = time.perf_counter()
    import great_expectations  # noqa: F401  (timed apart from the context it builds)

    gx_import = time.perf_counter() - start
    start = time.perf_counter()
    validate_module._validator()
    gx_setup = time.perf_counter() - start
    gx_line = (f"once per process, not in the table: import great_expectations {gx_import:.3f} s, "
               f"GX context and suites set-up {gx_setup:.3f} s")
    progress(gx_line)

    gx_files: list[dict[str, Any]] = []
    if args.gx_files:
        progress(f"GX per file: {args.gx_files} small files of each dataset, work kept per process or not")
        gx_files = gx_file_rows(args.gx_files, args.repeat)
    ingest: list[dict[str, Any]] = []
    for n in sizes:
        ingest += ingest_rows(n, args.repeat, args.bad_share, key)
    dags = []
    if not args.skip_dags:
        progress(f"DAG parse cost: each file in dags/ in {args.repeat} fresh interpreters")
        dags = dag_parse_rows(args.repeat)

    machine = machine_line(load_at_start)
    print(f"\n{machine}\n{gx_line}\n")
    print(ingest_table(ingest))
    print("\nGX per small file (138 rows), one process:\n")
    print(gx_file_table(gx_files))
    if dags:
        print("\nDAG parse, fresh interpreter per file:\n")
        print(dag_table(dags))
    paths = write_outputs(out, ingest, dags, f"{machine}\n\n{gx_line[0].upper() + gx_line[1:]}", gx_files)
    print("\nwritten: " + ", ".join(str(p) for p in paths))
    print(json.dumps({"total_seconds": round(time.perf_counter() - STARTED, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
