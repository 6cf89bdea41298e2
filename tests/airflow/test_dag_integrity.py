"""The DAG folder: loads cleanly, stays cheap to parse, and every DAG is documented and retried."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
HEAVY = ("pandas", "pyarrow", "great_expectations", "sqlalchemy", "openpyxl", "numpy")


def test_dagbag_loads_without_errors(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"samla_ingest", "samla_publish", "samla_retention"}
    for dag_id in bag.dag_ids:
        dag = bag.get_dag(dag_id)
        assert "samla" in dag.tags and dag.doc_md
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_one_ingest_task_and_asset_per_source(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    config = load_sources(load_settings().sources_file, load_settings().data_dir)
    dag = DagBag(dag_folder=str(DAGS)).get_dag("samla_ingest")
    ingest = [t for t in dag.tasks if t.task_id.startswith("ingest_")]
    assert len(ingest) == len(config.sources)
    assert {o.name for t in ingest for o in t.outlets} == {f"samla_curated_{sid}" for sid in config.sources}
    # The trigger form's params are the DAG's; the tasks carry no copy (they read the DAG's when they run).
    assert set(dag.params) == {"period_from", "period_to", "sources"}
    assert not any(t.params for t in dag.tasks)


@pytest.mark.slow
def test_parsing_imports_nothing_heavy():
    """Parse every DAG file in a fresh interpreter; the heavy libraries must stay unloaded.

    (The parse time itself is measured in benchmarks/, not asserted here.)
    """
    code = (
        "import sys, runpy, glob\n"
        "import airflow.sdk\n"
        "before = set(sys.modules)\n"
        f"[runpy.run_path(p) for p in sorted(glob.glob({str(DAGS)!r} + '/*.py'))]\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules and m not in before))\n"
    )
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    (heavy,) = [line.split("=", 1)[1] for line in out.stdout.splitlines() if line.startswith("HEAVY=")]
    assert heavy == "", f"DAG parsing imported {heavy}"


def test_dag_files_have_no_module_level_heavy_imports():
    for path in DAGS.glob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("import ", "from ")):
                assert not any(f" {m}" in line or line.startswith(f"from {m}") for m in HEAVY), (path.name, line)

