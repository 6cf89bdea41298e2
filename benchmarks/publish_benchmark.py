"""Publication alone: seconds and peak memory of publishing an ingested data folder, for one or more
versions of the code, interleaved in one run, and whether they publish the same.

    uv run python benchmarks/publish_benchmark.py --data DIR [--sources FILE] \
        [--variant before=/path/to/old/checkout] [--variant after=.] [--repeat 2] [--mode inproc|run] \
        [--out DIR] [--profile]

``--data`` is a data folder that ``samla run --no-publish`` has ingested (never changed here: every
measurement works on a fresh copy, its warehouse, published files and reports removed, so each
publishes every period from nothing). A variant is a checkout whose ``transforms`` and
``plugins/samla_airflow`` are put first on the child's ``PYTHONPATH`` (``.``: this checkout).

``--mode inproc`` (default): a child process runs the publication DAG's two task functions
(``publish_indicators``, ``export_published_files``) one after the other, as its tasks do; ``--mode
run``: ``samla run`` over the month after the ingested ones (nothing new to ingest), so publication
runs inside the real DAG run. Reported per variant, best of ``--repeat``: seconds of each step (or of
the command's publication line), peak RSS of the child's process tree (psutil, every 0.05 s) and its
``ru_maxrss``. Then the outputs of the last repeat of each variant are compared with the first
variant's, row by row: every warehouse table (and the restricted file), every published Parquet file,
the fund report cell by cell (values and types; times of day masked) and the HTML report.
``--profile`` adds a cProfile of each step and tracemalloc's peak to the in-process child's output.

Nothing here asserts a time; the figures go to stdout and ``--out/publish_benchmark.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from process_tree import run_measured  # noqa: E402  (this folder's own module)

ROOT = Path(__file__).resolve().parent.parent
STARTED = time.perf_counter()

_CHILD = r"""
import json, os, sys, time
profile = os.environ.get("PUBLISH_PROFILE") == "1"
out = {}
if profile:
    import cProfile, io, pstats, tracemalloc
    tracemalloc.start()
import psutil
me = psutil.Process()
from samla_airflow import publication
for name, call in (("publish", lambda: publication.publish_indicators(None)),
                   ("export", publication.export_published_files)):
    t0 = time.perf_counter()
    if profile:
        prof = cProfile.Profile()
        prof.enable()
    call()
    out[name + "_s"] = time.perf_counter() - t0
    out[name + "_rss_mb"] = me.memory_info().rss / 2**20
    if profile:
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(45)
        out[name + "_profile"] = text.getvalue()
        out[name + "_traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.reset_peak()
print("RESULT " + json.dumps(out))
"""


# ``--report-only``: the fund report alone, from a synthetic published table of every area of the
# project (the tests' generator), in a child with the variant's code.
_REPORT_CHILD = r"""
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
sys.path.append(".")  # the variant's tests, for their generator
from tests.publish.test_fund_report import published, status
from transforms.publish.fund_report import write_fund_report
from transforms.publish.warehouse import areas_frame, indicators_dimension
periods = sys.argv[1].split(",")
iv = published(periods)
t0 = time.perf_counter()
write_fund_report(Path(sys.argv[2]), indicator_values=iv, source_status=status(periods), areas=areas_frame(),
                  indicators=indicators_dimension(), periods=periods, generated_at=datetime(2025, 4, 2, 6, tzinfo=UTC))
print("RESULT " + json.dumps({"report_s": time.perf_counter() - t0, "cells": len(iv)}))
"""


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def fresh_copy(data: Path, target: Path) -> Path:
    """``data`` copied to ``target``, without anything publication writes."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(data, target, symlinks=True)
    for name in ("warehouse.db", "warehouse_restricted.db", "warehouse.db-wal", "warehouse.db-shm"):
        (target / name).unlink(missing_ok=True)
    for folder in ("published", "reports"):
        shutil.rmtree(target / folder, ignore_errors=True)
    return target


def _later(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def last_period(data: Path) -> str:
    periods = [p.name.split("=")[-1] for p in (data / "curated").rglob("*") if re.fullmatch(r"(period=)?\d{4}-\d{2}",
                                                                                         p.name)]
    return max(periods)


def measure(argv: list[str], env: dict[str, str], log: Path, code: Path) -> dict[str, Any]:
    # In the variant's folder: ``-c`` and ``-m`` put it first on sys.path.
    run = run_measured(argv, env, code, log, interval=0.05)
    text = log.read_text(errors="replace")
    result: dict[str, Any] = {"exit": run.exit, "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb,
                              "peak_at_s": run.peak_at_s, "ru_maxrss_mb": run.ru_maxrss_mb}
    found = re.search(r"^RESULT (.*)$", text, re.M)
    if found:
        result.update(json.loads(found.group(1)))
    publication = re.search(r"publication: \w+ \(([\d.]+) s\)", text)
    if publication:
        result["publish_s"] = float(publication.group(1))
    return result


def run_variant(name: str, code: Path, data: Path, sources: Path, scratch: Path, mode: str,
                profile: bool) -> dict[str, Any]:
    copy = fresh_copy(data, scratch / f"data-{name}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW", "PYTHONPATH"))}
    env.update({"SAMLA_DATA_DIR": str(copy), "SAMLA_SOURCES": str(sources), "SAMLA_DEMO": "1",
                "SAMLA_LANGUAGE": "en", "AIRFLOW__CORE__PARALLELISM": "4",
                "PYTHONPATH": f"{code}{os.pathsep}{code / 'plugins'}"})
    if profile:
        env["PUBLISH_PROFILE"] = "1"
    if mode == "inproc":
        argv = [sys.executable, "-c", _CHILD]
    else:
        month = _later(last_period(data))
        argv = [sys.executable, "-m", "samla_airflow.cli", "run", "--from", month, "--to", month]
    result = measure(argv, env, scratch / f"{name}.log", code)
    result["data"] = str(copy)
    return result


def run_report(name: str, code: Path, sources: Path, periods: str, scratch: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW", "PYTHONPATH"))}
    env.update({"SAMLA_SOURCES": str(sources), "SAMLA_DATA_DIR": str(scratch / "report-data"),
                "PYTHONPATH": f"{code}{os.pathsep}{code / 'plugins'}"})
    return measure([sys.executable, "-c", _REPORT_CHILD, periods, str(scratch / f"report-{name}.xlsx")], env,
                   scratch / f"report-{name}.log", code)


# --- comparing what two variants published ---------------------------------------------------

_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z| UTC)?")
_VOLATILE = {"publication_log": {"published_at"}}


def _rows(frame) -> list[tuple]:
    return [tuple(None if _missing(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


def _missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def compare_sqlite(a: Path, b: Path) -> list[str]:
    import sqlite3

    problems = []
    with contextlib.closing(sqlite3.connect(a)) as ca, contextlib.closing(sqlite3.connect(b)) as cb:
        def tables(conn) -> list[str]:
            return sorted(r[0] for r in conn.execute("select name from sqlite_master where type in ('table','view')"))

        if tables(ca) != tables(cb):
            return [f"{a.name}: tables differ {tables(ca)} / {tables(cb)}"]
        for table in tables(ca):
            cols = [r[1] for r in ca.execute(f'pragma table_info("{table}")')]
            if cols != [r[1] for r in cb.execute(f'pragma table_info("{table}")')]:
                problems.append(f"{a.name}.{table}: columns differ")
                continue
            keep = [c for c in cols if c not in _VOLATILE.get(table, set())]
            select = ", ".join(f'"{c}"' for c in keep)
            ra = sorted(ca.execute(f'select {select} from "{table}"').fetchall(), key=repr)
            rb = sorted(cb.execute(f'select {select} from "{table}"').fetchall(), key=repr)
            typeof = ", ".join(f'typeof("{c}")' for c in keep)
            types_a = ca.execute(f'select {typeof} from "{table}"').fetchall()
            types_b = cb.execute(f'select {typeof} from "{table}"').fetchall()
            if ra != rb:
                problems.append(f"{a.name}.{table}: {len(ra)} / {len(rb)} rows, "
                                f"{sum(x != y for x, y in zip(ra, rb, strict=False))} differ")
            elif sorted(types_a) != sorted(types_b):
                problems.append(f"{a.name}.{table}: storage types differ")
    return problems


def compare_parquet(a: Path, b: Path) -> list[str]:
    import pyarrow.parquet as pq

    problems = []
    names_a, names_b = sorted(p.name for p in a.glob("*.parquet")), sorted(p.name for p in b.glob("*.parquet"))
    if names_a != names_b:
        return [f"published files differ: {names_a} / {names_b}"]
    for name in names_a:
        ta, tb = pq.read_table(a / name), pq.read_table(b / name)
        if ta.schema != tb.schema:
            problems.append(f"{name}: schema differs\n{ta.schema}\n---\n{tb.schema}")
            continue
        volatile = _VOLATILE.get(name.removesuffix(".parquet"), set())
        ta, tb = ta.drop_columns(list(volatile)), tb.drop_columns(list(volatile))
        if not ta.equals(tb):
            problems.append(f"{name}: content differs ({ta.num_rows} / {tb.num_rows} rows)")
    return problems


def _masked(value: Any) -> Any:
    return _CLOCK.sub("<time>", value) if isinstance(value, str) else value


def compare_workbooks(a: Path, b: Path) -> list[str]:
    from openpyxl import load_workbook

    wa, wb = load_workbook(a), load_workbook(b)
    if wa.sheetnames != wb.sheetnames:
        return [f"sheets differ: {wa.sheetnames} / {wb.sheetnames}"]
    problems = []
    for sa, sb in zip(wa.worksheets, wb.worksheets, strict=True):
        if (sa.max_row, sa.max_column) != (sb.max_row, sb.max_column):
            problems.append(f"{sa.title}: size {sa.max_row}x{sa.max_column} / {sb.max_row}x{sb.max_column}")
            continue
        bad = 0
        for ra, rb in zip(sa.iter_rows(), sb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                if (_masked(ca.value), type(ca.value), ca.number_format) != \
                        (_masked(cb.value), type(cb.value), cb.number_format):
                    bad += 1
                    if bad <= 3:
                        problems.append(f"{sa.title}!{ca.coordinate}: {ca.value!r} / {cb.value!r}")
        if bad:
            problems.append(f"{sa.title}: {bad} cells differ")
    return problems


def compare_outputs(a: Path, b: Path) -> list[str]:
    problems = []
    for name in ("warehouse.db", "warehouse_restricted.db"):
        problems += compare_sqlite(a / name, b / name)
    problems += compare_parquet(a / "published", b / "published")
    reports_a, reports_b = sorted((a / "reports").glob("*.xlsx")), sorted((b / "reports").glob("*.xlsx"))
    if [p.name for p in reports_a] != [p.name for p in reports_b] or not reports_a:
        problems.append(f"reports differ: {reports_a} / {reports_b}")
    else:
        for ra, rb in zip(reports_a, reports_b, strict=True):
            problems += compare_workbooks(ra, rb)
    html_a, html_b = a / "published" / "report" / "index.html", b / "published" / "report" / "index.html"
    if html_a.exists() or html_b.exists():
        ta, tb = (_masked(p.read_text(encoding="utf-8")) if p.exists() else None for p in (html_a, html_b))
        if ta != tb:
            problems.append("HTML report differs")
    return problems


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sources", type=Path, default=ROOT / "transforms" / "config" / "sources.yaml")
    parser.add_argument("--variant", action="append", default=[], help="NAME=CHECKOUT (default: this one)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--mode", choices=("inproc", "run"), default="inproc")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "benchmarks" / "publish")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--compare-only", nargs=2, type=Path, metavar=("A", "B"))
    parser.add_argument("--report-only", metavar="PERIODS", help="the fund report alone, of PERIODS (a,b,...) "
                        "for every area of --sources, from a synthetic published table")
    args = parser.parse_args(argv)
    if args.compare_only:
        problems = compare_outputs(*args.compare_only)
        print("\n".join(problems) or "the same")
        return 1 if problems else 0
    variants = [(v.split("=", 1)[0], Path(v.split("=", 1)[1]).resolve()) for v in args.variant] or [("this", ROOT)]
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in variants}
    progress(f"publication of {args.data} ({args.mode}), {args.repeat} × {[n for n, _ in variants]}, "
             f"load {os.getloadavg()[0]:.1f}")
    for i in range(args.repeat):
        for name, code in variants:
            if args.report_only:
                results[name].append(run_report(name, code, args.sources.resolve(), args.report_only, args.out))
                r = results[name][-1]
                progress(f"{name} #{i + 1}: exit {r['exit']}, fund report {r.get('report_s', 0):.1f} s for "
                         f"{r.get('cells')} cells, peak RSS {r['peak_rss_mb']:.0f} MB")
                continue
            result = run_variant(name, code, args.data.resolve(), args.sources.resolve(), args.out, args.mode,
                                 args.profile)
            results[name].append(result)
            steps = ", ".join(f"{k} {v:.1f}" for k, v in result.items() if k.endswith("_s") and k != "peak_at_s")
            progress(f"{name} #{i + 1}: exit {result['exit']}, {steps}, peak RSS {result['peak_rss_mb']:.0f} MB "
                     f"(ru_maxrss {result['ru_maxrss_mb']:.0f} MB), load {os.getloadavg()[0]:.1f}")
            if args.profile:
                for step in ("publish", "export"):
                    if f"{step}_profile" in result:
                        print(f"--- {name} {step}: tracemalloc peak {result[f'{step}_traced_peak_mb']:.0f} MB")
                        print(result[f"{step}_profile"])
    summary = {}
    for name, runs in results.items():
        def best(key: str, runs: list[dict[str, Any]] = runs) -> float | None:
            values = [r[key] for r in runs if r.get(key) is not None]
            return min(values) if values else None

        summary[name] = {k: best(k) for k in ("publish_s", "export_s", "report_s", "wall_s", "peak_rss_mb",
                                              "ru_maxrss_mb")}
        print(f"{name}: best of {len(runs)}: " + ", ".join(f"{k} {v:.1f}" for k, v in summary[name].items()
                                                             if v is not None))
    first = variants[0][0]
    compared: dict[str, list[str]] = {}
    for name, _ in variants[1:] if not args.report_only else []:
        problems = compare_outputs(Path(results[first][-1]["data"]), Path(results[name][-1]["data"]))
        compared[name] = problems
        print(f"{name} against {first}: " + ("every published table, file and cell the same" if not problems
                                              else "\n  ".join(["DIFFERENT", *problems])))
    (args.out / "publish_benchmark.json").write_text(json.dumps(
        {"results": results, "summary": summary, "compared": compared}, indent=1, default=str))
    return 1 if any(compared.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
