"""The samla_ingest run tells the truth (real DAG, dag.test()).

A source task that fails makes the run failed; a missing connection fails at
once (no retries) naming what to set; rejected files and quarantined rows are
named in the grid (the mapped tasks "Avvisade filer" and "Rader i karantän") and logged at WARNING.
"""

from __future__ import annotations

import logging
import os

import pytest
import yaml
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

PERIOD = "2025-01"
PNRS = people(8, seed=21)


def _state(x) -> str:
    return str(getattr(x, "value", x))


@pytest.fixture
def two_sources(tmp_path, monkeypatch):
    """1489 delivers to a folder (one quarantined row, one rejected file); 1480 by SFTP, connection undefined."""
    data = tmp_path / "data"
    folder = data / "raw" / "landing" / "1489"
    rows = [participant(p) for p in PNRS]
    rows[0]["gender"] = "?"
    write_csv(folder / f"participants_{PERIOD}.csv", rows)
    write_csv(folder / f"attendance_{PERIOD}.csv", [attendance(p, PERIOD) for p in PNRS],
              header=["person_id", "month"])  # required columns missing: the file is rejected
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [
        {"id": "1489", "name": "Alingsås", "municipalities": ["1489"], "delivery": {"folder": str(folder)}},
        {"id": "1480", "name": "Göteborg", "municipalities": ["1480"],
         "delivery": {"sftp": {"conn_id": "sftp_goteborg", "path": "/exports"}}},
    ]}, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("AIRFLOW_CONN_SFTP_GOTEBORG", raising=False)
    return data


def test_missing_connection_fails_the_run_others_load(airflow_db, two_sources, caplog):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert not bag.import_errors, bag.import_errors
    with caplog.at_level(logging.WARNING):
        run = bag.get_dag("samla_ingest").test(run_conf={"period_from": PERIOD, "period_to": PERIOD})
    tis = run.get_task_instances()
    states = {ti.task_id: _state(ti.state) for ti in tis if ti.task_id not in ("needs_attention", "quarantined_rows")}
    assert _state(run.state) == "failed", states
    failed = next(ti for ti in tis if ti.task_id == "ingest_1480")
    assert _state(failed.state) == "failed" and failed.try_number == 1, "a missing connection is not retried"
    assert states["ingest_1489"] == "success" and states["summary"] == "success"
    assert states["run_check"] == "upstream_failed"

    # the rejected file and the quarantined row in tasks of their own, one instance per source
    rejected = [ti.rendered_map_index or "" for ti in tis if ti.task_id == "needs_attention"]
    held = [ti.rendered_map_index or "" for ti in tis if ti.task_id == "quarantined_rows"]
    assert rejected == [f"1489 Alingsås: 1 avvisad fil — attendance 2025-01 (attendance_{PERIOD}.csv)"], rejected
    assert held == ["1489 Alingsås: 1 rad i karantän — participants 2025-01 (1)"], held
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("1489 attendance" in m for m in warned), warned


def test_missing_connection_names_what_to_set(two_sources):
    from airflow.sdk.exceptions import AirflowFailException
    from samla_airflow.ingestion import landing_files

    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("1480")
    with pytest.raises(AirflowFailException) as caught:
        landing_files(settings, source)
    assert "AIRFLOW_CONN_SFTP_GOTEBORG" in str(caught.value) and "'sftp_goteborg'" in str(caught.value)
