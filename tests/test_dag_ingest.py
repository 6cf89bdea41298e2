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
from transforms.ingest import curated, ledger

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
        yield settings, config, manifest, run
    finally:
        for name in ("SAMLA_DATA_DIR", "SAMLA_PSEUDONYM_KEY", "AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY"):
            os.environ.pop(name, None)


def test_every_source_task_succeeds(ingested):
    _, config, _, run = ingested
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    assert str(getattr(run.state, "value", run.state)) == "success"
    assert len(states) == len(config.sources) + 5  # + select_sources, unknown_sources, summary, needs_attention, run_check
    assert all(s == "success" for s in states.values()), states
    named = [ti.rendered_map_index for ti in run.get_task_instances() if ti.task_id == "needs_attention"]
    assert named and all(named), "every rejected file / quarantined file is named in the grid"


def test_curated_partition_for_every_source_dataset_period(ingested):
    settings, config, manifest, _ = ingested
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
    settings, _, manifest, _ = ingested
    records = ledger.read(settings.ledger_dir)
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
    settings, config, _, _ = ingested
    before = len(ledger.history(settings.ledger_dir))
    states = _states(_run({"period_from": "2024-12", "period_to": "2024-12"}))
    assert states["_run"] == "success" and states["select_sources"] == "success"
    assert {states[f"ingest_{sid}"] for sid in config.sources} == {"skipped"}, states
    assert states["run_check"] == "success"
    assert len(ledger.history(settings.ledger_dir)) == before
    # the months already loaded: nothing is waiting either
    states = _states(_run({"period_from": PERIODS[0], "period_to": PERIODS[-1]}))
    assert {states[f"ingest_{sid}"] for sid in config.sources} == {"skipped"}, states


def test_a_new_entry_runs_its_source_only_and_a_named_source_always_runs(ingested):
    settings, config, _, _ = ingested
    folder = config.sources["1480"].delivery.folder
    note = folder / "readme.txt"  # matches no pattern: the task must run to report it
    note.write_text("not an export", encoding="utf-8")
    try:
        states = _states(_run({"period_from": "2024-12", "period_to": "2024-12"}))
        assert states["ingest_1480"] == "success", states
        assert {states[f"ingest_{sid}"] for sid in config.sources if sid != "1480"} == {"skipped"}
        reported = ledger.read(settings.ledger_dir)
        assert "readme.txt" in set(reported[reported["source"] == "1480"]["file_name"])
        run = _run({"period_from": "2024-12", "period_to": "2024-12", "sources": ["1489"]})
        tries = {ti.task_id: ti.try_number for ti in run.get_task_instances()}
        assert _states(run)["ingest_1489"] == "skipped"  # by its own decision: nothing new
        assert tries["ingest_1489"] == 1 and tries["ingest_1480"] == 0, "asked for by name: it ran"
    finally:
        note.unlink()
