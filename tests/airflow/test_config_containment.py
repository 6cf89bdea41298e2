"""Configuration faults are contained, and a second project runs end to end (exports.md version 2).

Real DagBag parses and real ``dag.test()`` runs: a faulty entry (any key) leaves
both DAGs importable and fails only its own task, at once; a faulty file or
project file fails every task, still with loadable DAGs; the task list and the
tasks read the same sources file whether SAMLA_SOURCES is an environment
variable or an Airflow Variable.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

DAGS = Path(__file__).resolve().parents[2] / "dags"

# Another project: two regions (federations here), seven municipalities, another window.
PROJECT = {
    "code": "TVA", "name": "Två regioner", "first_period": "2025-01", "last_period": "2026-06",
    "region": {"code": "TVA", "name": "Två regioner"},
    "federations": [
        {"code": "NORD", "name": "Norra", "municipalities": {"2480": "Umeå", "2580": "Luleå", "2281": "Sundsvall",
                                                            "2180": "Gävle"}},
        {"code": "SYD", "name": "Södra", "municipalities": {"1280": "Malmö", "1281": "Lund", "1283": "Helsingborg"}},
    ],
}
GOOD = [{"id": k, "name": n, "municipalities": [k], "delivery": {"folder": f"raw/landing/{k}"}}
        for f in PROJECT["federations"] for k, n in f["municipalities"].items()]
FAULTY = {"id": "trasig", "municipalities": ["9999"], "delivery": {"folder": "raw/landing/trasig"},
          "format": {"delimiter": "|"}}
PERIODS = ["2025-01", "2025-02"]


def _bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def _ingest_tasks(bag) -> set[str]:
    return {t.task_id for t in bag.get_dag("samla_ingest").tasks}


@pytest.fixture
def clean_env():
    names = ("SAMLA_SOURCES", "AIRFLOW_VAR_SAMLA_SOURCES", "SAMLA_DATA_DIR", "SAMLA_PROJECT",
             "SAMLA_PSEUDONYM_KEY", "AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY", "SAMLA_LANGUAGE")
    saved = {n: os.environ.pop(n, None) for n in names}
    yield
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


@pytest.mark.parametrize("entry, task", [
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"delimiter": "|"}}, "ingest_x"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "columns": {"persn_id": ["a"]}},
     "ingest_x"),
    ({"id": "x", "municipalities": "1480", "delivery": {"folder": "f"}}, "ingest_x"),
    ({"id": "x", "municipalities": ["9999"]}, "ingest_x"),
    ({"id": "../../escape", "municipalities": ["1480"], "delivery": {"folder": "f"}}, "ingest_______escape"),
    ({"id": "Göteborg stad", "municipalities": ["1480"], "delivery": {"folder": "f"}}, "ingest_G_teborg_stad"),
    ({"name": "no id", "municipalities": ["1480"], "delivery": {"folder": "f"}}, "ingest_sources_1_"),
    ("just text", "ingest_sources_1_"),
])
def test_a_faulty_entry_leaves_both_dags_importable(airflow_db, clean_env, tmp_path, entry, task):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [GOOD[0] | {"municipalities": ["1489"], "id": "ok"}, entry]}),
                    encoding="utf-8")
    os.environ["SAMLA_SOURCES"] = str(path)
    bag = _bag()
    assert bag.import_errors == {}
    assert {"samla_ingest", "samla_publish"} <= set(bag.dag_ids)
    assert {"ingest_ok", task} <= _ingest_tasks(bag)


@pytest.mark.parametrize("text", [
    "sources: [\n  - id: x\n    delivery: {folder: f\n",  # not YAML
    "sources: {id: x}\n",  # not a list
    "källor: []\n",
    "\x00\x01binary",
])
def test_a_faulty_file_leaves_the_dags_loadable(airflow_db, clean_env, tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    os.environ["SAMLA_SOURCES"] = str(path)
    bag = _bag()
    assert bag.import_errors == {}
    assert {"samla_ingest", "samla_publish"} <= set(bag.dag_ids)


def test_task_list_from_the_airflow_variable_as_from_the_environment(airflow_db, clean_env, tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"project": PROJECT, "sources": [*GOOD, FAULTY]}), encoding="utf-8")
    os.environ["SAMLA_SOURCES"] = str(path)
    from_env = _ingest_tasks(_bag())
    del os.environ["SAMLA_SOURCES"]
    os.environ["AIRFLOW_VAR_SAMLA_SOURCES"] = str(path)
    from_variable = _ingest_tasks(_bag())
    expected = {f"ingest_{s['id']}" for s in GOOD} | {"ingest_trasig"}
    assert expected <= from_env and from_env == from_variable


def test_fault_messages_name_source_and_key_and_fail_without_retry(clean_env, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException
    from samla_airflow.ingestion import ingest_one_source

    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"project": PROJECT, "sources": [*GOOD, FAULTY]}), encoding="utf-8")
    os.environ.update(SAMLA_SOURCES=str(path), SAMLA_DATA_DIR=str(tmp_path), SAMLA_LANGUAGE="en")
    with pytest.raises(AirflowFailException) as raised:
        ingest_one_source("trasig", None)
    assert str(raised.value).splitlines() == [
        "source 'trasig': key 'format.delimiter': '|' is not one of , ; tab",
        "source 'trasig': key 'municipalities': '9999' is not a municipality of the project Två regioner "
        "(2180, 2281, 2480, 2580, 1280, 1281, 1283)",
    ]
    path.write_text(yaml.safe_dump({"project": PROJECT | {"last_period": "2025-13"}, "sources": GOOD}),
                    encoding="utf-8")
    with pytest.raises(AirflowFailException, match="key 'project.last_period'"):
        ingest_one_source(GOOD[0]["id"], None)


@pytest.fixture(scope="module")
def second_project(airflow_db, tmp_path_factory):
    """Seven good sources and a faulty one in a two-region project, ingested and published by the real DAGs.

    SAMLA_SOURCES comes as an Airflow Variable (the environment form of one) for the parse and the tasks.
    """
    from transforms.config.sources import load_sources
    from transforms.demo import generate as sample_data

    root = tmp_path_factory.mktemp("second")
    data = root / "data"
    data.mkdir()
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump({"project": PROJECT, "sources": [*GOOD, FAULTY]}, allow_unicode=True),
                    encoding="utf-8")
    names = ("AIRFLOW_VAR_SAMLA_SOURCES", "SAMLA_SOURCES", "SAMLA_DATA_DIR", "AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY",
             "SAMLA_PSEUDONYM_KEY", "SAMLA_PROJECT")
    saved = {n: os.environ.pop(n, None) for n in names}
    os.environ.update(AIRFLOW_VAR_SAMLA_SOURCES=str(path), SAMLA_DATA_DIR=str(data),
                      AIRFLOW_VAR_SAMLA_PSEUDONYM_KEY="second-project-key-0123456789")
    try:
        os.environ["SAMLA_SOURCES"] = str(path)  # for the generator only, below
        config = load_sources(path, data, strict=False)
        sample_data.generate(config, data, PERIODS, faults=False)
        del os.environ["SAMLA_SOURCES"]
        bag = _bag()
        assert bag.import_errors == {}
        ingest = bag.get_dag("samla_ingest").test(run_conf={"period_from": PERIODS[0], "period_to": PERIODS[-1]})
        publish = bag.get_dag("samla_publish").test(run_conf={"period_from": None, "period_to": None})
        yield data, config, ingest, publish
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}


def test_only_the_faulty_source_fails_and_at_once(second_project):
    _, _, ingest, _ = second_project
    states = _states(ingest)
    assert states.pop("ingest_trasig") == "failed"
    assert {t: s for t, s in states.items() if t.startswith("ingest_")} == {f"ingest_{s['id']}": "success"
                                                                              for s in GOOD}
    failed = next(ti for ti in ingest.get_task_instances() if ti.task_id == "ingest_trasig")
    assert failed.try_number == 1  # no retry: a configuration fault does not mend itself


def test_second_project_published_with_its_own_geography(second_project):
    data, _, _, publish = second_project
    assert str(getattr(publish.state, "value", publish.state)) == "success"
    with sqlite3.connect(data / "warehouse.db") as db:
        areas = set(db.execute("select area_level, area_code from areas"))
        periods = [p for (p,) in db.execute("select distinct period from indicator_values order by period")]
        counted = {code for (code,) in db.execute(
            "select area_code from indicator_values where indicator = 'EECO01' and gender = 'all' "
            "and value > 0")}
    municipalities = {k for f in PROJECT["federations"] for k in f["municipalities"]}
    assert areas == ({("municipality", k) for k in municipalities} | {("federation", "NORD"), ("federation", "SYD"),
                                                                       ("region", "TVA")})
    assert periods == PERIODS  # the window starts 2025-01, not Fokus IM's 2024-09
    assert municipalities | {"NORD", "SYD", "TVA"} <= counted
    # The fund report is named for this project, not for Fokus IM.
    assert [p.name for p in (data / "reports").glob("*.xlsx")] == [f"tva_indikatorer_{PERIODS[-1]}.xlsx"]
