"""End to end: ``samla run`` over generated months, as ratios to an I/O floor measured in the same run.

    uv run python benchmarks/run_benchmark.py [--sizes fokus,x100,national] [--out data/benchmarks]
    make benchmark

For each size the sample generator writes the deliveries into a fresh data
folder (not timed), then ``samla run --from FIRST --to LAST`` runs in a child
process exactly as an operator would start it (real DAGs, SQLite warehouse,
demo key). Reported per size: wall time, rows read per second, the peak
memory of the whole process tree (sampled with psutil, children included) as
its PSS sum, the memory it holds, and as its RSS sum, which counts the pages
the workers share with their template once per process (``process_tree.py``),
the kernel's ``ru_maxrss`` of the run, the I/O floor (every delivered file read
with ``pyarrow.csv`` — ``python-calamine`` for workbooks — and written to
Parquet, in this process) and the run's ratio to it, the seconds per period
and the fixed cost of an empty month (two further periods without deliveries;
the second is the in-process figure). Then the DAG folder's parse time beyond
``import airflow.sdk`` with the size's sources file, in a fresh interpreter.

Nothing here is a test and nothing asserts a time; the figures go to stdout
and to ``--out`` (``run_benchmark.json`` and ``run_benchmark.md``). The data
folders are temporary and deleted (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import published_numbers  # noqa: E402  (this folder's own modules)
from process_tree import run_measured  # noqa: E402

STARTED = time.perf_counter()

# name -> how the generator is asked for it (see ``generate``)
SIZES = {
    "fokus": "Fokus IM as delivered: ten municipalities, nine sources, the demo's six months",
    "x100": "Fokus IM with 100 times the persons (about 50 000 pupils), six months",
    "national": "290 municipalities in 21 regions, one source each, about 40 000 pupils, 12 months",
}


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


@dataclass
class Generated:
    data_dir: Path
    sources_file: Path
    periods: list[str]
    files: list[tuple[Path, Any]]  # (path, FormatHints)


def generate(size: str, root: Path, months: int | None) -> Generated:
    """Deliveries of one size under ``root/data``; returns where they are and their formats."""
    from transforms.config.settings import DEFAULT_SOURCES
    from transforms.config.sources import load_sources
    from transforms.demo import scale
    from transforms.demo.generate import default_periods
    from transforms.demo.generate import generate as generate_deliveries
    from transforms.period import month_range

    data_dir = (root / "data").resolve()
    if size == "national":
        project = scale.project(**{**scale.NATIONAL, **({"months": months} if months else {})})
        sources_file, config, manifest = scale.deliver(project, data_dir)
    else:
        sources_file = Path(DEFAULT_SOURCES)
        config = load_sources(sources_file, data_dir)
        defaults = default_periods(config.project)
        first = defaults[0]
        last = _later(first, months - 1) if months else defaults[-1]
        manifest = generate_deliveries(config, data_dir, month_range(first, last),
                                       scale=100.0 if size == "x100" else 1.0)
    files = []
    for sid, paths in manifest["files"].items():
        source = config.get(sid)
        datasets = [d for _ in manifest["periods"] for d in ("participants", "attendance", "survey", "activities")]
        files += [(path, source.datasets[d].format) for path, d in zip(paths, datasets, strict=True)]
    return Generated(data_dir, sources_file, manifest["periods"], files)


def _later(period: str, months: int) -> str:
    from transforms.demo.population import shift
    from transforms.period import Period

    return str(shift(Period.parse(period), months))


# --- the I/O floor ---------------------------------------------------------------------------


def io_floor(files: list[tuple[Path, Any]], out: Path) -> dict[str, float]:
    """Read every delivered file (pyarrow.csv; calamine for xlsx) and write it as Parquet."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from python_calamine import CalamineWorkbook

    out.mkdir(parents=True, exist_ok=True)
    seconds = {"csv": 0.0, "xlsx": 0.0}
    rows = 0
    # One untimed pass over a file of each kind first: lazy imports and first-call set-up
    # are not the cost of reading bytes.
    warm = {fmt.kind == "xlsx": (path, fmt) for path, fmt in files}
    for i, (path, fmt) in [*enumerate(warm.values(), start=-len(warm)), *enumerate(files)]:
        start = time.perf_counter()
        header_row = fmt.header_row or 1
        if fmt.kind == "xlsx":
            book = CalamineWorkbook.from_path(str(path))
            sheet = (book.get_sheet_by_name(fmt.sheet) if isinstance(fmt.sheet, str)
                     else book.get_sheet_by_index(fmt.sheet or 0))
            cells = sheet.to_python()[header_row - 1:]
            header = [str(h) for h in cells[0]]
            table = pa.table({h: pa.array([str(r[j]) for r in cells[1:]]) for j, h in enumerate(header)})
            kind = "xlsx"
        else:
            data = path.read_bytes()
            encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else (fmt.encoding or "utf-8")
            read = pacsv.ReadOptions(encoding=encoding, skip_rows=header_row - 1, block_size=1 << 24)
            parse = pacsv.ParseOptions(delimiter=fmt.delimiter or ",")
            try:
                table = pacsv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse)
            except pa.ArrowInvalid:  # a column whose type the first block guessed wrong: all text
                names = pacsv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse,
                                       convert_options=pacsv.ConvertOptions(include_columns=[])).column_names
                table = pacsv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse,
                                       convert_options=pacsv.ConvertOptions(
                                           column_types={n: pa.string() for n in names}))
            kind = "csv"
        pq.write_table(table, out / f"{i}.parquet")
        if i >= 0:
            seconds[kind] += time.perf_counter() - start
            rows += table.num_rows
    return {"seconds": seconds["csv"] + seconds["xlsx"], "csv_seconds": seconds["csv"],
            "xlsx_seconds": seconds["xlsx"], "rows": rows, "files": len(files)}


# --- samla run in a child process ------------------------------------------------------------


def run_samla(args: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """``samla ARGS`` as a child process: wall time, peak RSS of its tree, per-period seconds."""
    # English progress lines: the figures below are read from them (SAMLA_LANGUAGE=sv is the default).
    run = run_measured([sys.executable, "-m", "samla_airflow.cli", *args], {**env, "SAMLA_LANGUAGE": "en"}, ROOT, log)
    text = log.read_text(errors="replace")
    periods = {m.group(1): float(m.group(2))
               for m in re.finditer(r"\] \d+/\d+ (\d{4}-\d{2}): .*\(([\d.]+) s\)$", text, re.M)}
    publication = re.search(r"publication: \w+ \(([\d.]+) s\)", text)
    return {"args": args, "exit": run.exit, "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb,
            "peak_at_s": run.peak_at_s, "ru_maxrss_mb": run.ru_maxrss_mb, "peak_pss_mb": run.peak_pss_mb,
            "peak_pss_at_s": run.peak_pss_at_s, "period_s": periods,
            "publication_s": float(publication.group(1)) if publication else None, "log": str(log)}


def rows_read(data_dir: Path) -> dict[str, int]:
    """Rows read per period (the ledger's ``rows_read``)."""
    from transforms.ingest.ledger import Ledger

    frame = Ledger(data_dir / "ledger").counted()
    if not len(frame):
        return {}
    return {str(k): int(v) for k, v in frame.groupby("period")["rows_read"].sum().items()}


# --- DAG folder parse ------------------------------------------------------------------------

_PARSE = """
import runpy, sys, time
from pathlib import Path
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
for dag_file in sorted(Path(sys.argv[1]).glob("*.py")):
    runpy.run_path(str(dag_file))
t2 = time.perf_counter()
print({"import": t1 - t0, "dags": t2 - t1})
"""


def dag_parse(env: dict[str, str], home: Path, repeat: int = 3) -> dict[str, float]:
    """The whole DAG folder beyond ``import airflow.sdk``, fresh interpreter, best of ``repeat``."""
    import ast

    env = {**env, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _PARSE, str(DAGS)], capture_output=True, text=True,
                             env=env, cwd=ROOT, timeout=600, check=True)
        runs.append(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    return {"import_airflow_sdk_s": min(r["import"] for r in runs), "dag_folder_s": min(r["dags"] for r in runs)}


# --- one size --------------------------------------------------------------------------------


def bench_size(size: str, root: Path, months: int | None, workers: int | None = None) -> dict[str, Any]:
    progress(f"{size}: generating the deliveries ({SIZES[size]})")
    start = time.perf_counter()
    generated = generate(size, root, months)
    generate_s = time.perf_counter() - start
    delivered = sum(p.stat().st_size for p, _ in generated.files)
    progress(f"{size}: {len(generated.files)} files, {delivered / 2**20:.1f} MiB in {generate_s:.0f} s")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW"))}
    env.update({"SAMLA_DATA_DIR": str(generated.data_dir), "SAMLA_SOURCES": str(generated.sources_file),
                "SAMLA_DEMO": "1", "AIRFLOW__CORE__PARALLELISM": "4"})
    if workers is not None:
        env["SAMLA_RUN_WORKERS"] = str(workers)

    progress(f"{size}: I/O floor (pyarrow.csv / calamine read + Parquet write)")
    floor = io_floor(generated.files, root / "floor")
    progress(f"{size}: floor {floor['seconds']:.2f} s for {floor['rows']} rows")

    first, last = generated.periods[0], generated.periods[-1]
    progress(f"{size}: samla run --from {first} --to {last}")
    run = run_samla(["run", "--from", first, "--to", last], env, root / "run.log")
    read_by_period = rows_read(generated.data_dir)
    read = sum(read_by_period.values())
    progress(f"{size}: exit {run['exit']}, {run['wall_s']:.1f} s wall, {read} rows read, "
             f"peak memory {run['peak_pss_mb']:.0f} MB (PSS sum; RSS sum {run['peak_rss_mb']:.0f} MB)")

    empty_first, empty_last = _later(last, 1), _later(last, 2)
    progress(f"{size}: two empty months {empty_first}..{empty_last}")
    empty = run_samla(["run", "--from", empty_first, "--to", empty_last, "--no-publish"], env,
                      root / "empty.log")

    published = published_numbers.fingerprint(generated.data_dir)

    progress(f"{size}: DAG folder parse with this sources file")
    parse = dag_parse(env, root / "parse-airflow")
    return {
        "size": size, "description": SIZES[size], "periods": f"{first}..{last}", "months": len(generated.periods),
        "workers": workers if workers is not None else "default",
        "files": len(generated.files), "delivered_mib": delivered / 2**20, "generate_s": generate_s,
        "rows_read": read, "rows_by_period": read_by_period, "run": run, "empty": empty, "floor": floor,
        "rows_per_s": read / run["wall_s"], "ratio_to_floor": run["wall_s"] / floor["seconds"],
        "empty_month_s": list(empty["period_s"].values())[-1] if empty["period_s"] else None,
        "parse": parse, "published": published,
    }


# --- report ----------------------------------------------------------------------------------


def machine_line(load_at_start: str) -> str:
    import pandas
    import pyarrow

    return (f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} cores, {_memory()}; Python {platform.python_version()}, pandas "
            f"{pandas.__version__}, pyarrow {pyarrow.__version__}; load average (1/5/15 min) "
            f"{load_at_start} at start, {_load()} at end")


def _memory() -> str:
    import psutil

    return f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def table(results: list[dict[str, Any]]) -> str:
    def cell(result: dict[str, Any], key: str) -> str:
        run, floor = result["run"], result["floor"]
        empty = result["empty_month_s"]
        values = {
            "months × files": f"{result['months']} × {result['files'] // result['months']}",
            "`samla run` workers": str(result.get("workers", "default")),
            "rows read": f"{result['rows_read']:,}",
            "delivered": f"{result['delivered_mib']:.1f} MiB",
            "`samla run` wall": f"{run['wall_s']:.1f} s (exit {run['exit']})",
            "seconds per month": ", ".join(f"{s:.1f}" for s in run["period_s"].values()),
            "publication": f"{run['publication_s']:.1f} s" if run["publication_s"] is not None else "–",
            "rows/s": f"{result['rows_per_s']:,.0f}",
            "**peak memory, process tree (PSS sum)**": f"{run['peak_pss_mb']:,.0f} MB at {run['peak_pss_at_s']:.0f} s",
            "peak RSS sum, process tree (shared pages once per process)":
                f"{run['peak_rss_mb']:,.0f} MB at {run['peak_at_s']:.0f} s",
            "ru_maxrss (largest process)": f"{run['ru_maxrss_mb']:,.0f} MB",
            "I/O floor (csv + xlsx)": f"{floor['seconds']:.2f} s ({floor['csv_seconds']:.2f} + "
                                      f"{floor['xlsx_seconds']:.2f})",
            "**× floor**": f"**{result['ratio_to_floor']:,.0f}×**",
            "empty month, in-process": f"{empty:.1f} s" if empty is not None else "–",
            "empty months, whole command": f"{result['empty']['wall_s']:.1f} s for 2",
            "DAG folder parse beyond `import airflow.sdk`": f"{result['parse']['dag_folder_s']:.3f} s "
                                                            f"(import {result['parse']['import_airflow_sdk_s']:.2f} s)",
        }
        return values[key]

    keys = ["months × files", "`samla run` workers", "rows read", "delivered", "`samla run` wall", "seconds per month", "publication",
            "rows/s", "**peak memory, process tree (PSS sum)**",
            "peak RSS sum, process tree (shared pages once per process)", "ru_maxrss (largest process)", "I/O floor (csv + xlsx)",
            "**× floor**", "empty month, in-process", "empty months, whole command",
            "DAG folder parse beyond `import airflow.sdk`"]
    lines = ["| | " + " | ".join(r["size"] for r in results) + " |",
             "|---|" + "---:|" * len(results)]
    lines += [f"| {k} | " + " | ".join(cell(r, k) for r in results) + " |" for k in keys]
    return "\n".join(lines)


def per_row(results: list[dict[str, Any]]) -> dict[str, float] | None:
    """The cost of a row of ingestion: what x100's months take beyond Fokus's, per extra row, against
    the same difference of the I/O floor (the target is in benchmarks/README.md).

    Only the months after the first count: the first also carries the process's start-up (GX's
    import, the first ``dag.test()``), which is the same for both sizes but varies by seconds from
    run to run. Publication is left out: its target is its own (linear in persons × periods).
    """
    by_size = {r["size"]: r for r in results}
    if not {"fokus", "x100"} <= by_size.keys() or min(by_size[s]["months"] for s in ("fokus", "x100")) < 2:
        return None

    def steady(result: dict[str, Any]) -> tuple[float, int]:
        periods = sorted(result["run"]["period_s"])[1:]
        return (sum(result["run"]["period_s"][p] for p in periods),
                sum(result["rows_by_period"].get(p, 0) for p in periods))

    (small_s, small_rows), (large_s, large_rows) = steady(by_size["fokus"]), steady(by_size["x100"])
    small, large = by_size["fokus"], by_size["x100"]
    floor_us = (large["floor"]["seconds"] - small["floor"]["seconds"]) / (large["rows_read"] - small["rows_read"]) * 1e6
    rows, ingest = large_rows - small_rows, large_s - small_s
    return {"months": len(large["run"]["period_s"]) - 1, "rows": rows, "ingest_s": ingest,
            "us_per_row": ingest / rows * 1e6, "floor_us_per_row": floor_us,
            "ratio": ingest / rows * 1e6 / floor_us}


def per_row_line(figures: dict[str, float] | None) -> str:
    if figures is None:
        return ""
    return (f"Per row of ingestion (x100 − fokus, months 2..{figures['months'] + 1}, without publication): "
            f"{figures['ingest_s']:.1f} s for {figures['rows']:,} more rows, {figures['us_per_row']:.1f} µs a row, "
            f"against the floor's {figures['floor_us_per_row']:.2f} µs a row: "
            f"**{figures['ratio']:.1f}×** (target ≤ 5×).\n")


# Each size's published tables as the code before the speed-ups published them (same generator, demo key):
# a faster Samla must publish exactly these. Rewritten only when a published number is meant to change.
BASELINE = Path(__file__).resolve().parent / "published_baseline.json"

# The performance targets: (size, months the figure needs, what, limit, unit).
GB_MIB = 1e9 / 2**20  # 1 GB in the MiB the figures are in


def targets(results: list[dict[str, Any]], rows: dict[str, float] | None) -> list[dict[str, Any]]:
    """Each target with the figure this run measured beside it (None: that size or month count was not run)."""
    by_size = {r["size"]: r for r in results}

    def run_of(size: str, months: int) -> dict[str, Any] | None:
        result = by_size.get(size)
        return result if result is not None and result["months"] == months else None

    found = []
    for size, months, label in (("national", 2, "national, two months"), ("x100", 6, "100 × Fokus, six months")):
        result = run_of(size, months)
        found.append({"target": f"{label}: end to end within {120 if size == 'national' else 45} s",
                      "limit": 120.0 if size == "national" else 45.0, "unit": "s",
                      "figure": result["run"]["wall_s"] if result else None})
        # The memory the tree holds: its PSS sum (process_tree.py says why not the RSS sum).
        found.append({"target": f"{label}: peak memory of the process tree (PSS) within 1 GB", "limit": GB_MIB,
                      "unit": "MiB", "figure": result["run"]["peak_pss_mb"] if result else None})
    fokus = by_size.get("fokus")
    steady = sorted(fokus["run"]["period_s"].items())[1:] if fokus else []
    found.append({"target": "Fokus: a month's ingest within 3 s in-process (the slowest month after the first)",
                  "limit": 3.0, "unit": "s", "figure": max(s for _, s in steady) if steady else None})
    found.append({"target": "per row of ingestion within 5 × the floor", "limit": 5.0, "unit": "×",
                  "figure": rows["ratio"] if rows else None})
    for entry in found:
        entry["met"] = None if entry["figure"] is None else entry["figure"] <= entry["limit"]
    return found


def targets_table(found: list[dict[str, Any]]) -> str:
    def shown(entry: dict[str, Any]) -> str:
        if entry["figure"] is None:
            return "not run at that size"
        return f"{entry['figure']:,.1f} {entry['unit']}" if entry["unit"] != "×" else f"{entry['figure']:.1f}×"

    lines = ["| target | this run | met |", "|---|---:|---|"]
    lines += [f"| {e['target']} | {shown(e)} | {'–' if e['met'] is None else 'yes' if e['met'] else '**no**'} |"
              for e in found]
    return "\n".join(lines)


def compared(results: list[dict[str, Any]], earlier: Path | None) -> str:
    """Each size's published tables against an earlier run of the same size and months (``--compare``)."""
    if earlier is None:
        return ""
    before = {(r["size"], r["months"]): r.get("published") for r in json.loads(earlier.read_text())["results"]}
    lines = [f"Published numbers against {earlier}:"]
    for result in results:
        theirs = before.get((result["size"], result["months"]))
        if not theirs:
            lines.append(f"* {result['size']}: no earlier run of {result['months']} months to compare with")
            continue
        diff = published_numbers.differences(result["published"], theirs)
        cells = result["published"].get("parquet:indicator_values", {}).get("rows", 0)
        lines.append(f"* {result['size']}: " + (f"all {len(theirs)} tables the same ({cells:,} published cells)"
                                                if not diff else "**differs**: " + "; ".join(diff)))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="fokus,x100,national",
                        help=f"comma-separated, of {', '.join(SIZES)} (default: all three)")
    parser.add_argument("--months", type=int, help="months of the Fokus sizes (default: 6, the targets' figure)")
    parser.add_argument("--national-months", type=int, default=2,
                        help="months of the national size (default: 2, the target's figure)")
    parser.add_argument("--out", default="data/benchmarks", help="folder for run_benchmark.json and .md")
    parser.add_argument("--keep", action="store_true", help="keep the generated data folders")
    parser.add_argument("--workers", type=int,
                        help="samla run's worker processes (default: as samla run chooses from cores and memory)")
    parser.add_argument("--compare", type=Path, default=BASELINE,
                        help="an earlier run_benchmark.json (default: the published tables of each size as "
                             "generated at the baseline commit, benchmarks/published_baseline.json)")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    out = Path(args.out) if Path(args.out).is_absolute() else ROOT / args.out
    load_at_start = _load()
    results = []
    for size in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"samla-bench-{size}-"))
        try:
            months = args.national_months if size == "national" else args.months
            results.append(bench_size(size, root, months, args.workers))
        finally:
            if args.keep:
                progress(f"{size}: kept {root}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    machine = machine_line(load_at_start)
    rows = per_row(results)
    goals = targets(results, rows)
    report = (f"{machine}\n\n{table(results)}\n\n{per_row_line(rows)}\nTargets:\n\n{targets_table(goals)}\n\n"
              f"{compared(results, args.compare)}")
    print(f"\n{report}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "run_benchmark.md").write_text(report, encoding="utf-8")
    (out / "run_benchmark.json").write_text(
        json.dumps({"machine": machine, "results": results, "per_row": rows, "targets": goals}, indent=1, default=str), encoding="utf-8")
    progress(f"written: {out / 'run_benchmark.md'}, {out / 'run_benchmark.json'}")
    return 0 if all(r["run"]["exit"] in (0, 1) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
