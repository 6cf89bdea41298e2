"""The steward's commands on a real ingested folder (no Airflow needed): status, quarantine, check;
Swedish by default, English with SAMLA_LANGUAGE=en; 120 columns; no personnummer anywhere."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv
from privacy import personnummer_in
from samla_airflow.cli import main

from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source

PNRS = people(12, seed=21)
PERIOD = "2025-01"
SOURCES = """sources:
  - id: "1489"
    name: Alingsås
    municipalities: ["1489"]
    delivery: {folder: raw/landing/1489}
    columns: {person_id: [PersonNr], entry_date: [Startdatum], exit_date: [Slutdatum],
              attended_min: [Närvaro, Närvaro minuter]}
"""


def _renamed(row):
    names = {"person_id": "PersonNr", "entry_date": "Startdatum", "exit_date": "Slutdatum"}
    return {names.get(k, k): v for k, v in row.items()}


@pytest.fixture
def folder(samla_env, tmp_path, monkeypatch):
    """One source, one period: a participants row with exit before entry (its attendance row cascades),
    and an attendance file of the next period without its minutes column."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # a terminal width left by another test must not widen the table
    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("1489")
    landing_dir = source.delivery.folder
    people_rows = [_renamed(participant(p)) for p in PNRS]
    people_rows[3].update(Slutdatum="2024-08-29", Startdatum="2024-09-02", exit_status="completed", qualification="1")
    write_csv(landing_dir / f"participants_{PERIOD}.csv", people_rows)
    write_csv(landing_dir / f"attendance_{PERIOD}.csv", [_renamed(attendance(p, PERIOD)) for p in PNRS])
    renamed = [{("Närvarotid (min)" if k == "attended_min" else k): v for k, v in _renamed(attendance(p, "2025-02")).items()}
               for p in PNRS]
    write_csv(landing_dir / "attendance_2025-02.csv", renamed)
    write_csv(landing_dir / "participants_2025-02.csv", [_renamed(participant(p)) for p in PNRS])
    ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(landing_dir), today=date(2025, 3, 15))
    return settings


def samla(capsys, *args) -> tuple[int, str]:
    status = main(list(args))
    out = capsys.readouterr()
    # The test scanner: a short file hash of digits only (century 00) is no one's number.
    assert not personnummer_in(out.out + out.err)
    return status, out.out


def test_quarantine_lists_rows_in_the_files_terms_with_the_cascade_root(folder, capsys):
    status, out = samla(capsys, "quarantine", "1489", PERIOD)
    assert status == 1
    assert "Karantän för 1489 Alingsås" in out and "Rader i karantän" in out
    lines = out.splitlines()
    root = next(line for line in lines if "Slut före start" in line)  # the rule by its title, not its id
    assert root.split()[:2] == ["deltagare", "5"] and "Slutdatum" in root and "2024-08-29" in root
    assert "ligger före" in out and "00:00:00" not in out
    cascade = next(line for line in lines if "Inte bland deltagarna" in line)
    assert cascade.split()[0] == "närvaro" and "PersonNr" in cascade and "(dolt:" in cascade
    assert "orsak:" in out and "participants_2025-01.csv" in out
    assert max(len(line) for line in lines) <= 120
    rows = json.loads(samla(capsys, "quarantine", "1489", PERIOD, "--json")[1])["rows"]
    fault = next(r for r in rows if r["rule"] == "exit_before_entry")
    assert fault["description"] == "Slutdatum 2024-08-29 ligger före Startdatum 2024-09-02"


def test_quarantine_in_english_and_as_json(folder, capsys, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    _, out = samla(capsys, "quarantine", "1489", PERIOD)
    assert "Quarantined rows" in out and "cause:" in out and "before" in out
    _, out = samla(capsys, "quarantine", "1489", PERIOD, "--json")
    rows = json.loads(out)["rows"]
    cascaded = next(r for r in rows if r["rule"] == "person_not_in_participants")
    assert cascaded["cause"]["source_row"] == 5 and cascaded["header"] == "PersonNr"
    assert all("person" not in r for r in rows)


def test_rejected_file_is_one_line_with_did_you_mean(folder, capsys):
    status, out = samla(capsys, "quarantine", "1489", "2025-02")
    assert status == 1 and "Avvisade filer" in out and "Rader i karantän" not in out
    assert "menade ni" in out and "Närvarotid" in out
    assert out.count("attendance_2025-02.csv") == 1


def test_status_fits_120_columns_filters_and_names_missing_datasets(folder, capsys):
    status, out = samla(capsys, "status")
    assert status == 1 and "Senaste leverans per källa" in out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "Datamängder som saknas eller är avvisade" in out and "enkät" in out and "saknas" in out
    _, problems = samla(capsys, "status", "--problems", "--period", PERIOD)
    assert "närvaro" in problems and "delvis inläst" in problems
    _, full = samla(capsys, "status", "--file", "attendance_2025-02.csv")
    assert "menade ni 'Närvarotid (min)'?" in full.replace("\n", " ")
    data = json.loads(samla(capsys, "status", "--json", "--source", "1489")[1])
    assert {"deliveries", "dataset_status", "stale_sources"} <= set(data)
    assert any(d["state"] == "missing" and d["dataset"] == "survey" for d in data["dataset_status"])


def test_status_of_a_file_shows_its_times_in_swedish_time(folder, capsys):
    record = json.loads(samla(capsys, "status", "--file", f"participants_{PERIOD}.csv", "--json")[1])[0]
    assert record["arrived_at"].endswith("+00:00")  # stored in UTC, as --json gives it
    _, full = samla(capsys, "status", "--file", f"participants_{PERIOD}.csv")
    for stored in (record["arrived_at"], record["processed_at"]):
        utc = datetime.fromisoformat(stored)
        assert utc.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M:%S") in full
        assert f"{utc:%Y-%m-%d %H:%M:%S}" not in full and f"{utc:%H:%M}" not in full


def test_status_in_english(folder, capsys, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    _, out = samla(capsys, "status", "--period", PERIOD)
    assert "Latest delivery per source" in out and "partly loaded" in out


def test_check_speaks_of_what_would_be_loaded(folder, capsys, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "export" / f"participants_{PERIOD}.csv", [_renamed(participant(p)) for p in PNRS])
    status, out = samla(capsys, "check", str(path), "--source", "1489")
    assert status == 0 and "skulle läsas in: 12 rader" in out
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert "would be loaded: 12 rows" in samla(capsys, "check", str(path), "--source", "1489")[1]


def test_the_detected_format_is_shown_in_the_language_and_kept_as_codes(folder, capsys, monkeypatch):
    # The ledger keeps stable codes (--json); a steward reads them in Swedish (English on request).
    _, full = samla(capsys, "status", "--file", f"participants_{PERIOD}.csv")
    assert "filtyp csv, teckenkodning utf-8 (upptäckt), avgränsare komma (upptäckt)" in full
    assert "(detected)" not in full and "kind=" not in full
    records = json.loads(samla(capsys, "status", "--file", f"participants_{PERIOD}.csv", "--json")[1])
    assert "delimiter=comma (detected)" in records[0]["detected_format"]
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    _, full = samla(capsys, "status", "--file", f"participants_{PERIOD}.csv")
    assert "file type csv, encoding utf-8 (detected), delimiter comma (detected)" in full


def test_samla_runs_rejected_files_are_a_table_that_fits_120_columns(folder, monkeypatch):
    import io

    from samla_airflow.cli.run import _report_run

    out = io.StringIO()
    assert _report_run(folder, "", out, None) == 1
    text = out.getvalue()
    assert not personnummer_in(text)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120, text
    assert "Per källa:" in text and "Avvisade filer" in text
    row = next(line for line in lines if "attendance_2025-02.csv" in line)
    assert row.split()[:4] == ["1489", "närvaro", "2025-02", "attendance_2025-02.csv"]
    assert "obligatorisk kolumn saknas" in row and text.count("attendance_2025-02.csv") == 1
    assert "…" in text and "hela texten med samla status --file FIL." in text  # shortened; the full text is one command away
    assert "Filens rubriker" not in text  # the long tail of the message is left to samla status --file
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    out = io.StringIO()
    _report_run(folder, "", out, None)
    assert "Rejected files" in out.getvalue()  # the message stays in the language it was written in
    assert "samla status --file FILE" in out.getvalue()
