"""Settings from Airflow Variables/Connections: asked once per DAG run and process, the environment first."""

from __future__ import annotations

import json
import os

import pytest
from deliveries import participant, people, write_csv
from samla_airflow import settings_bridge

from transforms.config.settings import SETTING_NAMES

PNRS = people(6, seed=4)


@pytest.fixture
def bridge(monkeypatch):
    """The bridge with a Variable backend of our own, counting the questions; nothing left behind."""
    asked: list[str] = []
    variables: dict[str, str] = {}

    def variable(name):
        asked.append(name)
        return variables.get(name)

    monkeypatch.setattr(settings_bridge, "_variable", variable)
    monkeypatch.setattr(settings_bridge, "_key_connection", lambda: None)
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "samla_ingest")
    yield asked, variables, monkeypatch
    settings_bridge._forget_copies()
    settings_bridge._asked_for = None


def test_each_setting_is_asked_once_per_dag_run(bridge):
    asked, variables, monkeypatch = bridge
    variables["SAMLA_LANGUAGE"] = "en"
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", "manual__1")
    for _ in range(3):  # three tasks of one run in one process
        settings_bridge.export_airflow_settings()
    assert sorted(asked) == sorted(SETTING_NAMES) and os.environ["SAMLA_LANGUAGE"] == "en"


def test_a_new_run_asks_again_and_sees_a_changed_or_removed_variable(bridge):
    asked, variables, monkeypatch = bridge
    variables.update(SAMLA_LANGUAGE="en", SAMLA_OFFICE_EMAIL="office@example.org")
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", "manual__1")
    settings_bridge.export_airflow_settings()
    variables["SAMLA_LANGUAGE"] = "sv"
    del variables["SAMLA_OFFICE_EMAIL"]
    settings_bridge.export_airflow_settings()  # the same run: its first answers hold
    assert os.environ["SAMLA_LANGUAGE"] == "en" and len(asked) == len(SETTING_NAMES)
    monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", "manual__2")
    settings_bridge.export_airflow_settings()
    assert os.environ["SAMLA_LANGUAGE"] == "sv" and "SAMLA_OFFICE_EMAIL" not in os.environ
    assert len(asked) == 2 * len(SETTING_NAMES)


def test_the_environment_wins_and_is_never_taken_back(bridge):
    asked, variables, monkeypatch = bridge
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    variables["SAMLA_LANGUAGE"] = "en"
    for run in ("manual__1", "manual__2"):
        monkeypatch.setenv("AIRFLOW_CTX_DAG_RUN_ID", run)
        settings_bridge.export_airflow_settings()
    assert os.environ["SAMLA_LANGUAGE"] == "sv" and "SAMLA_LANGUAGE" not in asked


def test_outside_a_task_nothing_is_asked(bridge):
    asked, _, monkeypatch = bridge
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID")
    settings_bridge.export_airflow_settings()
    assert asked == []


@pytest.mark.slow  # the real ingestion DAG, twice, with dag.test()
def test_real_dag_runs_ask_once_and_see_a_variable_changed_between_them(airflow_db, tmp_path, monkeypatch):
    """Two dag.test() runs in one process: the key from the Connection, the language from a Variable
    changed between the runs; every setting asked at most once per run, not once per task."""
    data = tmp_path / "data"
    landing = data / "raw" / "landing" / "1489"
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n  - id: "1480"\n    municipalities: ["1480"]\n'
                       '    delivery: {folder: raw/landing/1480}\n')
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("AIRFLOW_CONN_SAMLA_PSEUDONYM_KEY",
                       json.dumps({"conn_type": "generic", "password": "bridge-test-key-0123456789abcdef"}))
    asked: list[tuple[str | None, str]] = []
    shipped = settings_bridge._variable

    def counted(name):
        asked.append((os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"), name))
        return shipped(name)

    monkeypatch.setattr(settings_bridge, "_variable", counted)
    from airflow.dag_processing.dagbag import DagBag

    from transforms.config.settings import load_settings
    from transforms.ingest.ledger import Ledger

    dag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag("samla_ingest")
    try:
        messages = {}
        for period, lang in (("2025-01", "en"), ("2025-02", "sv")):
            monkeypatch.setenv("AIRFLOW_VAR_SAMLA_LANGUAGE", lang)
            write_csv(landing / f"participants_{period}.csv", [participant(p) for p in PNRS])
            run = dag.test(run_conf={"period_from": period, "period_to": period})
            assert str(getattr(run.state, "value", run.state)) == "success"
            records = Ledger(load_settings().ledger_dir).counted()
            messages[period] = records[records["period"] == period]["message"].tolist()
    finally:
        settings_bridge._forget_copies()
        settings_bridge._asked_for = None
    assert messages == {"2025-01": ["6 rows loaded"], "2025-02": ["6 rader inlästa"]}
    runs = {run for run, _ in asked}
    assert len(runs) == 2 and None not in runs
    for run in runs:  # several tasks a run (select_sources, two sources, summary, ...), each name asked once
        names = [name for asked_in, name in asked if asked_in == run]
        assert sorted(names) == sorted(set(names)) and "SAMLA_LANGUAGE" in names
