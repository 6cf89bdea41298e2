"""``samla run``: ingest and publish a period range through the real DAGs (dag.test), with progress."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from samla_airflow.cli.common import (
    OK,
    PROBLEMS,
    period_arg,
    periods_between,
    settings_and_sources,
    table,
)


def add_parser(sub) -> None:
    run = sub.add_parser("run", help="ingest and publish a period range through the real DAGs",
                         description="Ingest the deliveries of a period range (all sources, or --source ones) and "
                                     "publish the indicator tables, with progress per period.")
    run.add_argument("--from", dest="period_from", required=True, type=period_arg, metavar="YYYY-MM")
    run.add_argument("--to", dest="period_to", required=True, type=period_arg, metavar="YYYY-MM")
    run.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    run.add_argument("--no-publish", action="store_true", help="ingest only")
    run.set_defaults(func=command)


def command(args) -> int:
    return run_pipeline(args.period_from, args.period_to, args.source or [], publish=not args.no_publish)


def run_pipeline(first: str, last: str, sources: list[str], publish: bool = True, out=sys.stdout) -> int:
    from samla_airflow.airflow_runner import DagRunner
    from transforms.config.settings import pseudonym_key
    from transforms.ingest import ledger

    settings, config = settings_and_sources()
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
        # run_check only echoes a failed source task (it is upstream_failed then)
        failed = sorted(t for t, s in states.items() if s not in ("success", "skipped") and t != "run_check")
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
    if publication == "failed":
        from samla_airflow.publication import last_failure
        from transforms.messages import t

        reason = last_failure(settings, started) or f"see {log_file}"
        print("\n" + t("ops.publication_failed", reason=reason), file=out)
        status = PROBLEMS
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
