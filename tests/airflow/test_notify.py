"""Steward emails: composed from the source run's result, sent to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
import logging
import re
import time
from email import policy
from pathlib import Path

import pandas as pd
import pytest
from mail_server import free_port as _free_port
from mail_server import html_of as _html
from mail_server import running_smtp_server
from mail_server import smtp_conn as _conn
from mail_server import wait_for as _wait_for
from privacy import personnummer_in

from transforms.config.sources import parse_sources
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import Ledger, LedgerRecord
from transforms.ingest.pipeline import FileOutcome, SourceResult

PSEUDONYM = "ab" * 32  # what a keyed pseudonym looks like: 64 hex characters
OTHER_PSEUDONYM = "0123456789abcdef" * 4
PERSONNUMMER = "19121212-1212"  # a valid test personnummer, to prove the email masks one that slipped through
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
STEWARD = "anna@kommun.example"


def _source(steward: dict | None = None):
    raw = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "/tmp/x"}}
    if steward is not None:
        raw["steward"] = steward
    return parse_sources({"sources": [raw]}, Path("/tmp")).get("s1")


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """The e-mail is Swedish by default; the tests that read its English wording ask for English
    (the Swedish ones set sv)."""
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")


@pytest.fixture
def smtp_server(monkeypatch):
    with running_smtp_server(monkeypatch) as handler:
        yield handler


@pytest.fixture(autouse=True)
def _airflow_imported():
    """Import Airflow (and the SMTP hook) before the test body: its logging set-up replaces the root
    handlers, which would otherwise drop caplog's handler when the first import happens mid-test."""
    import airflow.providers.smtp.hooks.smtp  # noqa: F401


def _quarantine(file_name: str, dataset: str, period: str, sha: str, records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["source_row", "column", "rule", "description", "value", "person"])
    frame.insert(0, "file_sha256", sha)
    frame.insert(0, "file_name", file_name)
    frame.insert(0, "period", period)
    frame.insert(0, "dataset", dataset)
    frame.insert(0, "source", "s1")
    frame["kommunkod"] = "1489"
    return frame


def _outcome(quarantine: pd.DataFrame | None, status: str, counts: tuple[int, int, int], message: str,
             *, file_name: str = "", dataset: str = "", period: str = "", data_docs: str = "",
             name_fault: bool = False, arrived_at: str = "2025-02-03T08:00:00+00:00",
             warnings: tuple[str, ...] = ()) -> FileOutcome:
    """One file as ``ingest_source`` reports it: its ledger record and its quarantined rows (no person column)."""
    if quarantine is not None:
        first = quarantine.iloc[0]
        file_name, dataset, period = first["file_name"], first["dataset"], first["period"]
        quarantine = quarantine.drop(columns=["person"])
    read, accepted, held = counts
    record = LedgerRecord(
        key=DeliveryKey("s1", dataset, period, "9" * 64), file_name=file_name,
        arrived_at=arrived_at, detected_format="csv", rows_read=read, rows_accepted=accepted,
        rows_quarantined=held, status=status, message=message, processed_at="2025-02-03T08:01:00+00:00",
        data_docs=data_docs, warnings=warnings)
    return FileOutcome(record, quarantine, name_fault)


REJECT_MESSAGE = "column 'wave' is missing (header has: person_id, answer)"


def _run_result() -> SourceResult:
    """A clean participants file, a rejected survey file and an attendance file with quarantined rows."""
    rejected = _quarantine("survey_2025-01.csv", "survey", "2025-01", "1" * 64, [
        {"source_row": r, "column": None, "rule": "missing_column", "description": REJECT_MESSAGE,
         "value": None, "person": PSEUDONYM} for r in (2, 3, 4)])
    held = _quarantine("attendance_2025-01.csv", "attendance", "2025-01", "2" * 64, [
        {"source_row": 7, "column": "date", "rule": "date_in_period",
         "description": "the date lies outside the reporting period", "value": "2025-13-01", "person": PSEUDONYM},
        {"source_row": 12, "column": "person_id", "rule": "person_not_in_participants",
         "description": "the person is not an accepted participant", "value": OTHER_PSEUDONYM,
         "person": OTHER_PSEUDONYM},
        {"source_row": 15, "column": "hours", "rule": "hours_range",
         "description": "hours must be between 0 and 24", "value": f"note {PERSONNUMMER}", "person": PSEUDONYM},
    ])
    files = [
        _outcome(None, "loaded", (30, 30, 0), "30 rows loaded", file_name="participants_2025-01.csv",
                 dataset="participants", period="2025-01"),
        _outcome(rejected, "rejected", (3, 0, 3), REJECT_MESSAGE),
        _outcome(held, "loaded_with_quarantine", (20, 17, 3), "17 rows loaded, 3 rows quarantined",
                 data_docs="data_docs/s1/attendance.html"),
    ]
    return SourceResult("s1", files, [("attendance", "2025-01")])


def test_problems_send_one_email_to_the_steward(smtp_server):
    from samla_airflow.notify import notify_steward

    source = _source({"name": "Anna", "email": STEWARD})
    result = _run_result()
    assert notify_steward(source, result) is True
    _wait_for(smtp_server, 1)
    time.sleep(0.2)
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == [STEWARD]
    assert envelope.mail_from == "samla@gr.example"
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert "s1 Test" in message["Subject"] and "1 file rejected" in message["Subject"]
    body = _html(envelope)
    for expected in ("survey_2025-01.csv", "attendance_2025-01.csv", "missing_column", "date_in_period",
                     "Not among the participants", "hours_range", REJECT_MESSAGE.replace("'", "&#x27;"),
                     ">7<", ">12<", ">15<", "Hello Anna", "same name", "previous delivery", "All 3 rows"):
        assert expected in body, expected
    assert "participants_2025-01.csv" not in body  # clean files are not mentioned
    assert not HEX64.search(body), "a pseudonym reached the email"
    assert not HEX64.search(envelope.content.decode("utf-8", "replace"))
    assert personnummer_in(body) == [], "a personnummer reached the email"
    assert "(hidden: person id)" in body
    # Data Docs are linked only when their base URL is known.
    assert "data_docs/s1/attendance.html" not in body
    # arrived 2025-02-03T08:00:00+00:00 (stored UTC): shown in Swedish time, winter UTC+1
    assert body.count("The file arrived 2025-02-03 09:00:00 (Swedish time).") == 2
    assert "08:00" not in body


def test_the_email_says_when_a_file_arrived_in_swedish_time(monkeypatch):
    from samla_airflow.notify import compose_steward_email

    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    outcome = _outcome(None, "rejected", (3, 0, 3), REJECT_MESSAGE, file_name="survey_2025-06.csv",
                       dataset="survey", period="2025-06",
                       arrived_at="2025-07-01T22:30:15.123456+00:00")  # summer, UTC+2: the next day in Sweden
    _, body = compose_steward_email(_source({"name": "Anna", "email": STEWARD}), SourceResult("s1", [outcome]))
    assert "Filen kom in 2025-07-02 00:30:15 (svensk tid)." in body
    assert "2025-07-01" not in body and "22:30" not in body and ".123456" not in body


def test_data_docs_link_and_row_limit():
    from samla_airflow.notify import MAX_ROWS, compose_steward_email

    source = _source({"name": "Anna", "email": STEWARD})
    rows = [{"source_row": r, "column": "hours", "rule": "hours_range", "description": "hours must be 0..24",
             "value": "99", "person": PSEUDONYM} for r in range(2, 2 + MAX_ROWS + 7)]
    quarantine = _quarantine("attendance_2025-01.csv", "attendance", "2025-01", "3" * 64, rows)
    result = SourceResult("s1", [_outcome(quarantine, "loaded_with_quarantine", (100, 43, 57),
                                          "43 rows loaded, 57 rows quarantined", data_docs="data_docs/s1/a b.html")])
    subject, body = compose_steward_email(source, result, "https://samla.example/data/")
    assert "1 file with quarantined rows" in subject
    assert "and 7 more: see <code>samla quarantine s1 2025-01</code>" in body
    assert f">{MAX_ROWS + 1}<" in body and f">{MAX_ROWS + 2}<" not in body
    assert 'href="https://samla.example/data/data_docs/s1/a%20b.html"' in body


def test_a_file_with_warnings_only_is_reported_as_loaded_without_the_quarantine_advice(monkeypatch):
    """A file loaded whole that needs attention for a warning (e.g. a participants snapshot that shrank): the
    e-mail says it was loaded and what the warnings are, and asks nobody to fix rows it did not quarantine."""
    from samla_airflow.notify import compose_steward_email

    from transforms.messages import t

    source = _source({"name": "Anna", "email": STEWARD})

    def result():
        warning = t("intake.participants_drop", gone=8, before=20, share="40%", limit="30%") + t(
            "intake.participants_drop_loaded")
        outcome = _outcome(None, "loaded", (12, 12, 0),
                           t("ingest.loaded", n=12) + t("intake.warning", text=warning) + "; " + t("ingest.warnings", n=1),
                           file_name="participants_2025-01.csv", dataset="participants", period="2025-01",
                           warnings=(warning,))
        assert outcome.needs_attention
        return SourceResult("s1", [outcome])

    subject, body = compose_steward_email(source, result())
    assert subject == "Samla: s1 Test: 1 file loaded with warnings"
    assert "loaded, with warnings" in body and "<b>Warnings:</b> 8 of the 20 persons" in body
    assert "The file was loaded: all 12 rows count and no row is held in quarantine" in body
    for advice in ("quarantined rows", "some rows held in quarantine", "What is wrong", "rows above",
                   "Correct them", "Fix the", "Nothing of this file was loaded"):
        assert advice not in body, advice
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    subject, body = compose_steward_email(source, result())
    assert subject == "Samla: s1 Test: 1 fil inläst med varningar"
    assert "inläst, med varningar" in body and "<b>Varningar:</b> 8 av de 20 personerna" in body
    assert "Filen lästes in: alla 12 rader räknas och ingen rad hålls i karantän" in body
    for advice in ("med rader i karantän", "vissa rader hålls i karantän", "Vad är fel", "raderna ovan",
                   "Rätta dem", "Inget av filen lästes in"):
        assert advice not in body, advice


def test_clean_run_sends_nothing(smtp_server):
    from samla_airflow.notify import compose_steward_email, notify_steward

    source = _source({"name": "Anna", "email": STEWARD})
    result = SourceResult("s1", [_outcome(None, "loaded", (30, 30, 0), "ok", file_name="participants_2025-01.csv",
                                          dataset="participants", period="2025-01")])
    assert compose_steward_email(source, result, None) is None
    assert notify_steward(source, result) is False
    assert notify_steward(source, SourceResult("s1")) is False
    time.sleep(0.2)
    assert smtp_server.envelopes == []


def test_no_steward_email_sends_nothing(smtp_server, caplog):
    from samla_airflow.notify import notify_steward

    source = _source()
    result = _run_result()
    with caplog.at_level(logging.WARNING, logger="samla_airflow.notify"):
        assert notify_steward(source, result) is False
    time.sleep(0.2)
    assert smtp_server.envelopes == []
    assert "no steward email" in caplog.text


def test_smtp_down_is_logged_not_raised(monkeypatch, caplog):
    from samla_airflow.notify import notify_steward

    monkeypatch.setenv("SAMLA_SMTP_CONN_ID", "smtp_samla_down")
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_SAMLA_DOWN", _conn(_free_port()))  # nothing listens there
    source = _source({"name": "Anna", "email": STEWARD})
    result = _run_result()
    with caplog.at_level(logging.ERROR, logger="samla_airflow.notify"):
        assert notify_steward(source, result) is False
    assert "smtp_samla_down" in caplog.text


def test_missing_connection_is_logged_not_raised(monkeypatch, caplog):
    from samla_airflow.notify import notify_steward

    monkeypatch.setenv("SAMLA_SMTP_CONN_ID", "smtp_samla_not_configured")
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_SAMLA_NOT_CONFIGURED", raising=False)
    source = _source({"name": "Anna", "email": STEWARD})
    result = _run_result()
    with caplog.at_level(logging.ERROR, logger="samla_airflow.notify"):
        assert notify_steward(source, result) is False
    assert "smtp_samla_not_configured" in caplog.text


def test_hostile_file_name_is_escaped(smtp_server):
    from samla_airflow.notify import compose_steward_email, notify_steward

    hostile = '<script>alert("x")</script>_2025-01.csv'
    source = _source({"name": "Anna <b>", "email": STEWARD})
    rows = [{"source_row": 3, "column": "hours", "rule": "hours_range", "description": "<img src=x onerror=y>",
             "value": "<iframe>", "person": PSEUDONYM}]
    quarantine = _quarantine(hostile, "attendance", "2025-01", "4" * 64, rows)
    result = SourceResult("s1", [
        _outcome(quarantine, "loaded_with_quarantine", (10, 9, 1), "9 rows loaded, 1 <b>quarantined"),
        _outcome(None, "rejected", (0, 0, 0), f"file name {hostile!r} does not match the source's pattern",
                 file_name=hostile, dataset="_unmatched", name_fault=True)])
    _, body = compose_steward_email(source, result, None)
    for raw in ("<script", "<img", "<iframe", "<b>quarantined", "Anna <b>"):
        assert raw not in body, raw
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;_2025-01.csv" in body
    assert "Rename the file" in body  # a name fault is not fixed by delivering the same name again
    assert notify_steward(source, result) is True
    _wait_for(smtp_server, 1)
    assert "<script" not in _html(smtp_server.envelopes[0])


def test_ingestion_task_emails_the_steward_about_its_quarantined_rows(tmp_path, smtp_server, monkeypatch):
    """The wiring: the source task's own run (ingest_one_source) sends the email, with the Data Docs link."""
    from deliveries import participant, people, write_csv
    from samla_airflow.ingestion import ingest_one_source

    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n'
                       '    steward: {name: Anna, email: anna@alingsas.example}\n')
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "notify-wiring-key-0123456789abcdef")
    monkeypatch.setenv("SAMLA_DATA_DOCS_URL", "https://samla.gr.example/data")
    rows = [participant(p) for p in people(10, seed=21)]
    rows[3]["programme"] = "IMZ"
    write_csv(data / "raw" / "landing" / "1489" / "participants_2025-01.csv", rows)
    ingest_one_source("1489", None)
    _wait_for(smtp_server, 1)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["anna@alingsas.example"]
    body = _html(envelope)
    assert "participants_2025-01.csv" in body and "Unknown code" in body and "IMZ" in body
    assert "https://samla.gr.example/data/data_docs/" in body
    assert not personnummer_in(body)


def test_the_email_comes_from_the_run_result_not_from_disk(tmp_path, smtp_server, monkeypatch):
    """ingest_source's result carries every file's rows and Data Docs page: the email is composed
    from it even when the ledger and quarantine folders are gone by the time it is written."""
    import shutil

    from deliveries import participant, people, write_csv
    from samla_airflow.notify import compose_steward_email

    from transforms.config.settings import Settings
    from transforms.ingest.pipeline import ingest_source

    data = tmp_path / "data"
    settings = Settings(sources_file=tmp_path / "sources.yaml", data_dir=data, warehouse_url="sqlite://",
                        suppression_threshold=5, demo=False, raw_retention_days=90)
    source = parse_sources({"sources": [{"id": "s1", "name": "Test", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, data).get("s1")
    rows = [participant(p) for p in people(10, seed=22)]
    rows[4]["programme"] = "IMZ"
    write_csv(data / "raw" / "landing" / "s1" / "participants_2025-01.csv", rows)
    result = ingest_source(settings, source, b"notify-result-key-0123456789", [
        data / "raw" / "landing" / "s1" / "participants_2025-01.csv"])
    (outcome,) = result.files
    assert outcome.record.file_sha256 and outcome.record.data_docs.startswith("data_docs/")
    assert "person" not in outcome.quarantine.columns
    shutil.rmtree(settings.ledger_dir)
    shutil.rmtree(settings.quarantine_dir)
    _, body = compose_steward_email(source, result, "https://samla.example/")
    assert "Unknown code" in body and "IMZ" in body and ">6<" in body  # row 6: header + 5th data row
    assert 'href="https://samla.example/data_docs/' in body


def test_the_email_links_the_files_steward_page_before_its_data_docs(tmp_path, monkeypatch):
    from deliveries import participant, people, write_csv
    from samla_airflow.notify import compose_steward_email

    from transforms.config.settings import Settings
    from transforms.ingest.pipeline import ingest_source

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    data = tmp_path / "data"
    settings = Settings(sources_file=tmp_path / "sources.yaml", data_dir=data, warehouse_url="sqlite://",
                        suppression_threshold=5, demo=False, raw_retention_days=90)
    source = parse_sources({"sources": [{"id": "s1", "name": "Test", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, data).get("s1")
    rows = [participant(p) for p in people(10, seed=23)]
    rows[4]["programme"] = "IMZ"
    path = write_csv(data / "raw" / "landing" / "s1" / "participants_2025-01.csv", rows)
    result = ingest_source(settings, source, b"notify-page-key-0123456789", [path])
    (outcome,) = result.files
    page = outcome.record.steward_page
    assert page.startswith("steward_pages/s1/2025-01/participants-") and (data / page).is_file()
    _, body = compose_steward_email(source, result, "https://samla.example/data")
    link = f'href="https://samla.example/data/{page}"'
    assert link in body and "Sidan om filen" in body
    assert body.index(link) < body.index('href="https://samla.example/data/data_docs/')


def test_a_participants_snapshot_that_drops_too_many_persons_emails_the_steward(samla_env, smtp_server, monkeypatch):
    """A re-delivery missing more than participants_drop's share of persons is loaded with a
    warning (the default action), and that warning reaches the steward by e-mail."""
    monkeypatch.delenv("SAMLA_LANGUAGE")  # the warning is written in Swedish, the default
    import os
    from datetime import date

    from conftest import TEST_KEY
    from deliveries import participant, people, write_csv
    from samla_airflow.notify import notify_steward

    from transforms.config.settings import load_settings
    from transforms.ingest import landing
    from transforms.ingest.pipeline import ingest_source

    settings = load_settings()
    source = parse_sources({"sources": [{
        "id": "s1", "name": "Alingsås", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"},
        "steward": {"name": "Anna", "email": STEWARD}, "participants_drop": {"max_share": 0.3}}]},
        settings.data_dir).get("s1")
    pnrs = people(20, seed=23)
    target = source.delivery.folder / "participants_2025-01.csv"

    def deliver_and_ingest(persons, age):
        write_csv(target, [participant(p) for p in persons])
        os.utime(target, (time.time() + age, time.time() + age))  # the re-delivery is the newer file
        return ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                             today=date(2025, 3, 15))

    assert notify_steward(source, deliver_and_ingest(pnrs, 0)) is False  # a clean first snapshot: no e-mail
    result = deliver_and_ingest(pnrs[:12], 1)  # 8 of 20 persons gone: 40 % > the source's 30 %
    (outcome,) = result.files
    assert outcome.record.status == "loaded" and outcome.record.rows_quarantined == 0
    assert notify_steward(source, result) is True
    _wait_for(smtp_server, 1)
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [STEWARD]
    body = _html(envelope)
    assert "participants_2025-01.csv" in body
    assert "8 av de 20 personerna" in body and "participants_drop" in body and "30\u00a0%" in body  # a Swedish percentage
    assert "inläst, med varningar" in body and "Varningar:" in body and "Rätta dem i exporten" not in body
    assert not personnummer_in(body)


def test_the_email_names_the_project_of_the_project_file(monkeypatch, tmp_path):
    from samla_airflow.notify import compose_steward_email

    from transforms.config.settings import DEFAULT_PROJECT

    other = tmp_path / "project.yaml"
    other.write_text(Path(DEFAULT_PROJECT).read_text(encoding="utf-8").replace("name: Fokus IM", "name: Nya Vägar"),
                     encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(other))
    result = SourceResult("s1", [_outcome(None, "rejected", (0, 0, 0), "no header", file_name="x_2025-01.csv",
                                          dataset="participants", period="2025-01")])
    _, body = compose_steward_email(_source({"name": "Anna", "email": STEWARD}), result, None)
    assert "Samla (Nya Vägar reporting)" in body and "the Nya Vägar project office" in body and "Fokus IM" not in body


def test_swedish_email_names_the_files_headers_and_points_a_cascade_at_the_participants_row(
        tmp_path, smtp_server, monkeypatch):
    """Through the source task and the real SMTP server: Swedish from the greeting on, the problem in the
    file's own headers (PersonNr, Slutdatum), and the cascaded attendance row sent to participants row 5."""
    from deliveries import attendance, participant, people, write_csv
    from samla_airflow.ingestion import ingest_one_source

    monkeypatch.delenv("SAMLA_LANGUAGE")  # Swedish is the default
    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n'
                       '    columns: {person_id: [PersonNr], entry_date: [Startdatum], exit_date: [Slutdatum]}\n'
                       '    steward: {name: Anna, email: anna@alingsas.example}\n', encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "notify-swedish-key-0123456789abcdef")
    names = {"person_id": "PersonNr", "entry_date": "Startdatum", "exit_date": "Slutdatum"}
    pnrs = people(10, seed=23)
    rows = [{names.get(k, k): v for k, v in participant(p).items()} for p in pnrs]
    rows[3].update(Slutdatum="2024-08-29", Startdatum="2024-09-02", exit_status="completed", qualification="1")
    landing_dir = data / "raw" / "landing" / "1489"
    write_csv(landing_dir / "participants_2025-01.csv", rows)
    write_csv(landing_dir / "attendance_2025-01.csv",
              [{names.get(k, k): v for k, v in attendance(p, "2025-01").items()} for p in pnrs])
    ingest_one_source("1489", None)
    _wait_for(smtp_server, 1)
    (envelope,) = smtp_server.envelopes
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Samla: 1489 Alingsås: 2 filer med rader i karantän"
    body = _html(envelope)
    assert '<html lang="sv">' in body and "<p>Hej Anna,</p>" in body and "har behandlat nya leveranser" in body
    assert "Vad är fel:" in body and "Vad ni gör:" in body
    for english in ("Hello", "What is wrong", "What to do", "rows loaded", "Rows read"):
        assert english not in body, english
    assert "Slutdatum 2024-08-29 ligger före Startdatum 2024-09-02 (rad 5)" in body
    assert ("PersonNr: personen finns inte bland de godkända deltagarna, eftersom raden för personen i "
            "deltagarfilen participants_2025-01.csv hålls i karantän: rad 5") in body
    assert "Rätta raden i deltagarfilen (participants_2025-01.csv rad 5)" in body
    assert "(dolt: personid)" in body
    assert not HEX64.search(body) and not personnummer_in(body)
    assert not personnummer_in(envelope.content.decode("utf-8", "replace"))


def test_english_email_on_request(smtp_server):
    from samla_airflow.notify import notify_steward

    source = _source({"name": "Anna", "email": STEWARD})
    assert notify_steward(source, _run_result()) is True
    _wait_for(smtp_server, 1)
    (envelope,) = smtp_server.envelopes
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"].endswith("1 file rejected, 1 file with quarantined rows")
    body = _html(envelope)
    assert '<html lang="en">' in body and "<p>Hello Anna,</p>" in body and "What is wrong:" in body
    assert "Vad är fel" not in body and "Hej" not in body
    assert not HEX64.search(body) and not personnummer_in(body)


def test_corrected_deliveries_are_confirmed_in_the_same_email_as_the_problems(samla_env, smtp_server):
    """Against real ledger records: a participants file replacing a rejected one, and an attendance file
    checked again (same file) after it had quarantined rows, are confirmed; a rejected survey file is
    reported; one e-mail for the source task."""
    from samla_airflow.notify import notify_steward

    from transforms.config.settings import load_settings

    ledger_dir = load_settings().ledger_dir

    def record(dataset, sha, status, counts, file_name, processed_at, message=""):
        read, accepted, held = counts
        return Ledger(ledger_dir).write(LedgerRecord(
            key=DeliveryKey("s1", dataset, "2025-01", sha), file_name=file_name,
            arrived_at=processed_at, detected_format="csv", rows_read=read, rows_accepted=accepted,
            rows_quarantined=held, status=status, message=message or status, processed_at=processed_at))

    record("participants", "1" * 64, "rejected", (0, 0, 0), "participants_2025-01.csv", "2025-02-03T08:00:00+00:00")
    record("attendance", "2" * 64, "loaded_with_quarantine", (20, 17, 3), "attendance_2025-01.csv",
           "2025-02-03T08:00:01+00:00")
    run = [FileOutcome(record("participants", "3" * 64, "loaded", (12, 12, 0), "participants_2025-01.csv",
                              "2025-02-10T08:00:00+00:00")),
           FileOutcome(record("attendance", "2" * 64, "loaded", (20, 20, 0), "attendance_2025-01.csv",
                              "2025-02-10T08:00:01+00:00")),
           FileOutcome(record("survey", "4" * 64, "rejected", (0, 0, 0), "survey_2025-01.csv",
                              "2025-02-10T08:00:02+00:00", REJECT_MESSAGE))]
    assert run[1].record.sequence == 1  # the attendance file's second check
    assert notify_steward(_source({"name": "Anna", "email": STEWARD}), SourceResult("s1", run)) is True
    _wait_for(smtp_server, 1)
    time.sleep(0.2)
    (envelope,) = smtp_server.envelopes
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Samla: s1 Test: 1 file rejected, 2 corrected files loaded"
    body = _html(envelope)
    assert "survey_2025-01.csv" in body and "What is wrong:" in body
    assert "Corrected deliveries now loaded:" in body
    assert ("<code>participants_2025-01.csv</code> (participants 2025-01): 12 rows loaded. It replaces the earlier "
            "delivery <code>participants_2025-01.csv</code> (received 2025-02-03), which was rejected.") in body
    assert ("<code>attendance_2025-01.csv</code> (attendance 2025-01) was checked again and is now loaded: 20 rows. "
            "Earlier it had 3 rows in quarantine.") in body
    assert "The next run picks it up" in body  # called outside a task: no timetable to name


def test_a_clean_first_delivery_is_not_confirmed(samla_env, smtp_server):
    from samla_airflow.notify import notify_steward

    from transforms.config.settings import load_settings

    rec = LedgerRecord(
        key=DeliveryKey("s1", "participants", "2025-01", "5" * 64), file_name="participants_2025-01.csv",
        arrived_at="2025-02-03T08:00:00+00:00", detected_format="csv", rows_read=5,
        rows_accepted=5, rows_quarantined=0, status="loaded", message="ok", processed_at="2025-02-03T08:00:00+00:00")
    rec = Ledger(load_settings().ledger_dir).write(rec)
    assert notify_steward(_source({"name": "Anna", "email": STEWARD}), SourceResult("s1", [FileOutcome(rec)])) is False
    time.sleep(0.2)
    assert smtp_server.envelopes == []
