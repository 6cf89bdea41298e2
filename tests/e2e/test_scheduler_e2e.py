"""The real Airflow components end to end: api-server, scheduler and dag-processor on PostgreSQL.

Started with the same code as ``make airflow`` (samla_airflow.local_airflow),
with a fresh metadata database samla_af_<random> on the local server
(127.0.0.1:5432, trust auth; dropped afterwards), LocalExecutor, a private
AIRFLOW_HOME and data folder with one period of sample deliveries. Through the
REST API: unpause both DAGs, trigger samla_ingest for 2024-09, wait for it,
wait for the Asset-triggered samla_publish run(s), then read the warehouse
(tests/support/airflow_stack.py). One source delivers a file that is rejected; after
another source's task is cleared with its downstream tasks and the run has
run again, the grid still lists the rejected file. Without the PostgreSQL server this test FAILS; it
never skips. The CeleryExecutor variant is tests/e2e/test_celery_e2e.py.
"""

from __future__ import annotations

import shutil
import time

import psutil
import pytest
import yaml
from airflow_stack import (
    PERIOD,
    Api,
    admin_connection,
    clear_with_downstream,
    imports_pandas,
    ingest_then_publish,
    metadata_database,
    print_timings,
    sample_deliveries,
    stack_environment,
    started,
)

from transforms.config.settings import DEFAULT_SOURCES

pytestmark = [pytest.mark.scheduler, pytest.mark.postgres, pytest.mark.slow]
SFTP_SOURCE = "1480"  # its connection is not defined
REJECTED_SOURCE = "1463"  # delivers an unreadable attendance file
CLEARED_SOURCE = "1489"


@pytest.fixture
def stack(tmp_path):
    """Sample deliveries, then migrated and healthy api-server + scheduler + dag-processor; always stopped."""
    data = sample_deliveries(tmp_path / "data")
    # One source delivers by SFTP through a connection nobody defined: its task fails, the others run.
    document = yaml.safe_load(DEFAULT_SOURCES.read_text(encoding="utf-8"))
    for entry in document["sources"]:
        if str(entry["id"]) == SFTP_SOURCE:  # its generated folder would be a folder of no source
            shutil.rmtree(data / entry["delivery"]["folder"])
            entry["delivery"] = {"sftp": {"conn_id": "sftp_goteborg", "path": "/exports"}}
        if str(entry["id"]) == REJECTED_SOURCE:
            (planted,) = (data / entry["delivery"]["folder"]).glob(f"attendance_{PERIOD}.*")
            planted.write_bytes(b"\x00\x01 not an export\n")  # unreadable whatever its format: rejected
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


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # a task process that just ended
        return ""


def test_scheduler_runs_ingest_then_asset_triggered_publish(request):
    admin_connection().close()  # in the test body, so a missing server is a failure, not a set-up error
    procs, data, timings = request.getfixturevalue("stack")
    # The run fails (1480's task at once, naming AIRFLOW_CONN_SFTP_GOTEBORG); the others load and publish.
    expected = {f"ingest_{SFTP_SOURCE}": "failed", "run_check": "upstream_failed", "needs_attention": "success"}
    tis = ingest_then_publish(procs, timings, expected=expected)
    workers = [p for p in psutil.Process(procs.procs["scheduler"].pid).children(recursive=True)
               if "LocalExecutor" in _cmdline(p)]
    assert workers and all(imports_pandas(w.pid) for w in workers), "task processes fork from workers with pandas"
    run_id = next(t["dag_run_id"] for t in tis if t["dag_id"] == "samla_ingest")
    listed = f"{REJECTED_SOURCE} Mark: 1 avvisad fil — attendance {PERIOD} (attendance_{PERIOD}."
    assert [t["rendered_map_index"] for t in tis if t["task_id"] == "needs_attention"][0].startswith(listed), tis
    # Swedish display names from the catalogue (SAMLA_LANGUAGE unset); the task ids stay
    api = Api(procs)
    assert api.call("GET", "/dags/samla_ingest")["dag_display_name"] == "Samla inläsning"
    shown = {t["task_id"]: t["task_display_name"] for t in tis if t["dag_id"] == "samla_ingest"}
    assert shown["needs_attention"] == "Avvisade filer" and shown["run_check"] == "Alla källuppgifter lyckades", shown

    # Clearing another source's task with its downstream tasks re-runs the summary and the attention
    # tasks: the rejected file of 1463 is still listed, as rejected, in its own task.
    t0 = time.monotonic()
    again = clear_with_downstream(procs, run_id, f"ingest_{CLEARED_SOURCE}")
    timings["cleared run"] = time.monotonic() - t0
    states = {t["task_id"]: t["state"] for t in again if t["map_index"] < 0}
    assert states[f"ingest_{CLEARED_SOURCE}"] == "skipped", states  # ran again: nothing new
    assert states[f"ingest_{SFTP_SOURCE}"] == "failed" and states["run_check"] == "upstream_failed", states
    rejected = [t for t in again if t["task_id"] == "needs_attention"]
    assert [t["state"] for t in rejected] == ["success"] and rejected[0]["try_number"] > 1, rejected
    assert rejected[0]["rendered_map_index"].startswith(listed), rejected
    assert all(t["state"] == "skipped" for t in again if t["task_id"] == "quarantined_rows"), "no row faults"

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
