"""The ``samla`` command: demo, run, check, status, quarantine.

Exit status: 0 all good; 1 something was rejected or quarantined (a summary
is printed); 2 usage or configuration error (the message names the key or
argument). ``run`` and ``demo`` drive the real DAGs in-process (dag.test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transforms.config.schema import DATASETS

OK, PROBLEMS, USAGE = 0, 1, 2
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class UsageError(Exception):
    pass


def _period(text: str) -> str:
    if not PERIOD.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a period written YYYY-MM")
    return text


def periods_between(first: str, last: str) -> list[str]:
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    out, (year, month) = [], (int(first[:4]), int(first[5:]))
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "  (none)"
    text = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    line = lambda cells: "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(t) for t in text])


def _settings_and_sources():
    from samla_airflow.settings_bridge import export_airflow_settings
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    export_airflow_settings()
    settings = load_settings()
    return settings, load_sources(settings.sources_file, settings.data_dir)


# --- run / demo -----------------------------------------------------------------------------


def run_pipeline(first: str, last: str, sources: list[str], publish: bool = True, out=sys.stdout) -> int:
    from samla_airflow.airflow_runner import DagRunner
    from transforms.config.settings import pseudonym_key
    from transforms.ingest import ledger

    settings, config = _settings_and_sources()
    for sid in sources:
        config.get(sid)  # raises naming the known ids
    pseudonym_key(settings)  # refuse before any work without a key
    log_file = settings.data_dir / "logs" / f"samla-run-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    runner = DagRunner(settings.data_dir, log_file)
    periods = periods_between(first, last)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    print(f"Ingesting {len(periods)} period(s) {first}..{last} for "
          f"{', '.join(sources) if sources else f'all {len(config.sources)} sources'} (Airflow log: {log_file})",
          file=out)
    all_failed: set[str] = set()
    for index, period in enumerate(periods, start=1):
        t0 = time.monotonic()
        states = runner.run("samla_ingest", {"period_from": period, "period_to": period, "sources": sources})
        failed = sorted(t for t, s in states.items() if s not in ("success", "skipped"))
        all_failed.update(t for t in failed if t != "_run")
        done = ledger.read(settings.ledger_dir)
        done = done[(done["processed_at"] >= started) & (done["period"] == period)]
        bar = "#" * index + "." * (len(periods) - index)
        print(f"  [{bar}] {index}/{len(periods)} {period}: {len(done)} file(s), "
              f"{int(done['rows_accepted'].sum())} rows loaded, {int(done['rows_quarantined'].sum())} quarantined, "
              f"{int((done['status'] == 'rejected').sum())} file(s) rejected"
              f"{'; FAILED tasks: ' + ', '.join(failed) if failed else ''} ({time.monotonic() - t0:.1f} s)",
              file=out, flush=True)
    publication = None
    if publish and runner.has_dag("samla_publish"):
        t0 = time.monotonic()
        states = runner.run("samla_publish", {"period_from": None, "period_to": None})
        publication = states.get("_run")
        print(f"  publication: {publication} ({time.monotonic() - t0:.1f} s)", file=out)
    status = _report_run(settings, started, out, publication)
    if all_failed:
        print(f"\nTasks that did not succeed: {', '.join(sorted(all_failed))} — the reason is in {log_file}",
              file=out)
        return PROBLEMS
    return status


def _report_run(settings, started: str, out, publication: str | None) -> int:
    from transforms.ingest import ledger
    frame = ledger.read(settings.ledger_dir)
    frame = frame[frame["processed_at"] >= started]
    if frame.empty:
        print("\nNo new deliveries were found.", file=out)
        return OK
    per_source = frame.groupby("source").agg(files=("file_name", "size"), read=("rows_read", "sum"),
                                             loaded=("rows_accepted", "sum"), quarantined=("rows_quarantined", "sum"),
                                             rejected=("status", lambda s: int((s == "rejected").sum())))
    print("\nPer source:", file=out)
    print(table(per_source.reset_index().to_dict("records"),
                ["source", "files", "read", "loaded", "quarantined", "rejected"]), file=out)
    rejected = frame[frame["status"] == "rejected"]
    if len(rejected):
        print("\nRejected files (nothing of these was loaded; the previous delivery stays):", file=out)
        print(table(rejected.to_dict("records"), ["source", "dataset", "period", "file_name", "message"]), file=out)
    problems = len(rejected) > 0 or frame["rows_quarantined"].sum() > 0 or publication == "failed"
    if problems:
        print("\nSee `samla status` and `samla quarantine SOURCE PERIOD` for the details.", file=out)
    return PROBLEMS if problems else OK


def print_summary(settings, out=sys.stdout) -> None:
    """EECO01 (participants) by gender per federation and region for the latest published period."""
    from transforms.publish.warehouse import read_table

    try:
        values = read_table(settings.warehouse_url, "indicator_values")
    except Exception as exc:  # nothing published yet
        print(f"\n(no published indicators yet: {type(exc).__name__})", file=out)
        return
    if values.empty:
        return
    latest = values["period"].max()
    cells = values[(values["period"] == latest) & (values["indicator"] == "EECO01")
                   & (values["area_level"] != "municipality")]
    rows = []
    for area, group in cells.groupby("area_code", sort=False):
        shown = {g: (".." if s else f"{v:.0f}") for g, v, s in zip(group["gender"], group["value"], group["suppressed"],
                                                                    strict=True)}
        rows.append({"area": area, **shown})
    print(f"\nEECO01 participants by gender, {latest} (.. = suppressed, fewer than "
          f"{settings.suppression_threshold} pupils or protecting such a cell):", file=out)
    print(table(rows, ["area", "all", "female", "male", "nonbinary"]), file=out)


def cmd_run(args) -> int:
    return run_pipeline(args.period_from, args.period_to, args.source or [], publish=not args.no_publish)


def cmd_demo(args) -> int:
    data_dir = Path(os.environ["SAMLA_DATA_DIR"])
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.demo import sample_data

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)
    first, last = args.periods.split(":")
    periods = periods_between(first, last)
    print(f"Samla demo: sample deliveries for {len(config.sources)} sources, {first}..{last}, in {data_dir}")
    manifest = sample_data.generate(config, data_dir, periods)
    for fault in manifest.get("faults", []):
        print(f"  planted fault: {fault['source']} {fault['dataset']} {fault['period']}: {fault['description']}")
    status = run_pipeline(first, last, [])
    print_summary(settings)
    print(f"""
Where to look:
  curated Parquet   {settings.curated_dir}/<dataset>/source=<id>/period=<YYYY-MM>/data.parquet
  load ledger       {settings.ledger_dir}  (or: samla status)
  quarantine        {settings.quarantine_dir}  (or: samla quarantine SOURCE PERIOD)
  raw archive       {settings.archive_dir}  (as delivered: {settings.landing_dir}; the only personnummer)
  warehouse         {settings.warehouse_url}
  published files   {settings.published_dir}
  fund report       {settings.reports_dir}""")
    return status


# --- check / status / quarantine ------------------------------------------------------------


def cmd_check(args) -> int:
    import secrets

    from transforms.ingest.harmonise import FileContext
    from transforms.ingest.landing import identify, sha256_of
    from transforms.ingest.pipeline import evaluate_file

    settings, config = _settings_and_sources()
    source = config.get(args.source)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"FILE {path} does not exist")
    dataset, period, name_fault = identify(source, path.name)
    dataset = args.dataset or dataset
    period = args.period or period
    if dataset not in DATASETS:
        raise UsageError(f"cannot tell the dataset from the file name {path.name!r}: give --dataset "
                         f"({', '.join(DATASETS)})")
    if args.period:
        from transforms.ingest.landing import period_fault

        name_fault = period_fault(args.period)
    if not period:
        raise UsageError(f"cannot tell the period from the file name {path.name!r}: give --period YYYY-MM")
    ctx = FileContext(source, dataset, period, path.name, sha256_of(path))
    # A throwaway key: the check stores nothing and needs no pseudonymisation key.
    key = secrets.token_bytes(32)
    snapshot, beside = None, None
    if dataset != "participants":
        beside = _participants_beside(source, path, period)
        if beside is not None:
            checked = evaluate_file(beside, FileContext(source, "participants", period, beside.name,
                                                        sha256_of(beside)), key, None, membership=False)
            snapshot = checked.accepted
    result = evaluate_file(path, ctx, key, snapshot, name_fault, membership=snapshot is not None)
    report = {
        "file": str(path), "source": source.id, "dataset": dataset, "period": period, "status": result.status,
        "message": result.message, "detected_format": result.detected_format, "rows_read": result.rows_read,
        "rows_accepted": result.rows_accepted, "rows_with_problems": result.rows_quarantined,
        "warnings": result.warnings,
        "problems": [{k: _plain(v) for k, v in r.items() if k in ("source_row", "column", "rule", "description", "value")}
                     for r in result.quarantine.to_dict("records")],
    }
    for problem in report["problems"]:  # pseudonyms under a throwaway key mean nothing: don't show them
        if "person_id" in (problem["column"] or "").split(","):
            problem["value"] = None
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"{path.name}: {source.label}, {dataset}, {period} ({result.detected_format or 'not readable'})")
        print(f"  {result.status}: {result.message}")
        for warning in result.warnings:
            print(f"  warning: {warning}")
        # Rows held back only because the whole file was rejected say nothing new: count them.
        own = [p for p in report["problems"] if p["rule"] != result.rule]
        held = len({p["source_row"] for p in report["problems"]} - {p["source_row"] for p in own})
        if own:
            print(table(own, ["source_row", "column", "rule", "value", "description"]))
        if held:
            print(f"  {held} {'other ' if own else ''}row(s) held back with the file (rule {result.rule})")
        if dataset != "participants" and (result.status != "rejected" or result.rule == "too_many_failing_rows"):
            print(f"  persons checked against {beside.name}, the participants file beside it" if snapshot is not None
                  else "  (no usable participants file for the period beside it: persons are checked against "
                       "the participants snapshot when the file is loaded)")
    return OK if result.status == "loaded" and not result.warnings else PROBLEMS


def _participants_beside(source, path: Path, period: str) -> Path | None:
    """The newest participants file of the same source and period in the same folder, if any."""
    from transforms.ingest.landing import candidate_files, identify

    found = [p for p in candidate_files(path.parent)
             if p != path and identify(source, p.name)[:2] == ("participants", period)]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def _cell(value) -> str:
    value = _plain(value)
    return "" if value is None else str(value)


def _plain(value):
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def cmd_status(args) -> int:
    from transforms.ingest import ledger
    from transforms.ingest.pipeline import stale_sources

    settings, config = _settings_and_sources()
    frame = ledger.read(settings.ledger_dir)
    if args.period:
        frame = frame[frame["period"] == args.period]
    latest = frame.sort_values("arrived_at").groupby(["source", "dataset", "period"], dropna=False).tail(1)
    rows = latest.sort_values(["source", "period", "dataset"]).to_dict("records")
    stale = stale_sources(settings, config, args.period)
    if args.json:
        print(json.dumps({"deliveries": rows, "stale_sources": stale}, ensure_ascii=False, indent=1, default=str))
    else:
        print(f"Latest delivery per source, dataset and period{' for ' + args.period if args.period else ''}:")
        shown = [{"source": r["source"], "dataset": r["dataset"], "period": r["period"], "file": r["file_name"],
                  "arrived": str(r["arrived_at"])[:16].replace("T", " "), "read": r["rows_read"],
                  "loaded": r["rows_accepted"], "quarantined": r["rows_quarantined"], "status": r["status"],
                  "message": r["message"]} for r in rows]
        print(table(shown, ["source", "dataset", "period", "file", "arrived", "read", "loaded", "quarantined",
                            "status", "message"]))
        print("\nStale sources (no accepted participants snapshot for the period or later):")
        print(table(stale, ["source", "name", "newest_snapshot"]))
    bad = any(r["status"] != "loaded" for r in rows)
    return PROBLEMS if bad else OK


def cmd_quarantine(args) -> int:
    from transforms.ingest import curated, ledger
    settings, config = _settings_and_sources()
    source = config.get(args.source)
    records = ledger.read(settings.ledger_dir, source.id)
    records = records[records["period"] == args.period]
    if args.dataset:
        records = records[records["dataset"] == args.dataset]
    newest = records.sort_values("arrived_at").groupby("dataset").tail(1)
    quarantine = curated.read_quarantine(settings.quarantine_dir, source.id)
    rows = quarantine[quarantine["file_sha256"].isin(set(newest["file_sha256"]))
                      & (quarantine["period"] == args.period)]
    rows = rows.sort_values(["dataset", "source_row", "column"], kind="stable")
    if args.json:
        print(json.dumps(rows.to_dict("records"), ensure_ascii=False, indent=1, default=str))
    else:
        print(f"Quarantined rows of {source.label}, {args.period} (newest delivery of each dataset):")
        print(table(rows.to_dict("records"), ["dataset", "file_name", "source_row", "column", "rule", "value",
                                              "description"]))
    return PROBLEMS if len(rows) else OK


# --- entry point ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samla", description="Samla: Fokus IM municipal reporting pipeline. "
                                     "Settings come from SAMLA_* environment variables (see README).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="sample deliveries for the ten municipalities, ingest and publish them",
                          description="Generate sample deliveries for every source, run ingestion and publication "
                                      "through the real DAGs, and print where the results are. Uses demo mode "
                                      "(a local pseudonymisation key).")
    demo.add_argument("--data-dir", help="data folder (default: SAMLA_DATA_DIR or ./data)")
    demo.add_argument("--periods", default="2024-09:2025-02", help="FIRST:LAST periods (default 2024-09:2025-02)")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="ingest and publish a period range through the real DAGs",
                         description="Ingest the deliveries of a period range (all sources, or --source ones) and "
                                     "publish the indicator tables, with progress per period.")
    run.add_argument("--from", dest="period_from", required=True, type=_period, metavar="YYYY-MM")
    run.add_argument("--to", dest="period_to", required=True, type=_period, metavar="YYYY-MM")
    run.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    run.add_argument("--no-publish", action="store_true", help="ingest only")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="check a file before delivery; stores nothing",
                           description="Check one export file with exactly the pipeline's parsing and rules. "
                                       "Stores nothing, needs no pseudonymisation key, never prints a personnummer.")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--source", required=True, metavar="ID")
    check.add_argument("--dataset", choices=DATASETS)
    check.add_argument("--period", type=_period, metavar="YYYY-MM")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=cmd_check)

    status = sub.add_parser("status", help="latest delivery, counts and status per source, dataset and period",
                            description="Per source, dataset and period: the latest delivery, its counts, status "
                                        "and message; and the stale sources.")
    status.add_argument("--period", type=_period, metavar="YYYY-MM")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    quarantine = sub.add_parser("quarantine", help="the quarantined rows of a source and period with their rules",
                                description="The quarantined rows of the newest delivery of each dataset of a source "
                                            "and period, with every rule each row broke.")
    quarantine.add_argument("source", metavar="SOURCE")
    quarantine.add_argument("period", type=_period, metavar="PERIOD")
    quarantine.add_argument("--dataset", choices=DATASETS)
    quarantine.add_argument("--json", action="store_true")
    quarantine.set_defaults(func=cmd_quarantine)
    return parser


def main(argv: list[str] | None = None) -> int:
    from transforms.config.settings import SettingsError
    from transforms.config.sources import SourcesError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return USAGE if exc.code else OK
    if args.command == "demo":
        os.environ["SAMLA_DEMO"] = "1"
        if args.data_dir:
            os.environ["SAMLA_DATA_DIR"] = str(Path(args.data_dir).resolve())
    try:
        from samla_airflow.airflow_runner import prepare_airflow_env
        from transforms.config.settings import load_settings

        # Before anything imports airflow: its configuration is read once, at import.
        data_dir = load_settings().data_dir
        os.environ["SAMLA_DATA_DIR"] = str(data_dir)
        prepare_airflow_env(data_dir)
        return args.func(args)
    except (UsageError, SettingsError, SourcesError) as exc:
        print(f"samla {args.command}: {exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    sys.exit(main())
