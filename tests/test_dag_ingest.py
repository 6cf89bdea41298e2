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
    assert len(states) == len(config.sources) + 4  # + unknown_sources, summary, needs_attention, run_check
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
