"""The office e-mail under the real scheduler: api-server, scheduler and dag-processor on PostgreSQL
(tests/support/airflow_stack.py), LocalExecutor, a real SMTP server on 127.0.0.1.

Here the task's failure callback runs in the task's own process and the DAG's in the dag-processor:
the e-mail must arrive once, naming the failed task and its error. Without the PostgreSQL server this
test FAILS; it never skips.
"""

from __future__ import annotations

import os
import time

import pytest
from airflow_stack import (
    Api,
    admin_connection,
    diagnostics,
    metadata_database,
    stack_environment,
    started,
)
from mail_server import html_of, running_smtp_server, subject_of, wait_for

pytestmark = [pytest.mark.scheduler, pytest.mark.postgres, pytest.mark.slow]
OFFICE = "kansli@gr.example"
TIMEOUT = 600


def test_a_failed_scheduled_run_emails_the_office_once(tmp_path, monkeypatch):
    admin_connection().close()  # in the test body, so a missing server is a failure, not a set-up error
    data = tmp_path / "data"
    data.mkdir()
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1480"\n    name: Göteborg\n    municipalities: ["1480"]\n'
                       '    delivery: {sftp: {conn_id: sftp_goteborg, path: /exports}}\n', encoding="utf-8")
    with running_smtp_server(monkeypatch) as smtp, metadata_database() as database:
        env, port = stack_environment(tmp_path, data, database, extra={
            "SAMLA_SOURCES": str(sources), "SAMLA_OFFICE_EMAIL": OFFICE, "SAMLA_MAIL_FROM": "samla@gr.example",
            "AIRFLOW_CONN_SMTP_DEFAULT": os.environ["AIRFLOW_CONN_SMTP_DEFAULT"]})
        procs = started(env, port, {})
        try:
            api = Api(procs)
            deadline = time.monotonic() + TIMEOUT

            def fail(message: str) -> None:
                pytest.fail(f"{message}\n\n{diagnostics(api, procs)}", pytrace=False)

            while "samla_ingest" not in {d["dag_id"] for d in api.call("GET", "/dags")["dags"]}:
                if time.monotonic() > deadline:
                    fail("samla_ingest did not appear")
                time.sleep(1)
            # Unpausing a monthly DAG with catchup off makes the scheduler start its latest run at once.
            api.call("PATCH", "/dags/samla_ingest", json={"is_paused": False})
            while True:
                runs = api.runs("samla_ingest")
                if runs and runs[0]["state"] in ("success", "failed"):
                    break
                if time.monotonic() > deadline:
                    fail(f"no finished samla_ingest run: {runs}")
                time.sleep(2)
            assert runs[0]["state"] == "failed", runs
            wait_for(smtp, 1, seconds=max(1.0, deadline - time.monotonic()))
            if not smtp.envelopes:
                fail("no office e-mail after the failed run")
            time.sleep(15)  # a second e-mail for the same run would come from another callback pass
            (envelope,) = smtp.envelopes
            assert envelope.rcpt_tos == [OFFICE]
            assert subject_of(envelope) == "Samla: körningen av samla_ingest misslyckades (1 uppgift)"
            body = html_of(envelope)
            assert "Läs in 1480 Göteborg" in body and "AIRFLOW_CONN_SFTP_GOTEBORG" in body, body
            assert "Nästa schemalagda körning:" in body and runs[0]["dag_run_id"] in body
        finally:
            procs.stop()
