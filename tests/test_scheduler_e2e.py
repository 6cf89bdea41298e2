"""The real Airflow components end to end: api-server, scheduler and dag-processor on PostgreSQL.

Started with the same code as ``make airflow`` (samla_airflow.local_airflow),
with a fresh metadata database samla_af_<random> on the local server
(127.0.0.1:5432, trust auth; dropped afterwards), LocalExecutor, a private
AIRFLOW_HOME and data folder with one period of sample deliveries. Through the
REST API: unpause both DAGs, trigger samla_ingest for 2024-09, wait for it,
wait for the Asset-triggered samla_publish run(s), then read the warehouse
(tests/airflow_stack.py). Without the PostgreSQL server this test FAILS; it
never skips. The CeleryExecutor variant is tests/test_celery_e2e.py.
"""

from __future__ import annotations

import shutil

import pytest
import yaml
from airflow_stack import (
    PERIOD,
    admin_connection,
    ingest_then_publish,
    metadata_database,
    print_timings,
    sample_deliveries,
    stack_environment,
    started,
)

from transforms.config.settings import DEFAULT_SOURCES

pytestmark = [pytest.mark.scheduler, pytest.mark.slow]
SFTP_SOURCE = "1480"  # its connection is not defined


@pytest.fixture
def stack(tmp_path):
    """Sample deliveries, then migrated and healthy api-server + scheduler + dag-processor; always stopped."""
    data = sample_deliveries(tmp_path / "data")
    # issue 8.1: one source delivers by SFTP through a connection nobody defined.
    document = yaml.safe_load(DEFAULT_SOURCES.read_text(encoding="utf-8"))
    for entry in document["sources"]:
        if str(entry["id"]) == SFTP_SOURCE:  # its generated folder would be a folder of no source
            shutil.rmtree(data / entry["delivery"]["folder"])
            entry["delivery"] = {"sftp": {"conn_id": "sftp_goteborg", "path": "/exports"}}
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    timings: dict[str, float] = {}
    with metadata_database() as database:
        env, port = stack_environment(tmp_path, data, database, extra={"SAMLA_SOURCES": str(sources)})
        procs = started(env, port, timings)
        try:
            yield procs, data, timings
        finally:
            procs.stop()


def test_scheduler_runs_ingest_then_asset_triggered_publish(request):
    admin_connection().close()  # in the test body, so a missing server is a failure, not a set-up error
    procs, data, timings = request.getfixturevalue("stack")
    # The run fails (1480's task at once, naming AIRFLOW_CONN_SFTP_GOTEBORG); the others load and publish.
    ingest_then_publish(procs, timings, expected={f"ingest_{SFTP_SOURCE}": "failed", "run_check": "upstream_failed"})

    # The warehouse (SQLite under the data dir) has the period, the region's participant count unsuppressed.
    from transforms.publish.warehouse import read_table

    values = read_table(f"sqlite:///{data / 'warehouse.db'}", "indicator_values")
    assert (values["period"] == PERIOD).any(), f"no indicator_values rows for {PERIOD}"
    cell = values[(values.period == PERIOD) & (values.area_level == "region") & (values.area_code == "FOKUS")
                  & (values.gender == "all") & (values.indicator == "EECO01")]
    assert len(cell) == 1, cell
    assert not bool(cell.suppressed.iloc[0]), cell
    assert cell.value.iloc[0] > 0, cell
    print_timings("scheduler e2e", timings)
