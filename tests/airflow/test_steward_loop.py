"""The steward's loop through the real DAGs: a rejected file is fixed, re-delivered and re-run alone."""

from __future__ import annotations

import os
import time

import pytest

from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.demo.generate import generate
from transforms.ingest import curated
from transforms.ingest.ledger import Ledger
from transforms.publish import warehouse

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

PERIOD = "2024-11"


def run_dag(dag_id: str, conf: dict):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    run = bag.get_dag(dag_id).test(run_conf=conf)
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}


def snapshot_of_others(settings, fixed: str) -> dict:
    files = {}
    for folder in (settings.curated_dir, settings.ledger_dir, settings.quarantine_dir):
        for path in folder.rglob("*"):
            if path.is_file() and f"source={fixed}" not in path.parts and fixed not in path.parts:
                files[str(path)] = (path.stat().st_mtime_ns, path.read_bytes())
    return files


@pytest.fixture
def data_dir(airflow_db, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "steward-loop-key-0123456789abcdef")
    return data


def test_fix_redeliver_and_rerun_one_source(data_dir):
    settings = load_settings()
    config = load_sources(settings.sources_file, data_dir)
    manifest = generate(config, data_dir, [PERIOD])
    (fault,) = [f for f in manifest["faults"] if f["level"] == "file"]
    sid, dataset = fault["source"], fault["dataset"]

    states = run_dag("samla_ingest", {"period_from": PERIOD, "period_to": PERIOD})
    assert all(s == "success" for s in states.values()), states
    assert run_dag("samla_publish", {})["export_files"] == "success"
    record = Ledger(settings.ledger_dir).counted(sid)
    assert record.loc[record["dataset"] == dataset, "status"].tolist() == ["rejected"]
    before = warehouse.read_table(settings.warehouse_url, "indicator_values_restricted")
    rate = before[(before["indicator"] == "ATTENDANCE_RATE") & (before["area_code"].isin(config.get(sid).municipalities))
                  & (before["gender"] == "all") & (before["period"] == PERIOD)]
    assert (rate["denominator"] == 0).all(), "the rejected attendance must not count"
    others = snapshot_of_others(settings, sid)

    # The steward fixes the export (the renamed column) and delivers the same file name again.
    path = config.get(sid).delivery.folder / fault["file"]
    encoding = config.get(sid).datasets[dataset].format.encoding or "utf-8"
    text = path.read_bytes().decode(encoding)
    path.write_bytes(text.replace("Närvarotid (min)", "Närvaro minuter").encode(encoding))
    time.sleep(0.01)

    states = run_dag("samla_ingest", {"period_from": PERIOD, "period_to": PERIOD, "sources": [sid]})
    task = next(t for t in states if t.startswith("ingest_") and t.endswith(sid))
    assert states[task] == "success"
    assert {s for t, s in states.items() if t.startswith("ingest_") and t != task} == {"skipped"}
    assert run_dag("samla_publish", {})["export_files"] == "success"

    records = Ledger(settings.ledger_dir).counted(sid)
    latest = records[records["dataset"] == dataset].iloc[-1]
    assert latest["status"] in {"loaded", "loaded_with_quarantine"} and latest["rows_accepted"] > 0
    assert (sid, PERIOD) in curated.partitions(settings.curated_dir, dataset)
    after = warehouse.read_table(settings.warehouse_url, "indicator_values_restricted")
    rate = after[(after["indicator"] == "ATTENDANCE_RATE") & (after["area_code"].isin(config.get(sid).municipalities))
                 & (after["gender"] == "all") & (after["period"] == PERIOD)]
    assert (rate["denominator"] > 0).all(), "the fixed attendance is published"
    assert snapshot_of_others(settings, sid) == others, "other sources were touched"
