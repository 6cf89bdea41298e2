"""What the ingestion DAG's tasks run: one source from landing to curated Parquet."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from samla_airflow.settings_bridge import export_airflow_settings
from transforms.names import shown
from transforms.privacy.personnummer import MaskingFilter

log = logging.getLogger(__name__)
log.addFilter(MaskingFilter())  # task logs carry file names and messages


@contextmanager
def configuration_errors_fail_fast():
    """A missing key or a broken sources or project file will not mend itself: fail without retries."""
    from transforms.config.project import ProjectError
    from transforms.config.settings import SettingsError
    from transforms.config.sources import SourcesError

    try:
        yield
    except (SettingsError, SourcesError, ProjectError) as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None


def landing_files(settings, source) -> list[Path]:
    """Pull the source's deliveries into a local folder and list them."""
    from transforms.ingest.landing import candidate_files

    if source.delivery.folder is not None:
        return candidate_files(source.delivery.folder)
    from samla_airflow.sftp_pull import fetch_new_files
    from transforms.paths import inside_data_dir

    staging = settings.landing_dir / "_sftp" / source.id
    inside_data_dir(staging, settings.data_dir)  # downloads hold personnummer: never outside the data folder
    staging.mkdir(parents=True, exist_ok=True)
    from samla_airflow.sftp_pull import ConnectionMissing

    try:
        fetch_new_files(source.delivery.sftp_conn_id, source.delivery.sftp_path, staging)
    except ConnectionMissing as exc:  # will not mend itself: fail at once, naming what to set
        from airflow.sdk.exceptions import AirflowFailException

        from transforms.messages import t

        raise AirflowFailException(t("ops.connection_missing", conn_id=exc.conn_id, source=source.label,
                                     env=exc.env_name)) from None
    return candidate_files(staging)


def ingest_one_source(source_id: str, periods: tuple[str, str] | None, today: date | None = None) -> dict[str, Any]:
    """Bring one source's curated data up to date; returns a manifest without personal data."""
    export_airflow_settings()
    from transforms.config.settings import load_settings, pseudonym_key
    from transforms.config.sources import load_sources
    from transforms.ingest.pipeline import ingest_source

    with configuration_errors_fail_fast():
        settings = load_settings()
        # Other entries' faults are theirs: this source runs unless its own entry or the file is faulty.
        config = load_sources(settings.sources_file, settings.data_dir, strict=False)
        source = config.get(source_id)
        key = pseudonym_key(settings)
    from samla_airflow.locks import source_lock

    # One task per source at a time, whoever runs it: a second lists the folder only once the first is done.
    with source_lock(settings.data_dir, source.id):
        from transforms.ingest import work_stamp

        folder = source.delivery.folder
        seen = work_stamp.listing(folder) if folder is not None else None  # before reading: a later arrival shows
        work_stamp.forget(settings.data_dir, source.id)
        files = landing_files(settings, source)
        result = ingest_source(settings, source, key, files, periods, today, progress=log.info)
        manifest = result.manifest()
        # Not after an internal error: a file to retry, so the next run must come here.
        digest = work_stamp.configuration_digest(source, work_stamp.project_digest(config.project))
        if seen is not None and not manifest["internal_errors"] and not work_stamp.write(
                settings.data_dir, source.id, seen, digest, result.waiting_periods):
            log.warning("%s: the work stamp could not be written; the next run runs this source again", source.label)
        trouble = [o for o in manifest["files"] if o["status"] == "rejected" or o["rows_quarantined"]]
        (log.warning if trouble else log.info)(
            "%s: %d file(s) processed, %d partition(s) changed, %d rejected or with quarantined rows\n%s",
            source.label, len(manifest["files"]), len(manifest["changed"]), len(trouble),
            format_outcomes(manifest["files"]))
        from samla_airflow.notify import notify_steward

        notify_steward(source, result)  # never raises: email trouble must not fail a load
        if manifest.get("internal_errors"):
            from airflow.sdk.exceptions import AirflowFailException

            # exports.md: the other files went on; the task ends failed so the operator sees it. No
            # retry: the files are recorded as rejected, so a retry would pass without them.
            from transforms.messages import t

            raise AirflowFailException(t("ops.internal_errors", source=source.label, n=len(manifest["internal_errors"]),
                                         files=", ".join(manifest["internal_errors"])))
        return manifest


def sources_with_work(task_ids: dict[str, str], wanted: list[str], periods: tuple[str, str] | None) -> list[str]:
    """The task ids of the sources this run must run.

    Sources named in ``wanted`` always run (someone asked for them); without
    ``wanted``, every source runs except a folder source whose last clean run saw
    the same folder and configuration (``work_stamp``). SFTP sources, faulty
    entries and any doubt run, so that a fault is still reported by its own task.
    """
    export_airflow_settings()
    from transforms.config.settings import load_settings, pseudonym_key
    from transforms.config.sources import load_sources
    from transforms.ingest import work_stamp

    chosen = {sid: task_id for sid, task_id in task_ids.items() if not wanted or sid in wanted}
    try:
        settings = load_settings()
        pseudonym_key(settings)
        config = load_sources(settings.sources_file, settings.data_dir, strict=False)
    except Exception as exc:  # noqa: BLE001 - each task then fails with its own, actionable message
        log.warning("Every selected source runs: the settings or sources could not be read (%s)",
                    type(exc).__name__)
        return list(chosen.values())
    idle, project = [], work_stamp.project_digest(config.project)
    for sid in ([] if wanted else chosen):
        source = config.sources.get(sid)
        if source is not None and source.delivery.folder is not None and work_stamp.nothing_to_do(
                settings.data_dir, sid, source.delivery.folder,
                work_stamp.configuration_digest(source, project), periods):
            idle.append(sid)
    log.info("%d of %d source(s) run; nothing new for: %s", len(chosen) - len(idle), len(chosen),
             ", ".join(idle) or "-")
    return [task_id for sid, task_id in chosen.items() if sid not in idle]


def check_unknown_sources() -> list[dict[str, Any]]:
    export_airflow_settings()
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.ingest.pipeline import report_unknown_sources

    with configuration_errors_fail_fast():
        settings = load_settings()
        config = load_sources(settings.sources_file, settings.data_dir, strict=False)
        config.raise_file_faults()
    from samla_airflow.locks import source_lock
    from transforms.ingest.pipeline import UNKNOWN_SOURCE

    with source_lock(settings.data_dir, UNKNOWN_SOURCE):  # its records are written once, like a source's
        found = report_unknown_sources(settings, config)
    for item in found:
        log.warning("%s/%s: %s", shown(item["folder"]), shown(item["file_name"]), item["message"])
    return found


def format_outcomes(outcomes: list[dict[str, Any]]) -> str:
    if not outcomes:
        return "(no new deliveries)"
    header = f"{'dataset':<13}{'period':<9}{'read':>6}{'ok':>6}{'quar':>6}  status / message"
    lines = [header]
    for o in outcomes:
        lines.append(f"{o['dataset']:<13}{o['period'] or '?':<9}{o['rows_read']:>6}{o['rows_accepted']:>6}"
                     f"{o['rows_quarantined']:>6}  {o['status']}: {o['message']}")
    return "\n".join(lines)



def summarise_run(periods: tuple[str, str] | None = None, since=None) -> dict[str, list[dict[str, Any]]]:
    """The truth of the run's periods from the ledger, logged; the items of the two attention tasks.

    ``periods`` is the run's range (``period_range``); without one, the run's periods are those of
    the ledger records written since ``since`` (the run's ``run_after``, which clearing a task
    leaves alone, unlike its start date). Records, not this try's task results: clearing or
    re-running one source leaves every other source's problems listed.
    """
    export_airflow_settings()
    from datetime import UTC

    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.ingest import attention
    from transforms.ingest.ledger import Ledger

    with configuration_errors_fail_fast():
        settings = load_settings()
        config = load_sources(settings.sources_file, settings.data_dir, strict=False)
        config.raise_file_faults()
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if since is not None else None
    found = attention.run_attention(Ledger(settings.ledger_dir).counted(), periods, stamp)
    labels = {sid: source.label for sid, source in config.sources.items()}
    rejected = attention.items(found.rejected, labels, "rejected")
    quarantined = attention.items(found.quarantined, labels, "quarantined")
    (log.warning if rejected else log.info)("%s\n%s", attention.summary_text(found),
                                            "\n".join(line for item in rejected for line in item["lines"]))
    return {"rejected": rejected, "quarantined": quarantined}


def report_attention(item: dict[str, Any]) -> None:
    """One source's rejected files or quarantined rows, a line each, in the mapped instance's log."""
    from transforms.messages import t

    log.warning("%s\n%s\n%s", item["name"], "\n".join(item["lines"]), t("dag.attention.details"))
