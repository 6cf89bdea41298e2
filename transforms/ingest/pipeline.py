"""One source's ingestion: raw archive -> harmonised -> validated -> curated + quarantine + ledger.

``evaluate_file`` is the pure check of one file (the same code ``samla check``
runs); ``ingest_source`` applies it to every pending delivery of a source,
participants first in each period, and stores the outcome.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from transforms.config.schema import DATASETS
from transforms.config.settings import Settings
from transforms.config.sources import DatasetConfig, Source
from transforms.ingest import curated, landing
from transforms.ingest.accepted import accepted_codes
from transforms.ingest.data_docs import build_index, write_page
from transforms.ingest.explain import CASCADE_RULE
from transforms.ingest.file_context import FileContext
from transforms.ingest.harmonise import harmonise, typed_frame
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import Ledger, LedgerRecord
from transforms.ingest.parse import FileFault, clip, read_file
from transforms.ingest.steward_pages import write_file_page, write_record_page, write_source_page
from transforms.ingest.validate import parameters_for, run_name_for, validate
from transforms.messages import LANGUAGES, catalogue, number, t
from transforms.messages.steward_words import rule_title
from transforms.names import shown
from transforms.paths import inside_data_dir
from transforms.privacy.personnummer import mask_in_text
from transforms.values import is_missing

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    """The outcome of checking one file; nothing stored yet."""

    status: str  # loaded | loaded_with_quarantine | rejected
    message: str
    rows_read: int
    accepted: pd.DataFrame | None
    quarantine: pd.DataFrame  # one row per (row, rule), QUARANTINE_SCHEMA columns
    detected_format: str = ""
    warnings: list[str] = field(default_factory=list)
    rule: str = ""  # the file-level rule when rejected
    validation: Any = None  # the GX result, for its Data Docs page
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> the file's own header

    @property
    def rows_quarantined(self) -> int:
        return self.rows_read - self.rows_accepted

    @property
    def rows_accepted(self) -> int:
        return 0 if self.accepted is None else len(self.accepted)


def _has_warning(message: str) -> bool:
    """Whether a ledger message carries a warning, in whichever language it was written."""
    return any(t("intake.warning", text="", lang=lang) in message for lang in LANGUAGES)


@dataclass
class FileOutcome:
    """One processed file, as the source's run saw it: everything a report about it needs.

    ``record`` is the ledger record as stored for it (checksum, counts, status, message,
    Data Docs page, sequence); ``quarantine`` the rows it held back, without the
    pseudonym column; ``name_fault`` says the file was rejected for its name.
    """

    record: LedgerRecord
    quarantine: pd.DataFrame | None = None
    name_fault: bool = False

    @property
    def needs_attention(self) -> bool:
        return (self.record.status == "rejected" or self.record.rows_quarantined > 0
                or _has_warning(self.record.message))  # e.g. a participants snapshot that shrank (11.5)

    def summary(self) -> dict[str, Any]:
        """The file's entry in the task's manifest (XCom): small, no rows, no personal data."""
        return {k: getattr(self.record, k) for k in (
            "dataset", "period", "file_name", "file_sha256", "status", "rows_read", "rows_accepted",
            "rows_quarantined", "message", "data_docs")}


@dataclass
class SourceResult:
    """What one source's run did: the files it processed and the partitions it changed."""

    source: str
    files: list[FileOutcome] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)  # file names; the task fails on any
    # Periods of archived deliveries left for a later run (outside this run's periods): see work_stamp.
    waiting_periods: list[str] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {"source": self.source, "files": [f.summary() for f in self.files],
                "changed": sorted(set(self.changed)), "internal_errors": list(self.internal_errors)}


QUARANTINE_COLUMNS = ["source_row", "column", "header", "rule", "description", "value", "other_column", "other_value",
                      "person", "kommunkod"]


def _in_file_terms(records: list[dict[str, Any]], headers: dict[str, str], config: DatasetConfig) -> None:
    """Name each fault's columns by the file's own headers and describe it from the message catalogue;
    an unknown code's text lists the codes the source may deliver there."""
    def named(columns: str | None) -> str | None:
        return None if not columns else ", ".join(headers.get(c, c) for c in columns.split(","))

    accepted: dict[str, str] = {}  # column -> its accepted codes, made once per file
    for record in records:
        record["header"] = named(record.get("column"))
        params = {"column": record["header"], "value": _clipped(record.get("value")),
                  "other_column": named(record.get("other_column")), "other_value": _clipped(record.get("other_value")),
                  **record.pop("params", {})}
        if record["rule"] == "unknown_code" and record.get("column"):
            column = record["column"]
            if column not in accepted:
                accepted[column] = accepted_codes(config, column)
            params["accepted"] = accepted[column]
        message = record.pop("message", None) or f"rule.{record['rule']}"  # harmonise may name a closer text
        if message in catalogue() and record.get("column"):
            record["description"] = t(message, **params)


def _clipped(value: Any) -> str | None:
    return None if is_missing(value) else clip(str(value))


def _quarantine_frame(records: list[dict[str, Any]], ctx: FileContext) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=QUARANTINE_COLUMNS)
    frame.insert(0, "file_sha256", ctx.file_sha256)
    frame.insert(0, "file_name", ctx.file_name)
    frame.insert(0, "period", ctx.period)
    frame.insert(0, "dataset", ctx.dataset)
    frame.insert(0, "source", ctx.source.id)
    for column in ("file_name", "header", "description", "value", "other_value"):  # whatever was delivered, in any text column
        frame[column] = frame[column].map(lambda v: None if is_missing(v) else mask_in_text(str(v)))
    for column in ("value", "other_value"):  # a 100 000-character cell
        frame[column] = frame[column].map(lambda v: v if v is None else clip(v))
    return frame.sort_values(["source_row", "column", "rule"], kind="stable", na_position="first").reset_index(drop=True)


def _rejected(ctx: FileContext, fault: FileFault, rows: list[int], typed: pd.DataFrame | None,
              faults: list[dict] | None = None, detected: str = "", warnings=(),
              headers: dict[str, str] | None = None) -> FileResult:
    """Every row of a rejected file is held in quarantine, with its own faults where known."""
    message = mask_in_text(str(fault))
    records = list(faults or [])
    faulty = {r["source_row"] for r in records}
    records += [{"source_row": r, "column": None, "rule": fault.rule, "description": message, "value": None}
                for r in rows if r not in faulty]
    _attach_person(records, typed)
    _in_file_terms(records, headers or {}, ctx.config)
    return FileResult("rejected", message, len(rows), None, _quarantine_frame(records, ctx), detected,
                      [mask_in_text(w) for w in warnings], fault.rule, headers=headers or {})


def _attach_person(records: list[dict], typed: pd.DataFrame | None) -> None:
    if typed is None or typed.empty:
        return
    lookup = typed.set_index("source_row")[["person", "kommunkod"]]
    for record in records:
        if record["source_row"] in lookup.index:
            record["person"] = lookup.at[record["source_row"], "person"]
            record["kommunkod"] = lookup.at[record["source_row"], "kommunkod"]


def membership_faults(typed: pd.DataFrame, snapshot: pd.DataFrame, multi_municipal: bool) -> list[dict]:
    """exports.md: the person must be an accepted participant of the source (same enrolment kommunkod).

    Faults in row order: unknown persons first, then (multi-municipal sources) known persons whose
    row names another kommunkod than their enrolment."""
    present = typed["person"].notna().to_numpy()
    known = _is_in(typed["person"], snapshot["person"]) & present
    faults = [{"source_row": int(r), "column": "person_id", "rule": "person_not_in_participants",
               "description": "the person is not an accepted participant in the source's participants snapshot "
                              "for this period (or the newest earlier one)", "value": p}
              for r, p in _where(typed, present & ~known, "person")]
    if multi_municipal:
        enrolled = pd.MultiIndex.from_frame(snapshot[["person", "kommunkod"]])
        same = pd.MultiIndex.from_frame(typed[["person", "kommunkod"]]).isin(enrolled)
        faults += [{"source_row": int(r), "column": "kommunkod", "rule": "kommunkod_differs_from_enrolment",
                    "description": "the row's kommunkod is not that of the person's enrolment", "value": k}
                   for r, k in _where(typed, known & ~same, "kommunkod")]
    return faults


def _is_in(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` by Arrow: pandas 3 makes an Arrow scalar of each allowed string
    first, which dominates the membership check of a large file."""
    found = pc.is_in(pa.array(values, type=pa.string(), from_pandas=True),
                     value_set=pa.array(allowed, type=pa.string(), from_pandas=True))
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _where(typed: pd.DataFrame, mask, column: str):
    """(source_row, value of ``column``) of the rows ``mask`` picks, in row order."""
    picked = typed.loc[mask, ["source_row", column]]
    return zip(picked["source_row"].tolist(), picked[column].tolist(), strict=True)


INTERNAL_ERROR = "internal_error"
UNREADABLE = "file_unreadable"  # a landing file that could not be read (landing.Unreadable)


def evaluate_file(path: Path, ctx: FileContext, key: bytes, snapshot: pd.DataFrame | None,
                  name_fault: str | None = None, membership: bool = True, today: date | None = None) -> FileResult:
    """Parse, harmonise, pseudonymise and validate one file (exports.md, bad input).

    With ``today``, a participants snapshot of a month not over by then is a file fault.
    ``membership=False`` skips the cross-dataset check against the participants
    snapshot (a steward's pre-delivery check has no snapshot to compare with).
    exports.md, "No input crashes the pipeline": an unexpected error rejects this
    file only, with rule ``internal_error``; the caller decides to fail afterwards.
    """
    try:
        with collector_paused():
            return _evaluate(path, ctx, key, snapshot, name_fault, membership, today)
    except Exception as exc:  # any bug or library failure: contained to this file
        return _internal_error(path, ctx, exc)


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while one file is checked, back on after.

    Reading and harmonising make a list per row, which sets the collector off every
    few hundred rows; each pass over the oldest generation walks the whole heap of a
    long-lived task process (Airflow, GX, earlier files) and finds nothing to free,
    since a file's rows hold no reference cycles (the gain on the x100 data is in
    benchmarks/README.md). Memory held by any cycles made meanwhile is freed by the
    first collection after.
    """
    if not gc.isenabled():  # paused already (a caller's own pause): leave it as found
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _internal_error(path: Path, ctx: FileContext, exc: Exception) -> FileResult:
    """Reject the file naming the error's kind and place; never its message (it may quote a cell)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)
                  if "/transforms/" in f.filename), frames[-1].name if frames else "?")
    log.error("%s %s %s %s: internal error %s at %s\n%s", ctx.source.id, ctx.dataset, ctx.period, shown(ctx.file_name),
              type(exc).__name__, where, "".join(traceback.format_list(frames)))
    fault = FileFault(t("ingest.internal_error", error=type(exc).__name__, where=where), INTERNAL_ERROR)
    try:  # hold every row in quarantine when the file at least reads
        rows = read_file(path, ctx.config.format).row_numbers
    except Exception:
        rows = []
    return _rejected(ctx, fault, rows, None)


def _evaluate(path: Path, ctx: FileContext, key: bytes, snapshot: pd.DataFrame | None,
              name_fault: str | None, membership: bool, today: date | None = None) -> FileResult:
    try:
        if name_fault:
            raise FileFault(name_fault, "invalid_file_name")
        table = read_file(path, ctx.config.format)
    except FileFault as unreadable:
        return _rejected(ctx, unreadable, [], None)
    detected = table.describe_format()
    try:
        harmonised = harmonise(table, ctx, key)
    except FileFault as unharmonised:
        return _rejected(ctx, unharmonised, table.row_numbers, None, detected=detected)
    typed = typed_frame(harmonised.frame, ctx.dataset)
    warnings = harmonised.warnings
    rows = table.row_numbers
    # The raw cells (a list per row) are let go before GX runs: GX leaves reference cycles through
    # its exceptions' tracebacks, whose frames hold this one until the collector runs, so every row's
    # list would wait for it and cost it a visit (a third of a large file's collection time).
    del table
    if ctx.dataset == "participants" and today is not None and today <= ctx.period_end:
        # The snapshot is the state at the month's end: one made earlier would be read as final.
        fault = FileFault(t("privacy.month_not_over", period=ctx.period, today=today.isoformat()), "month_not_over")
        return _rejected(ctx, fault, rows, typed, detected=detected, warnings=warnings, headers=harmonised.headers)
    if ctx.dataset == "participants" and not rows:
        return _rejected(ctx, FileFault(t("ingest.participants_empty"), "participants_empty"),
                         rows, None, detected=detected, warnings=warnings, headers=harmonised.headers)
    membership = membership and ctx.dataset != "participants"
    if membership and snapshot is None and rows:
        return _rejected(ctx, FileFault(t("ingest.no_participants_snapshot", source=ctx.source.id, period=ctx.period),
                                        "no_participants_snapshot"),
                         rows, typed, detected=detected, warnings=warnings, headers=harmonised.headers)
    gx_faults, validation = validate(
        typed, ctx.dataset, parameters_for(ctx.period_start, ctx.period_end, ctx.period, ctx.source.municipalities),
        run_name_for(ctx.source.id, ctx.dataset, ctx.period, ctx.file_sha256))
    converted = {(f["source_row"], f["column"]) for f in harmonised.faults}
    for found in gx_faults:  # stewards know the column as person_id (the pseudonym replaced it)
        found["column"] = ",".join("person_id" if c == "person" else c for c in found["column"].split(","))
    faults = harmonised.faults + [f for f in gx_faults
                                  if not (f["rule"] == "required" and (f["source_row"], f["column"]) in converted)]
    if membership and rows:
        faults += membership_faults(typed, snapshot, len(ctx.source.municipalities) > 1)
    _attach_person(faults, typed)
    failing = {f["source_row"] for f in faults}
    threshold = ctx.source.quarantine_threshold
    if rows and len(failing) / len(rows) > threshold:
        top = pd.Series([f["rule"] for f in faults]).value_counts().head(3)
        common = ", ".join(f"{rule_title(rule)} ({n})" for rule, n in top.items())
        fault = FileFault(t("ingest.too_many_failing", failing=len(failing), rows=len(rows),
                            share=number(len(failing) / len(rows), percent=True),
                            threshold=number(threshold, percent=True), common=common),
                          "too_many_failing_rows")
        result = _rejected(ctx, fault, rows, typed, faults, detected, warnings, harmonised.headers)
        result.validation = validation
        return result
    accepted = typed[~typed["source_row"].isin(failing)].reset_index(drop=True)
    dropped = _snapshot_drop(ctx, accepted, snapshot) if ctx.dataset == "participants" else None
    if dropped and ctx.source.participants_drop_action == "reject":
        result = _rejected(ctx, FileFault(dropped + t("intake.participants_drop_rejected"),
                                          "participants_dropped"),
                           rows, typed, faults, detected, warnings, harmonised.headers)
        result.validation = validation
        return result
    _in_file_terms(faults, harmonised.headers, ctx.config)
    quarantine = _quarantine_frame(faults, ctx)
    status = "loaded_with_quarantine" if failing else "loaded"
    warnings = warnings + ([dropped + t("intake.participants_drop_loaded")] if dropped else [])
    message = (t("ingest.loaded", n=len(accepted)) + (", " + t("ingest.quarantined", n=len(failing)) if failing else "")
               + (t("intake.warning", text=warnings[-1]) if dropped else "")
               + ("; " + t("ingest.warnings", n=len(warnings)) if warnings else ""))
    return FileResult(status, message, len(rows), accepted, quarantine, detected,
                      [mask_in_text(w) for w in warnings], validation=validation, headers=harmonised.headers)


def _snapshot_drop(ctx: FileContext, accepted: pd.DataFrame, previous: pd.DataFrame | None) -> str | None:
    """Why this participants snapshot drops too many of the previous one's persons, or None.

    A snapshot lists every participant ever enrolled, so persons should not disappear.
    """
    if previous is None or previous.empty:
        return None
    before = set(previous["person"].dropna())
    gone = len(before - set(accepted["person"].dropna()))
    limit = ctx.source.participants_drop_share
    if not before or gone / len(before) <= limit:
        return None
    return t("intake.participants_drop", gone=gone, before=len(before), share=number(gone / len(before), percent=True),
             limit=number(limit, percent=True))


# --- one source -------------------------------------------------------------------------


def snapshot_for(settings: Settings, source: str, period: str) -> tuple[pd.DataFrame | None, str]:
    """The accepted participants of ``source`` for ``period``, else the newest earlier (and its checksum)."""
    parts = curated.partitions(settings.curated_dir, "participants", source)
    usable = sorted(p for (_, p) in parts if p <= period)
    if not usable:
        return None, ""
    chosen = usable[-1]
    meta = curated.partition_metadata(settings.curated_dir, "participants", source, chosen) or {}
    frame = pd.read_parquet(parts[(source, chosen)], columns=["person", "kommunkod"])
    return frame, meta.get("sha256", "")


def _store(settings: Settings, delivery: landing.Delivery, ctx: FileContext, result: FileResult,
           participants_sha: str) -> bool:
    """Write the file's accepted rows (unless a later delivery's are there) and its quarantine; whether
    the curated partition changed."""
    changed = False
    if result.accepted is not None:
        current = curated.partition_metadata(settings.curated_dir, ctx.dataset, ctx.source.id, ctx.period)
        order = f"{delivery.arrived_at}|{delivery.mtime:020.6f}|{delivery.file_name}"
        if current is None or current.get("order", "") <= order:
            curated.write_partition(settings.curated_dir, ctx.dataset, ctx.source.id, ctx.period, result.accepted, {
                "sha256": delivery.sha256, "file_name": delivery.file_name, "arrived_at": delivery.arrived_at,
                "order": order, "participants_sha256": participants_sha,
            })
            changed = True
    curated.write_quarantine(settings.quarantine_dir, ctx.source.id, ctx.dataset, ctx.period or "_",
                             delivery.sha256, result.quarantine)
    return changed


def _checked_record(delivery: landing.Delivery, result: FileResult, participants_sha: str, recheck: bool,
                    data_docs: str, steward_page: str = "") -> LedgerRecord:
    """The record of a file that was read: every fact known once it is stored and its page written."""
    return LedgerRecord(
        key=delivery.key, file_name=delivery.file_name, arrived_at=delivery.arrived_at,
        processed_at=datetime.now(UTC).isoformat(timespec="seconds"), status=result.status, message=result.message,
        rows_read=result.rows_read, rows_accepted=result.rows_accepted, rows_quarantined=result.rows_quarantined,
        detected_format=result.detected_format, warnings=tuple(result.warnings), participants_sha256=participants_sha,
        data_docs=data_docs, rule=result.rule, recheck=recheck, headers=tuple(result.headers.items()),
        steward_page=steward_page)


def _unread_record(key: DeliveryKey, file_name: str, message: str, arrived_at: str | None = None,
                   rule: str = "") -> LedgerRecord:
    """A file rejected before any of it was read: no rows (0 = 0 + 0), nothing in quarantine."""
    now = datetime.now(UTC)
    return LedgerRecord(
        key=key, file_name=file_name, arrived_at=arrived_at or now.isoformat(timespec="microseconds"),
        processed_at=now.isoformat(timespec="seconds"), status="rejected", message=message,
        rows_read=0, rows_accepted=0, rows_quarantined=0, rule=rule)


def ingest_source(settings: Settings, source: Source, key: bytes, files: list[Path],
                  period_range: tuple[str, str] | None = None, today: date | None = None,
                  progress: Callable[[str], None] | None = None) -> SourceResult:
    """Archive ``files`` (the source's landing files) and bring its curated data up to date.

    Returns, per file processed, its ledger record and quarantined rows, and the
    partitions changed (``.manifest()`` is the small part for XCom).
    """
    unreadable: list[landing.Unreadable] = []  # one file's fault: reported below, the others go on
    on = today or datetime.now(UTC).date()  # as Period.current reads the clock
    arrivals = {d.key for d in landing.archive(settings.data_dir, source, files, today, unreadable)}
    deliveries = landing.archived(settings.data_dir, source.id)
    result = SourceResult(source.id)
    store = Ledger(settings.ledger_dir)
    inside_data_dir(settings.data_docs_dir, settings.data_dir)  # pages go there: never through a symlink out
    outcomes, changed, internal_errors = result.files, result.changed, result.internal_errors

    def in_range(period: str) -> bool:
        return period_range is None or period_range[0] <= period <= period_range[1]

    def run(delivery: landing.Delivery, snapshot, participants_sha: str, recheck: bool) -> None:
        ctx = FileContext(source, delivery.dataset, delivery.period, delivery.file_name, delivery.sha256)
        if delivery.dataset == "participants":  # the snapshot it replaces or follows
            snapshot = snapshot_for(settings, source.id, delivery.period)[0]
        checked = evaluate_file(settings.data_dir / delivery.archive_path, ctx, key, snapshot, today=on)
        did_change = _store(settings, delivery, ctx, checked, participants_sha)
        page = "" if checked.validation is None else str(write_page(
            settings.data_docs_dir, checked.validation, source.id, delivery.dataset, delivery.period,
            delivery.sha256, delivery.file_name, checked.quarantine).relative_to(settings.data_dir))
        steward_page = _steward_page(ctx, lambda: write_file_page(
            settings.data_dir, ctx, checked, arrived_at=delivery.arrived_at, data_docs=page,
            source_quarantine=_participants_quarantine(settings, source.id, checked)))
        # written as each file finishes: a later crash loses no record
        record = store.write(_checked_record(delivery, checked, participants_sha, recheck, page, steward_page))
        if checked.rule == INTERNAL_ERROR:
            internal_errors.append(delivery.file_name)
        if did_change:
            changed.append((delivery.dataset, delivery.period))
        outcomes.append(FileOutcome(record, checked.quarantine.drop(columns=["person"])))
        if progress:
            progress(f"{source.id} {delivery.dataset} {delivery.period or '?'} {shown(record.file_name)}: "
                     f"{t('status.' + record.status)}")

    def with_page(record: LedgerRecord) -> LedgerRecord:
        ctx = FileContext(source, record.dataset, record.period, record.file_name, record.file_sha256)
        return replace(record, steward_page=_steward_page(
            ctx, lambda: write_record_page(settings.data_dir, source, record)))

    _report_landing_faults(store, source, files, outcomes, progress, with_page)
    for entry in unreadable:  # reported once; read (by checksum, as any delivery) once it can be
        unread = DeliveryKey(source.id, entry.dataset, entry.period, entry.identity)
        if not store.exists(unread):
            _report_rejected(store, with_page(_unread_record(unread, entry.name, entry.message, rule=UNREADABLE)),
                             outcomes, progress, name_fault=False)
    for delivery in deliveries:  # names that say no valid dataset/period: report once
        if delivery.name_fault and not store.exists(delivery.key):
            _report_rejected(store, with_page(_unread_record(delivery.key, delivery.file_name, delivery.name_fault,
                                                             delivery.arrived_at)), outcomes, progress)

    valid = [d for d in deliveries if not d.name_fault and in_range(d.period)]
    for period in sorted({d.period for d in valid}):
        membership = None  # read once per period, after this period's participants are stored
        for dataset in DATASETS:
            candidates = [d for d in valid if d.period == period and d.dataset == dataset]
            if not candidates:
                continue
            if dataset == "participants":
                snapshot, participants_sha = None, ""
            else:
                membership = membership or snapshot_for(settings, source.id, period)
                snapshot, participants_sha = membership
            current = curated.partition_metadata(settings.curated_dir, dataset, source.id, period) or {}
            newest = candidates[-1]
            for delivery in candidates:
                recorded = store.latest(delivery.key)
                # A file an internal error rejected is tried again on every run until the fix.
                pending = recorded is None or delivery.key in arrivals or recorded.rule == INTERNAL_ERROR
                stale_membership = (recorded is not None and dataset != "participants"
                                    and delivery.sha256 in {current.get("sha256"), newest.sha256}
                                    and recorded.participants_sha256 != participants_sha)
                purged = not (settings.data_dir / delivery.archive_path).exists()
                if (pending or stale_membership) and not purged:
                    run(delivery, snapshot, participants_sha, recheck=recorded is not None and not pending)
    result.waiting_periods = sorted({d.period for d in deliveries
                                     if not d.name_fault and not in_range(d.period) and _unfinished(settings, d)})
    if any(outcome.record.data_docs for outcome in outcomes):
        # Only after writing pages, and only this source's folder listed again: the other sources'
        # rows are kept from the last build, so a task's cost does not grow with the project's pages.
        build_index(settings.data_docs_dir, {source.id})
    if outcomes:
        _steward_page(None, lambda: write_source_page(settings.data_dir, source, store))
    # The caller fails the task when internal_errors is not empty (exports.md: the operator sees it).
    return result


def _participants_quarantine(settings: Settings, source: str, checked: FileResult) -> pd.DataFrame | None:
    """The source's quarantined participants rows, where the file has cascades to trace to them."""
    if checked.quarantine.empty or not (checked.quarantine["rule"] == CASCADE_RULE).any():
        return None
    return curated.read_quarantine(settings.quarantine_dir / source, "participants")


def _steward_page(ctx: FileContext | None, write: Callable[[], Any]) -> str:
    """A steward page written (its path, relative to the data folder), or '' when writing it failed: the
    page is a report about the data, and its fault must not stop the data being stored."""
    try:
        return str(write())
    except Exception:
        where = "its source" if ctx is None else f"{ctx.dataset} {ctx.period} {mask_in_text(shown(ctx.file_name))}"
        log.exception("steward page not written for %s", where)
        return ""


def _unfinished(settings: Settings, delivery: landing.Delivery) -> bool:
    """A delivery a run in its period would process: never recorded, or last rejected by an internal error."""
    if not (settings.data_dir / delivery.archive_path).exists():
        return False  # purged by retention: nothing left to process
    recorded = Ledger(settings.ledger_dir).latest(delivery.key)
    return recorded is None or recorded.rule == INTERNAL_ERROR


def _report_landing_faults(store: Ledger, source: Source, files: list[Path], outcomes, progress,
                           with_page: Callable[[LedgerRecord], LedgerRecord]) -> None:
    """Links, devices, FIFOs, subfolders and names matching no pattern — reported once, never archived."""
    refused = landing.scan(source.delivery.folder)[1] if source.delivery.folder is not None else []
    for entry in refused:  # identified by lstat: a link or device is never opened
        key = DeliveryKey(source.id, landing.REFUSED, "", entry.identity)
        if not store.exists(key):
            _report_rejected(store, with_page(_unread_record(key, entry.name, entry.message)), outcomes, progress)
    for path, fault in landing.unmatched(source, files):
        try:
            # never archived, so reported by name: each misnamed file once, however many share its bytes
            sha = landing.named_identity(path.name, landing.fingerprint(path))  # an unreadable one is still named
        except FileNotFoundError:
            continue
        key = DeliveryKey(source.id, landing.UNMATCHED, "", sha)
        if not store.exists(key):
            _report_rejected(store, with_page(_unread_record(key, path.name, t("intake.not_archived", fault=fault))),
                             outcomes, progress)


def _report_rejected(store: Ledger, record: LedgerRecord, outcomes: list[FileOutcome], progress,
                     name_fault: bool = True) -> None:
    record = store.write(record)
    outcomes.append(FileOutcome(record, name_fault=name_fault))
    if progress:
        progress(f"{record.source} {shown(record.file_name)}: {t('status.rejected')} ({record.message})")


def stale_sources(settings: Settings, config, period: str | None = None) -> list[dict[str, str]]:
    """Sources with no accepted participants snapshot for ``period`` or later (indicators.md, stale).

    Without a period: the latest period any source has a snapshot for.
    """
    snapshots = {sid: sorted(p for (_, p) in curated.partitions(settings.curated_dir, "participants", sid))
                 for sid in config.sources}
    newest = [s[-1] for s in snapshots.values() if s]
    period = period or (max(newest) if newest else None)
    if period is None:
        return [{"source": sid, "name": s.name, "newest_snapshot": ""} for sid, s in config.sources.items()]
    return [{"source": sid, "name": config.sources[sid].name, "newest_snapshot": (snaps[-1] if snaps else "")}
            for sid, snaps in snapshots.items() if not snaps or snaps[-1] < period]


UNKNOWN_SOURCE = "_unknown"


def resolver() -> Callable[[Path], Path]:
    """``Path.resolve``, each parent folder resolved once: a project's hundreds of delivery folders share
    one, and resolving each path walked every folder above it again."""
    parents: dict[Path, Path] = {}

    def resolved(path: Path) -> Path:
        if path.name in ("", ".", "..") or path.is_symlink():
            return path.resolve()
        if path.parent not in parents:
            parents[path.parent] = path.parent.resolve()
        return parents[path.parent] / path.name

    return resolved


def report_unknown_sources(settings: Settings, config) -> list[dict[str, Any]]:
    """Files in a landing folder that belongs to no configured source (exports.md: a file-level fault).

    They stay where they are (nothing is lost) and get a rejected ledger record once,
    under the source id ``_unknown``, so the project office sees them in ``samla status``.
    """
    resolved = resolver()
    known = {resolved(s.delivery.folder) for s in config.sources.values() if s.delivery.folder is not None}
    known |= {resolved(folder) for folder in getattr(config, "faulty_folders", ())}  # faulty entries: not unknown
    outcomes: list[dict[str, Any]] = []
    store = Ledger(settings.ledger_dir)
    if not settings.landing_dir.is_dir():
        return outcomes
    for folder in sorted(p for p in settings.landing_dir.iterdir() if p.is_dir()):
        if folder.name.startswith(("_", ".")) or resolved(folder) in known:
            continue
        for path in landing.candidate_files(folder):
            try:  # by name and bytes, as a misnamed file: each file of the folder is reported
                sha = landing.named_identity(path.name, landing.fingerprint(path))  # an unreadable one too
            except FileNotFoundError:
                continue
            key = DeliveryKey(UNKNOWN_SOURCE, folder.name, "", sha)
            if store.exists(key):
                continue
            message = t("ingest.unknown_source", folder=repr(folder.name), known=", ".join(sorted(config.sources)))
            store.write(_unread_record(key, path.name, message))
            outcomes.append({"folder": folder.name, "file_name": path.name, "message": message})
    return outcomes
