"""``samla run``: ingest and publish a period range through the real DAGs (dag.test), with progress."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from samla_airflow.cli.common import (
    OK,
    PROBLEMS,
    cell,
    period_arg,
    periods_between,
    settings_and_sources,
)
from transforms.messages import t

INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C
MESSAGE_WIDTH = 90  # characters of a rejected file's message; the full text: samla status --file NAME


def add_parser(sub) -> None:
    run = sub.add_parser("run", help=t("cli_help.run"),
                         description=t("cli_help.run.description"))
    run.add_argument("--from", dest="period_from", required=True, type=period_arg, metavar=t("cli_help.metavar.month"))
    run.add_argument("--to", dest="period_to", required=True, type=period_arg, metavar=t("cli_help.metavar.month"))
    run.add_argument("--source", action="append", metavar="ID", help=t("cli_help.run.source"))
    run.add_argument("--no-publish", action="store_true", help=t("cli_help.run.no_publish"))
    run.add_argument("--workers", type=_workers_arg, metavar="N", help=t("cli_help.run.workers"))
    run.set_defaults(func=command)


def _workers_arg(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(t("cli_help.run.workers_invalid", value=text))
    return int(text)


def command(args) -> int:
    return run_pipeline(args.period_from, args.period_to, args.source or [], publish=not args.no_publish,
                        workers=args.workers)


def run_pipeline(first: str, last: str, sources: list[str], publish: bool = True, out=None,
                 workers: int | None = None) -> int:
    from samla_airflow.locks import RunInProgress, run_lock
    from transforms.config.settings import pseudonym_key

    out = out or sys.stdout  # read when called: a default bound at import would keep an old stream

    settings, config = settings_and_sources()
    for sid in sources:
        config.get(sid)  # raises naming the known ids
    pseudonym_key(settings)  # refuse before any work without a key (or while a key rotation is half swapped)
    from transforms.upkeep.rotation import pending

    rotation = pending(settings.data_dir)  # a staging copy left by a rotation killed before it swapped
    if rotation:
        print(rotation, file=sys.stderr)
    try:
        with run_lock(settings.data_dir):
            return _run(settings, config, first, last, sources, publish, out, workers)
    except RunInProgress as exc:  # one run at a time per data folder: a second refuses at once, naming the first
        print(str(exc), file=sys.stderr)
        return PROBLEMS


def _run(settings, config, first: str, last: str, sources: list[str], publish: bool, out,
         workers: int | None = None) -> int:
    from samla_airflow.run_workers import worker_count

    log_file = settings.data_dir / "logs" / f"samla-run-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
    size = worker_count(workers, len(sources) or len(config.sources))
    if size == 1:  # in this process, as the scheduler's DAG code runs in one
        from samla_airflow.airflow_runner import DagRunner

        return _periods(settings, config, first, last, sources, publish, out, DagRunner(settings.data_dir, log_file),
                        log_file)
    import os

    from samla_airflow.run_workers import WorkerFailed, WorkerPool

    # The file this command read, for the DAG files and tasks of every worker: each worker has a metadata
    # database of its own, so a sources file named only as an Airflow Variable could not reach them anyway.
    os.environ.setdefault("SAMLA_SOURCES", str(settings.sources_file))
    try:
        with WorkerPool(size, settings.data_dir, log_file) as pool:
            return _periods(settings, config, first, last, sources, publish, out, pool, log_file)
    except WorkerFailed as exc:
        print(t("run.stopped", reason=str(exc), log=log_file), file=sys.stderr)
        return PROBLEMS
    except KeyboardInterrupt:  # the workers are ended by now (the pool's exit)
        print(t("run.interrupted", log=log_file), file=sys.stderr)
        return INTERRUPTED


def _ingest(runner, config, sources: list[str], period: str) -> dict[str, str]:
    """One period's ``samla_ingest`` in this process, or over the workers when several have work."""
    conf = {"period_from": period, "period_to": period, "sources": sources}
    from samla_airflow.run_workers import WorkerPool, shares

    if not isinstance(runner, WorkerPool):
        return runner.run("samla_ingest", conf)
    from samla_airflow.dag_config import source_entries
    from samla_airflow.ingestion import sources_with_work

    # As select_sources will choose (it also runs here, outside a task): only sources with work are shared out.
    ids = {entry.task_id: entry.id for entry in source_entries()}
    work = sources_with_work({sid: task_id for task_id, sid in ids.items()}, sources, (period, period))
    chosen = [ids[task_id] for task_id in work]
    parts = shares(chosen, runner.size, _waiting_bytes(config, chosen))
    if len(parts) < 2:
        return runner.run("samla_ingest", conf)
    return runner.run_shares(conf, parts, ids)


def _waiting_bytes(config, sources: list[str]) -> dict[str, int]:
    """The bytes in each folder source's landing folder: what its share of a period will cost, roughly
    (a source on SFTP counts 0: its files are fetched by its task). ``config``: the sources this command read."""
    from transforms.ingest.landing import candidate_files

    found = {}
    for sid in sources:
        source = config.sources.get(sid)
        folder = source.delivery.folder if source is not None else None
        try:
            found[sid] = sum(path.stat().st_size for path in candidate_files(folder)) if folder is not None else 0
        except OSError:  # a folder away or unreadable: its task will say so
            found[sid] = 0
    return found


def _periods(settings, config, first: str, last: str, sources: list[str], publish: bool, out, runner,
             log_file) -> int:
    from transforms.ingest.ledger import Ledger
    from transforms.messages import number, t

    periods = periods_between(first, last)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    which = ", ".join(sources) if sources else t("run.all_sources", n=len(config.sources))
    print(t("run.start", n=len(periods), first=first, last=last, which=which, log=log_file), file=out)
    all_failed: set[str] = set()
    for index, period in enumerate(periods, start=1):
        t0 = time.monotonic()
        states = _ingest(runner, config, sources, period)
        # run_check only echoes a failed source task (it is upstream_failed then)
        failed = sorted(t for t, s in states.items() if s not in ("success", "skipped") and t != "run_check")
        all_failed.update(t for t in failed if t != "_run")
        done = Ledger(settings.ledger_dir).counted()
        done = done[(done["processed_at"] >= started) & (done["period"] == period)]
        bar = "#" * index + "." * (len(periods) - index)
        counts = ", ".join((t("common.files", n=len(done)), t("ingest.loaded", n=int(done["rows_accepted"].sum())),
                            t("ingest.quarantined", n=int(done["rows_quarantined"].sum())),
                            t("run.rejected", n=int((done["status"] == "rejected").sum()))))
        failures = t("run.failed_tasks", tasks=", ".join(failed)) if failed else ""
        print(f"  [{bar}] {index}/{len(periods)} {period}: {counts}{failures} ({number(time.monotonic() - t0, decimals=1)} s)",
              file=out, flush=True)
    publication = None
    if publish and runner.has_dag("samla_publish"):
        t0 = time.monotonic()
        # Over workers: in one forked afresh once the others have ended, holding the publication's memory alone.
        run = getattr(runner, "run_afresh", runner.run)
        states = run("samla_publish", {"period_from": None, "period_to": None})
        publication = states.get("_run")
        print(t("run.publication", state=_state(publication), seconds=number(time.monotonic() - t0, decimals=1)), file=out)
    status = _report_run(settings, started, out, publication)
    if publication == "failed":
        from samla_airflow.publication import last_failure

        reason = last_failure(settings, started) or t("run.see_log", log=log_file)
        print("\n" + t("ops.publication_failed", reason=reason), file=out)
        status = PROBLEMS
    if all_failed:
        print(t("run.tasks_failed", tasks=", ".join(sorted(all_failed)), log=log_file), file=out)
        return PROBLEMS
    return status


def _state(state: str | None) -> str:
    """An Airflow run state in the catalogue's words where it has them."""
    from transforms.messages import catalogue, t

    return t(f"run.state.{state}") if f"run.state.{state}" in catalogue() else str(state)


def _report_run(settings, started: str, out, publication: str | None) -> int:
    from samla_airflow.cli import show
    from transforms.ingest.ledger import Ledger
    from transforms.messages import t
    from transforms.messages.steward_words import dataset_name

    frame = Ledger(settings.ledger_dir).counted()
    frame = frame[frame["processed_at"] >= started]
    if frame.empty:
        print(t("run.no_new_deliveries"), file=out)
        return OK
    per_source = frame.groupby("source").agg(files=("file_name", "size"), read=("rows_read", "sum"),
                                             loaded=("rows_accepted", "sum"), quarantined=("rows_quarantined", "sum"),
                                             rejected=("status", lambda s: int((s == "rejected").sum())))
    console = show.console(out)
    counts = show.table([("cli.col.source", {"no_wrap": True}), *((heading, {"justify": "right"}) for heading in (
        "run.col.files", "cli.col.read", "cli.col.loaded", "cli.col.quarantined", "run.col.rejected"))])
    for source, r in per_source.iterrows():
        counts.add_row(str(source), *(cell(r[c]) for c in ("files", "read", "loaded", "quarantined", "rejected")))
    show.print_table(console, t("run.per_source"), counts)
    rejected = frame[frame["status"] == "rejected"]
    if len(rejected):
        # One row per file, the message wrapped and shortened: the full text is in samla status --file NAME.
        files = show.table([("cli.col.source", {"no_wrap": True}), ("cli.col.dataset", {"no_wrap": True}),
                            ("cli.col.period", {"no_wrap": True}), ("cli.col.file", {"overflow": "fold"}),
                            ("cli.col.message", {"overflow": "fold"})])  # wrapped to fit: no ratio, no padding
        shortened = False
        for r in rejected.to_dict("records"):
            message = show.shorten(r["message"], MESSAGE_WIDTH)
            shortened |= message != " ".join(cell(r["message"]).split())
            files.add_row(r["source"], dataset_name(r["dataset"]), cell(r["period"]), show.name(r["file_name"]), message)
        show.print_table(console, t("run.rejected_title"), files)
        if shortened:
            console.print(t("run.shortened"), style="dim")
    problems = len(rejected) > 0 or frame["rows_quarantined"].sum() > 0 or publication == "failed"
    if problems:
        print(t("run.see_details"), file=out)
    return PROBLEMS if problems else OK
