"""The real ingestion DAG end to end with dag.test(): all sources, sample deliveries, privacy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from privacy import leaks

from transforms.config.schema import DATASETS
from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.demo.generate import generate
from transforms.ingest import curated
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import Ledger, LedgerRecord

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

PERIODS = ["2024-09", "2024-10", "2024-11"]


@pytest.fixture(scope="module")
def ingested(airflow_db, tmp_path_factory):
    data = tmp_path_factory.mktemp("dag") / "data"
    data.mkdir()
    os.environ["SAMLA_DATA_DIR"] = str(data)
    # The key comes the deployment's way: an Airflow Variable (here from the environment),
    # copied into the settings by samla_airflow.settings_bridge inside the task.
    os.environ["AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY"] = "dag-test-key-0123456789abcdef"
    os.environ.pop("SAMLA_PSEUDONYM_KEY", None)
    try:
        settings = load_settings()
        config = load_sources(settings.sources_file, data)
        manifest = generate(config, data, PERIODS)
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        assert not bag.import_errors, bag.import_errors
        run = bag.get_dag("samla_ingest").test(run_conf={"period_from": PERIODS[0], "period_to": PERIODS[-1]})
        # the ledger as this run left it: later tests here add records of their own
        yield settings, config, manifest, run, Ledger(settings.ledger_dir).counted()
    finally:
        for name in ("SAMLA_DATA_DIR", "SAMLA_PSEUDONYM_KEY", "AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY"):
            os.environ.pop(name, None)


def test_every_source_task_succeeds(ingested):
    _, config, _, run, _ = ingested
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    assert str(getattr(run.state, "value", run.state)) == "success"
    # + select_sources, unknown_sources, summary, quarantined_sources, needs_attention, quarantined_rows, run_check
    assert len(states) == len(config.sources) + 7
    assert all(s == "success" for s in states.values()), states
    for task_id in ("needs_attention", "quarantined_rows"):
        named = [ti.rendered_map_index for ti in run.get_task_instances() if ti.task_id == task_id]
        assert named and all(named), f"{task_id}: every source with problems is named in the grid"


def test_curated_partition_for_every_source_dataset_period(ingested):
    settings, config, manifest, *_ = ingested
    rejected = {(f["source"], f["dataset"], f["period"]) for f in manifest["faults"] if f["level"] == "file"}
    for dataset in DATASETS:
        have = set(curated.partitions(settings.curated_dir, dataset))
        for sid in config.sources:
            for period in PERIODS:
                if (sid, dataset, period) in rejected:
                    assert (sid, period) not in have
                else:
                    assert (sid, period) in have, (dataset, sid, period)


def test_ledger_balances_and_faults_are_reported(ingested):
    settings, _, manifest, _, records = ingested
    assert len(records) == len(config_files(manifest))
    assert (records["rows_read"] == records["rows_accepted"] + records["rows_quarantined"]).all()
    quarantine = curated.read_quarantine(settings.quarantine_dir)
    for fault in manifest["faults"]:
        if fault["period"] not in PERIODS:
            continue
        mine = quarantine[(quarantine["source"] == fault["source"]) & (quarantine["dataset"] == fault["dataset"])
                          & (quarantine["period"] == fault["period"])]
        assert set(fault["source_rows"]) <= set(mine["source_row"]), fault
        assert fault["rule"] in set(mine["rule"]), (fault, set(mine["rule"]))
        if fault["level"] == "file":
            record = records[(records["source"] == fault["source"]) & (records["dataset"] == fault["dataset"])
                             & (records["period"] == fault["period"])].iloc[-1]
            assert record["status"] == "rejected" and fault["rule"] in (record["message"] + mine["rule"].iloc[0])


def config_files(manifest) -> list[Path]:
    return [p for files in manifest["files"].values() for p in files]


def test_no_personnummer_outside_raw_archive_logs_or_xcom(ingested, airflow_db):
    settings, *_ = ingested
    assert leaks(settings.data_dir) == {}
    assert leaks(Path(airflow_db) / "logs", exclude=()) == {}
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from privacy import personnummer_in

    with create_session() as session:
        values = [str(x.value) for x in session.query(XComModel).filter(XComModel.dag_id == "samla_ingest")]
    assert values, "the source tasks should have pushed their manifests"
    assert not [v for v in values if personnummer_in(v)]


def test_without_a_key_the_source_tasks_fail_at_once(airflow_db, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path))
    for name in ("SAMLA_PSEUDONYM_KEY", "SAMLA_DEMO", "AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY"):
        monkeypatch.delenv(name, raising=False)
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag("samla_ingest")
    run = dag.test(run_conf={"sources": ["1480"]})
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    assert states["ingest_1480"] == "failed", "a configuration error must not wait for retries"
    assert states["ingest_kfv"] == "skipped"
    assert states["run_check"] == "upstream_failed" and str(getattr(run.state, "value", run.state)) == "failed"


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()} | {
        "_run": str(getattr(run.state, "value", run.state))}


def _run(conf):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag("samla_ingest").test(run_conf=conf)


def test_a_month_with_nothing_new_runs_no_source_task(ingested):
    settings, config, *_ = ingested
    before = len(Ledger(settings.ledger_dir).history())
    states = _states(_run({"period_from": "2024-12", "period_to": "2024-12"}))
    assert states["_run"] == "success" and states["select_sources"] == "success"
    assert {states[f"ingest_{sid}"] for sid in config.sources} == {"skipped"}, states
    assert states["run_check"] == "success"
    assert len(Ledger(settings.ledger_dir).history()) == before
    # the months already loaded: nothing is waiting either
    states = _states(_run({"period_from": PERIODS[0], "period_to": PERIODS[-1]}))
    assert {states[f"ingest_{sid}"] for sid in config.sources} == {"skipped"}, states


def test_a_new_entry_runs_its_source_only_and_a_named_source_always_runs(ingested):
    settings, config, *_ = ingested
    folder = config.sources["1480"].delivery.folder
    note = folder / "readme.txt"  # matches no pattern: the task must run to report it
    note.write_text("not an export", encoding="utf-8")
    try:
        states = _states(_run({"period_from": "2024-12", "period_to": "2024-12"}))
        assert states["ingest_1480"] == "success", states
        assert {states[f"ingest_{sid}"] for sid in config.sources if sid != "1480"} == {"skipped"}
        reported = Ledger(settings.ledger_dir).counted()
        assert "readme.txt" in set(reported[reported["source"] == "1480"]["file_name"])
        run = _run({"period_from": "2024-12", "period_to": "2024-12", "sources": ["1489"]})
        tries = {ti.task_id: ti.try_number for ti in run.get_task_instances()}
        assert _states(run)["ingest_1489"] == "skipped"  # by its own decision: nothing new
        assert tries["ingest_1489"] == 1 and tries["ingest_1480"] == 0, "asked for by name: it ran"
    finally:
        note.unlink()
        _run({"period_from": "2024-12", "period_to": "2024-12", "sources": ["1480"]})  # its stamp sees the folder again


def _attention(run) -> dict[str, list[str]]:
    """The names the grid shows under the two attention tasks."""
    tis = sorted(run.get_task_instances(), key=lambda ti: ti.map_index)
    return {task_id: [ti.rendered_map_index for ti in tis if ti.task_id == task_id and ti.map_index >= 0]
            for task_id in ("needs_attention", "quarantined_rows")}


def _summary_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Sammanfattning av perioderna")]


def test_rerunning_one_source_keeps_every_other_sources_problems(ingested, caplog):
    """A run for one source over the same periods: it checks nothing new, yet the grid still lists every
    rejected file and every source's quarantined rows of those periods (from the ledger), and the
    summary counts them."""
    import logging

    from transforms.messages import t

    _, config, manifest, *_ = ingested
    faults = [f for f in manifest["faults"] if f["period"] in PERIODS]
    rejected = {(f["source"], f["dataset"], f["period"]) for f in faults if f["level"] == "file"}
    held = {f["source"] for f in faults if f["level"] == "row"}
    assert rejected and held, "the sample deliveries plant both kinds of fault"
    with caplog.at_level(logging.INFO):
        run = _run({"period_from": PERIODS[0], "period_to": PERIODS[-1], "sources": ["1480"]})
    states = _states(run)
    assert states["ingest_1480"] == "skipped" and states["_run"] == "success", states
    names = _attention(run)
    for sid, dataset, period in rejected:
        assert any(n.startswith(f"{config.sources[sid].label}: ") and f"{dataset} {period}" in n
                   for n in names["needs_attention"]), (sid, dataset, period, names)
    assert all("avvisad" in n for n in names["needs_attention"])
    assert {n.split(":")[0] for n in names["quarantined_rows"]} >= {config.sources[sid].label for sid in held}
    assert all("i karantän" in n for n in names["quarantined_rows"])
    summary = _summary_lines(caplog)
    assert summary and t("dag.summary.rejected", n=len(rejected)) in summary[-1], summary
    assert summary[-1].splitlines()[0].endswith(f"kontrollerade {t('common.files', n=0)}."), summary[-1]


def _record(source, dataset, period, status, *, arrived="2025-02-01T00:00:00", quarantined=0):
    import hashlib

    name = f"{dataset}_{period}.csv" if period else f"{dataset}-{arrived}.txt"
    return LedgerRecord(
        key=DeliveryKey(source, dataset, period, hashlib.sha256(f"{source}/{name}/{status}/{arrived}".encode()).hexdigest()),
        file_name=name, arrived_at=arrived, detected_format="csv", rows_read=10,
        rows_accepted=0 if status == "rejected" else 10 - quarantined,
        rows_quarantined=10 if status == "rejected" else quarantined, status=status,
        message="planted", processed_at=arrived)


def test_more_than_1024_problem_files_are_listed_bounded(airflow_db, tmp_path, monkeypatch, caplog):
    """1 440 rejected files of 120 sources and 60 files with quarantined rows, written straight into the
    ledger: the run succeeds; one instance per source, at most 100, then one counting the rest."""
    import logging

    from transforms.ingest.attention import MAX_SOURCES, NAME_CHARS
    from transforms.messages import t

    data = tmp_path / "data"
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "dag-test-key-0123456789abcdef")
    store = Ledger(load_settings().ledger_dir)
    periods = ["2025-01", "2025-02", "2025-03"]
    for i in range(120):
        for dataset in DATASETS:
            for period in periods:
                store.write(_record(f"x{i:03d}", dataset, period, "rejected"))
    for i in range(5):
        for dataset in DATASETS:
            for period in periods:
                store.write(_record(f"q{i}", dataset, period, "loaded_with_quarantine", quarantined=2))
    # replaced by a later accepted delivery: no longer a problem; outside the run's periods: not its problem
    store.write(_record("x000", "participants", "2025-01", "loaded", arrived="2025-02-02T00:00:00"))
    store.write(_record("late", "participants", "2025-04", "rejected"))
    # a delivery rejected after an accepted one is the newest: a problem again
    store.write(_record("q0", "survey", "2025-01", "rejected", arrived="2025-02-03T00:00:00"))

    with caplog.at_level(logging.INFO):
        run = _run({"period_from": periods[0], "period_to": periods[-1], "sources": ["1489"]})
    assert _states(run)["_run"] == "success", _states(run)
    names = _attention(run)
    rejected = names["needs_attention"]
    assert len(rejected) == MAX_SOURCES + 1, len(rejected)
    assert all(len(n) <= NAME_CHARS for n in rejected)
    assert rejected[0] == "q0: 1 avvisad fil — survey 2025-01 (survey_2025-01.csv)", rejected[0]
    assert rejected[1].startswith("x000: 11 avvisade filer — ") and "… och " in rejected[1], rejected[1]
    assert rejected[2].startswith("x001: 12 avvisade filer — activities 2025-01 (activities_2025-01.csv), ")
    assert rejected[-1] == t("dag.attention.more_sources", n=21, files=t("common.files", n=21 * 12)), rejected[-1]
    assert "late" not in "\n".join(rejected)
    held = names["quarantined_rows"]
    assert len(held) == 5 and held[0].startswith("q0: 22 rader i karantän — "), held
    assert held[1].startswith("q1: 24 rader i karantän — activities 2025-01 (2), "), held
    summary = _summary_lines(caplog)
    assert summary and t("dag.summary.rejected", n=120 * 12 - 1 + 1) in summary[-1], summary
    assert t("dag.summary.held", n=5 * 12 - 1) in summary[-1], summary


def test_a_run_without_periods_answers_for_the_periods_it_touched(tmp_path):
    """A scheduled run (every new delivery) answers for the periods of the records written since it began,
    for every source; files that name no period only when found since."""
    from transforms.ingest.attention import run_attention

    since = "2025-03-05T06:00:00"
    records = [_record("a", "attendance", "2025-01", "rejected", arrived="2025-02-01T00:00:00"),  # a touched period
               _record("b", "survey", "2025-02", "loaded", arrived="2025-03-05T07:00:00"),
               _record("b", "attendance", "2025-01", "loaded_with_quarantine", arrived="2025-03-05T07:00:00",
                       quarantined=1),
               _record("c", "survey", "2024-12", "rejected", arrived="2025-01-10T00:00:00"),  # untouched period
               _record("c", "_unmatched", "", "rejected", arrived="2025-03-05T07:00:00"),
               _record("c", "_unmatched", "", "rejected", arrived="2025-01-10T00:00:00")]
    store = Ledger(tmp_path / "ledger")
    for record in records:
        store.write(record)
    frame = store.counted()
    found = run_attention(frame, None, since)
    assert found.periods == ["2025-01", "2025-02"]
    assert {(r.source, r.period) for r in found.rejected.itertuples()} == {("a", "2025-01"), ("c", "")}
    assert list(found.quarantined["source"]) == ["b"] and found.checked == 3
    by_range = run_attention(frame, ("2024-12", "2024-12"), since)
    assert {(r.source, r.dataset) for r in by_range.rejected.itertuples()} == {("c", "survey"), ("c", "_unmatched")}
