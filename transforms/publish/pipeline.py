"""Curated Parquet -> published indicator tables (warehouse, Parquet, fund report).

Rebuilds only what changed inputs affect: the curated partitions' checksums
are kept in the warehouse itself (``publication_state``, written in the
transaction that publishes the numbers), so a new, emptied or restored
warehouse gets exactly what it lacks on the next run; a new participants
snapshot may restate every period (best current knowledge), a new attendance,
survey or activities partition only its period and the later ones. Reruns on
the same inputs give identical tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from transforms.config.project import current_project
from transforms.config.schema import DATASETS, curated_columns
from transforms.config.settings import Settings, default_warehouse_url
from transforms.config.sources import SourcesConfig
from transforms.ingest import curated
from transforms.ingest.ledger import Ledger
from transforms.period import Period, month_range
from transforms.publish import warehouse
from transforms.publish.completeness import dataset_status
from transforms.publish.disclosure import suppress
from transforms.publish.indicators import (
    USED_COLUMNS,
    IndicatorInputs,
    compute,
    published_periods,
    shared_strings,
)
from transforms.publish.memory import release_freed_memory

LEDGER_COLUMNS = ["source", "dataset", "period", "file_name", "file_sha256", "arrived_at", "detected_format",
                  "rows_read", "rows_accepted", "rows_quarantined", "status", "message", "data_docs"]


@dataclass
class Plan:
    periods: list[str]  # the periods to (re)publish
    fingerprint: dict[str, str]  # "dataset/source/period" -> delivery checksum
    reason: str
    limited: bool = False  # a range asked for that leaves published periods out


def input_fingerprint(settings: Settings) -> dict[str, str]:
    out = {}
    for dataset in DATASETS:
        for (source, period), _ in curated.partitions(settings.curated_dir, dataset).items():
            meta = curated.partition_metadata(settings.curated_dir, dataset, source, period) or {}
            out[f"{dataset}/{source}/{period}"] = meta.get("sha256", "")
    return out


def previous_state(settings: Settings) -> dict:
    """What the warehouse holds on record ({} for a new or emptied one)."""
    return warehouse.publication_state_of(settings.warehouse_url)


def plan(settings: Settings, all_periods: list[str], wanted: tuple[str, str] | None = None,
         state: dict | None = None) -> Plan:
    """Which periods need publishing now, against ``state`` (default: what the warehouse holds)."""
    fingerprint = input_fingerprint(settings)
    state = previous_state(settings) if state is None else state
    in_range = [p for p in all_periods if wanted is None or wanted[0] <= p <= wanted[1]]
    if wanted is not None:
        return Plan(in_range, fingerprint, "periods asked for", limited=in_range != all_periods)
    old = state.get("fingerprint")
    if old is None or state.get("threshold") != settings.suppression_threshold or \
            state.get("periods") != all_periods[: len(state.get("periods", []))]:
        return Plan(in_range, fingerprint, "first publication or changed settings")
    changed = changed_inputs(old, fingerprint)
    new_periods = [p for p in all_periods if p not in state.get("periods", [])]
    if any(k.startswith("participants/") for k in changed):
        return Plan(in_range, fingerprint, "a participants snapshot changed: every period is restated")
    first = min([k.rsplit("/", 1)[1] for k in changed] + new_periods, default=None)
    if first is None:
        return Plan([], fingerprint, "no input changed since the last publication")
    return Plan([p for p in in_range if p >= first], fingerprint, f"inputs changed from {first}")


def changed_inputs(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The "dataset/source/period" keys whose delivery differs (new, replaced or gone)."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def published_state(previous: dict, todo: Plan, all_periods: list[str], threshold: int) -> dict:
    """The state to record after publishing ``todo``: what is now published, no more.

    A publish of some periods only (a range asked for) publishes an input only
    where every period it affects was among them — a participants snapshot
    affects every period, another dataset's delivery its period and the later
    ones — and changes neither the threshold nor the periods on record, so the
    next full publish still sees what the range left out.
    """
    if not todo.limited:
        return {"fingerprint": todo.fingerprint, "threshold": threshold, "periods": all_periods}
    done = set(todo.periods)
    old = previous.get("fingerprint", {})

    def covered(key: str) -> bool:
        dataset, _source, period = key.split("/")
        affected = all_periods if dataset == "participants" else [p for p in all_periods if p >= period]
        return done.issuperset(affected)

    fingerprint = {}
    for key in set(old) | set(todo.fingerprint):
        value = todo.fingerprint.get(key) if covered(key) else old.get(key)
        if value is not None:
            fingerprint[key] = value
    return {"fingerprint": fingerprint, "threshold": previous.get("threshold"),
            "periods": previous.get("periods", [])}


def inputs_changed(previous: dict, fingerprint: dict[str, str], ledger_frame: pd.DataFrame) -> list[dict]:
    """For ``publication_log.inputs``: each changed delivery with its file name (no row content)."""
    names = {}
    if len(ledger_frame):
        names = dict(zip(ledger_frame["file_sha256"], ledger_frame["file_name"], strict=True))
    out = []
    before = previous.get("fingerprint", {})
    for key in changed_inputs(before, fingerprint):
        dataset, source, period = key.split("/")
        sha = fingerprint.get(key)
        change = "removed" if not sha else "replaced" if key in before else "new"
        out.append({"dataset": dataset, "source": source, "period": period,
                    "file_name": names.get(sha) if sha else None, "change": change})
    return out


def publishable_periods(inputs: IndicatorInputs, ledger_frame: pd.DataFrame) -> list[str]:
    """The project's first period through the latest period with an accepted delivery — also one without rows
    (a header-only attendance file), which the curated rows alone would not show."""
    accepted = ledger_frame.loc[ledger_frame["status"].isin(["loaded", "loaded_with_quarantine"]), "period"]
    from_rows = published_periods(inputs)
    latest = max([*from_rows[-1:], *accepted.dropna().tolist()], default=None)
    first, last = current_project().window
    return month_range(first, min(Period.parse(latest), last)) if latest else []


def load_inputs(settings: Settings, config: SourcesConfig) -> IndicatorInputs:
    """The curated columns the indicators read; the keys as one Python string per distinct value
    (a pseudonym per row in Arrow, and again as Python strings, was most of publication's memory)."""
    frames = {}
    for dataset in DATASETS:
        frame = curated.read_dataset(settings.curated_dir, dataset,
                                     columns=[c for c in curated_columns(dataset) if c in USED_COLUMNS[dataset]])
        for column in ("person", "kommunkod", "period"):
            frame[column] = shared_strings(frame[column])
        frames[dataset] = frame
    return IndicatorInputs(frames["participants"], frames["attendance"], frames["survey"], frames["activities"],
                           sorted(config.sources))


def quarantine_summary(settings: Settings) -> pd.DataFrame:
    q = curated.read_quarantine(settings.quarantine_dir)
    cols = ["source", "dataset", "period", "file_sha256", "column", "rule"]
    if q.empty:
        return pd.DataFrame(columns=[*cols, "rows"])
    q["column"] = q["column"].fillna("")
    return q.groupby(cols, dropna=False)["source_row"].nunique().rename("rows").reset_index()


def publish(settings: Settings, config: SourcesConfig, wanted: tuple[str, str] | None = None) -> dict:
    """Compute, suppress and publish what changed; returns a summary (no personal data)."""
    release_freed_memory()
    inputs = load_inputs(settings, config)
    release_freed_memory()
    ledger_frame = Ledger(settings.ledger_dir).counted()
    all_periods = publishable_periods(inputs, ledger_frame)
    previous = previous_state(settings)
    todo = plan(settings, all_periods, wanted, state=previous)
    summary = {"periods": todo.periods, "reason": todo.reason, "published": False}
    if not todo.periods:  # no indicator changes, but new ledger records (e.g. only rejections) are shown
        warehouse.refresh_steward_tables(settings.warehouse_url, load_ledger=ledger_frame[LEDGER_COLUMNS],
                                         quarantine_summary=quarantine_summary(settings),
                                         reporting_role=settings.reporting_role)
        return summary
    restricted, status = compute(inputs, todo.periods)
    del inputs
    release_freed_memory()
    published = suppress(restricted, settings.suppression_threshold)
    result = warehouse.write_publication(
        settings.warehouse_url,
        indicator_values=published,
        indicator_values_restricted=restricted,
        source_status=status,
        periods=todo.periods,
        areas=warehouse.areas_frame(),
        indicators=warehouse.indicators_dimension(),
        load_ledger=ledger_frame[LEDGER_COLUMNS],
        quarantine_summary=quarantine_summary(settings),
        dataset_status=dataset_status(ledger_frame, sorted(config.sources), todo.periods),
        inputs=inputs_changed(previous, todo.fingerprint, ledger_frame),
        root=settings.data_dir if settings.warehouse_url == default_warehouse_url(settings.data_dir) else None,
        state=published_state(previous, todo, all_periods, settings.suppression_threshold),
        reporting_role=settings.reporting_role,
    )
    summary.update(published=True, rows=result["rows"],
                   suppressed=int(published["suppressed"].sum()), cells=len(published))
    return summary


def export_files(settings: Settings) -> dict[str, str]:
    """The warehouse's published tables as Parquet, the fund report and the HTML report
    (``published/report/index.html``), all from the same content."""
    from transforms.config.project import current_project
    from transforms.publish.fund_report import report_file_name, write_fund_report
    from transforms.publish.html_report import write_html_report
    from transforms.publish.published_files import write_published_parquet

    url = settings.warehouse_url
    tables = {name: warehouse.read_table(url, name)
              for name in ("indicator_values", "source_status", "dataset_status", "publication_log",
                           "areas", "indicators", "data_dictionary")}
    paths = write_published_parquet(settings.published_dir, tables, root=settings.data_dir)
    periods = sorted(tables["indicator_values"]["period"].unique())
    if not periods:
        return {k: str(v) for k, v in paths.items()}
    now = datetime.now(UTC)
    report = settings.reports_dir / report_file_name(current_project().code, periods[-1])
    write_fund_report(report, indicator_values=tables["indicator_values"], source_status=tables["source_status"],
                      areas=tables["areas"], indicators=tables["indicators"], periods=periods,
                      generated_at=now, threshold=settings.suppression_threshold,
                      dataset_status=tables["dataset_status"], root=settings.data_dir)
    html = write_html_report(settings.published_dir / "report", root=settings.data_dir,
                             indicator_values=tables["indicator_values"],
                             dataset_status=tables["dataset_status"], areas=tables["areas"],
                             indicators=tables["indicators"], periods=periods,
                             generated_at=now, threshold=settings.suppression_threshold)
    return {**{k: str(v) for k, v in paths.items()}, "fund_report": str(report), "html_report": str(html)}
