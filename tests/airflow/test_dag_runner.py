"""``samla run``'s in-process runner (``airflow_runner.DagRunner``): what it keeps between the tasks and runs of
one command."""

from __future__ import annotations

import pytest
from deliveries import participant, people, write_csv

PNRS = people(6, seed=11)


@pytest.mark.slow  # the real ingestion DAG, twice, with dag.test()
def test_the_serialized_dag_is_read_once_per_command_not_once_per_task(airflow_db, samla_env, tmp_path, monkeypatch):
    """Every source task has an outlet (its curated Asset), which the execution API checks against the run's
    serialized DAG: read from the database once for the command, not once per task (a national DAG is large)."""
    from airflow.models.dagbag import DBDagBag
    from samla_airflow.airflow_runner import DagRunner

    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f'  - id: "{sid}"\n    municipalities: ["{sid}"]\n    delivery: {{folder: raw/landing/{sid}}}\n'
        for sid in ("1489", "1480", "1384")))
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    reads: list[str] = []
    shipped = DBDagBag._read_dag

    def read(self, serdag):
        reads.append(serdag.dag_id)
        return shipped(self, serdag)

    monkeypatch.setattr(DBDagBag, "_read_dag", read)
    runner = DagRunner(samla_env, tmp_path / "airflow.log")
    for period in ("2025-01", "2025-02"):
        for sid in ("1489", "1480", "1384"):
            write_csv(samla_env / "raw" / "landing" / sid / f"participants_{period}.csv", [participant(p) for p in PNRS])
        states = runner.run("samla_ingest", {"period_from": period, "period_to": period})
        assert states["_run"] == "success"
        assert [states[f"ingest_{sid}"] for sid in ("1489", "1480", "1384")] == ["success"] * 3
    assert reads == ["samla_ingest"]  # as shipped: once per source task, six here
