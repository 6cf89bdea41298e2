"""Office e-mail on a failed run, steward confirmation and the next scheduled run: the real DAGs through
dag.test(), e-mail through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from deliveries import participant, people, write_csv
from mail_server import html_of, running_smtp_server, subject_of, wait_for
from privacy import personnummer_in

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

OFFICE = ["kansli@gr.example", "drift@gr.example"]
STEWARD = "anna@alingsas.example"


@pytest.fixture
def smtp_server(monkeypatch):
    with running_smtp_server(monkeypatch) as handler:
        yield handler


@pytest.fixture
def project(airflow_db, tmp_path, monkeypatch):
    """A folder source with a steward and an SFTP source whose connection is not defined; Swedish e-mail."""
    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        'sources:\n'
        '  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
        '    delivery: {folder: raw/landing/1489}\n'
        f'    steward: {{name: Anna, email: {STEWARD}}}\n'
        '  - id: "1480"\n    name: Göteborg\n    municipalities: ["1480"]\n'
        '    delivery: {sftp: {conn_id: sftp_alerts_nowhere, path: /exports}}\n', encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "alerts-test-key-0123456789abcdef")
    monkeypatch.setenv("SAMLA_OFFICE_EMAIL", ", ".join(OFFICE))
    monkeypatch.delenv("AIRFLOW_CONN_SFTP_ALERTS_NOWHERE", raising=False)
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    return data


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).get_dag(dag_id)


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()} | {
        "_run": str(getattr(run.state, "value", run.state))}


def _to(envelopes, address):
    return [e for e in envelopes if address in e.rcpt_tos]


def _expected_next_ingest(now: datetime) -> str:
    """samla_ingest's schedule, 06:00 UTC on the 5th, worked out by hand: the next one after ``now``."""
    when = datetime(now.year, now.month, 5, 6, tzinfo=UTC)
    if when <= now:
        when = datetime(now.year + (now.month == 12), now.month % 12 + 1, 5, 6, tzinfo=UTC)
    return when.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")


def test_a_failed_run_sends_the_office_one_email_naming_the_task_and_its_error(project, smtp_server, monkeypatch):
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://samla.gr.example")
    dag = _dag("samla_ingest")
    run = dag.test(run_conf={"sources": ["1480"]})
    states = _states(run)
    assert states["ingest_1480"] == "failed" and states["_run"] == "failed", states
    wait_for(smtp_server, 1)
    (envelope,) = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == sorted(OFFICE)
    assert subject_of(envelope) == "Samla: körningen av samla_ingest misslyckades (1 uppgift)"
    body = html_of(envelope)
    assert '<html lang="sv">' in body and "inläsningen av leveranser" in body
    assert "Läs in 1480 Göteborg" in body and "ingest_1480" in body  # display name and task id
    # the task's last line: the connection it misses and what to set
    assert "Airflow-anslutningen &#x27;sftp_alerts_nowhere&#x27; (källa 1480 Göteborg) finns inte" in body
    assert "AIRFLOW_CONN_SFTP_ALERTS_NOWHERE" in body
    assert "run_check" not in body and "Every source task succeeded" not in body  # upstream_failed, not failed
    assert "samla status" in body and "Clear" in body
    assert f"Nästa schemalagda körning: {_expected_next_ingest(datetime.now(UTC))}." in body
    assert f'href="https://samla.gr.example/dags/samla_ingest/runs/{run.run_id.replace(":", "%3A").replace("+", "%2B")}"' in body
    assert not personnummer_in(body)

    # The DAG-level callback again for the same run (as the dag-processor's minimal context): no second e-mail.
    from samla_airflow.alerts import email_office

    email_office({"dag": dag, "run_id": run.run_id, "reason": "task_failure"})
    wait_for(smtp_server, 2, seconds=1)
    assert len(smtp_server.envelopes) == 1


def test_english_on_request(project, smtp_server, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "short")  # too short: every source task fails at once
    run = _dag("samla_ingest").test(run_conf={"sources": ["1489"]})
    assert _states(run)["ingest_1489"] == "failed"
    wait_for(smtp_server, 1)
    (envelope,) = _to(smtp_server.envelopes, OFFICE[0])
    assert subject_of(envelope) == "Samla: the samla_ingest run failed (1 task)"
    body = html_of(envelope)
    assert '<html lang="en">' in body and "Ingest 1489 Alingsås" in body and "SAMLA_PSEUDONYM_KEY" in body
    assert "Next scheduled run:" in body and "misslyckades" not in body


def test_without_the_office_setting_nothing_is_sent_and_the_run_fails_as_it_did(project, smtp_server, monkeypatch):
    monkeypatch.delenv("SAMLA_OFFICE_EMAIL")
    run = _dag("samla_ingest").test(run_conf={"sources": ["1480"]})
    states = _states(run)
    assert states["ingest_1480"] == "failed" and states["_run"] == "failed"
    assert states["ingest_1489"] == "skipped"
    wait_for(smtp_server, 1, seconds=1)
    assert smtp_server.envelopes == []


def test_a_mail_server_that_is_down_changes_nothing_in_the_run(project, monkeypatch):
    from mail_server import free_port, smtp_conn

    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_conn(free_port()))  # nothing listens there
    run = _dag("samla_ingest").test(run_conf={"sources": ["1480"]})
    states = _states(run)
    assert states["ingest_1480"] == "failed" and states["_run"] == "failed" and states["summary"] == "success"


def _deliver(data, rows, age: float):
    import time

    path = data / "raw" / "landing" / "1489" / "participants_2025-01.csv"
    write_csv(path, rows)
    os.utime(path, (time.time() + age, time.time() + age))  # the re-delivery is the newer file


def test_a_corrected_redelivery_is_confirmed_to_the_steward_and_a_good_run_tells_the_office_nothing(
        project, smtp_server):
    pnrs = people(10, seed=31)
    broken = [{k: v for k, v in participant(p).items() if k != "programme"} for p in pnrs]  # a required column gone
    _deliver(project, broken, 0)
    dag = _dag("samla_ingest")
    states = _states(dag.test(run_conf={"sources": ["1489"]}))
    assert states["_run"] == "success" and states["ingest_1489"] == "success", states
    wait_for(smtp_server, 1)
    (rejected,) = smtp_server.envelopes
    assert rejected.rcpt_tos == [STEWARD]
    body = html_of(rejected)
    assert "AVVISAD" in body
    # the next run from the DAG's own timetable, not "the next scheduled run" in general
    assert f"Nästa schemalagda körning, {_expected_next_ingest(datetime.now(UTC))}, hämtar den" in body

    _deliver(project, [participant(p) for p in pnrs], 1)
    states = _states(dag.test(run_conf={"sources": ["1489"]}))
    assert states["_run"] == "success", states
    wait_for(smtp_server, 2)
    assert len(smtp_server.envelopes) == 2, "one confirmation, nothing to the office"
    confirmation = smtp_server.envelopes[1]
    assert confirmation.rcpt_tos == [STEWARD]
    assert subject_of(confirmation) == "Samla: 1489 Alingsås: 1 rättad fil inläst"
    body = html_of(confirmation)
    assert "har läst in er rättade leverans från <b>1489 Alingsås</b>" in body
    assert ("<code>participants_2025-01.csv</code> (deltagare 2025-01): 10 rader inlästa. Den ersätter den "
            "tidigare leveransen <code>participants_2025-01.csv</code>") in body and "som avvisades" in body
    assert "Vad är fel" not in body and not personnummer_in(body)
    assert not _to(smtp_server.envelopes, OFFICE[0])


def test_the_error_line_is_the_last_line_masked():
    from airflow.sdk.exceptions import AirflowFailException
    from samla_airflow.alerts import last_line

    assert last_line(ValueError("bad value 19121212-1212 in row 3")) == "ValueError: bad value <personnummer hidden> in row 3"
    assert last_line(AirflowFailException("Traceback line\n  the key is missing  ")) == "the key is missing"
    assert last_line(RuntimeError()) == "RuntimeError"


def test_next_run_comes_from_each_dags_timetable(airflow_db, monkeypatch):
    from samla_airflow.schedule import next_run, next_run_text

    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    now = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # a Monday
    assert next_run(_dag("samla_ingest"), now) == ("time", datetime(2027, 1, 5, 6, tzinfo=UTC))
    assert next_run(_dag("samla_retention"), now) == ("time", datetime(2026, 12, 13, 0, tzinfo=UTC))  # @weekly
    assert next_run_text(_dag("samla_retention"), now) == "Nästa schemalagda körning: 2026-12-13 01:00."
    assert next_run(_dag("samla_publish"), now) == ("assets", None)
    assert next_run_text(_dag("samla_publish"), now) == ("Den här körningen har inget tidsschema: den startar när "
                                                         "inläsningen har ändrat data.")
    assert next_run(_dag("samla_ingest"), datetime(2027, 1, 5, 6, tzinfo=UTC) + timedelta(seconds=1))[1] == datetime(
        2027, 2, 5, 6, tzinfo=UTC)
