"""What a steward reads in Swedish names no dataset or rule by its English id: ``samla check``, ``status``,
``quarantine`` and the steward e-mail on planted faults; an unknown code lists the codes the source accepts.
The ids stay in --json output (for machines)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv
from samla_airflow.cli import main

from transforms.config.schema import DATASETS
from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.ingest import curated, landing
from transforms.ingest.pipeline import ingest_source
from transforms.messages import catalogue

PNRS = people(12, seed=31)
PERIOD, NEXT = "2025-01", "2025-02"
SOURCES = """sources:
  - id: "1489"
    name: Alingsås
    municipalities: ["1489"]
    delivery: {folder: raw/landing/1489}
    steward: {name: Anna, email: anna@alingsas.example}
    columns: {person_id: [PersonNr], gender: [Kön], entry_date: [Startdatum], exit_date: [Slutdatum],
              activity: [Aktivitet]}
    codes:
      gender: {"K": female, "M": male, "X": nonbinary}
"""
ACCEPTED_GENDER = "godtagna: K (kvinna), M (man), X (icke-binär)"


def _people_rows() -> list[dict[str, str]]:
    names = {"person_id": "PersonNr", "gender": "Kön", "entry_date": "Startdatum", "exit_date": "Slutdatum"}
    rows = [{names.get(k, k): v for k, v in participant(p, gender="K").items()} for p in PNRS]
    rows[1]["Kön"] = "W"  # unknown_code
    rows[3].update(Slutdatum="2024-08-29", Startdatum="2024-09-02", exit_status="other", qualification="0")
    return rows


def _planted(landing_dir) -> list:
    """Row faults in participants (an unknown code, exit before entry), a cascade in attendance, a file
    rejected for a missing column, and one rejected for too many failing rows."""
    paths = [write_csv(landing_dir / f"participants_{PERIOD}.csv", _people_rows())]
    rows = _people_rows()
    rows[5]["Startdatum"] = "2024-13-04"  # invalid_date, for the pre-delivery check
    paths.append(write_csv(landing_dir / f"participants_{NEXT}.csv", rows))
    paths.append(write_csv(landing_dir / f"attendance_{PERIOD}.csv",
                           [{("PersonNr" if k == "person_id" else k): v for k, v in attendance(p, PERIOD).items()}
                            for p in PNRS]))
    paths.append(write_csv(landing_dir / f"attendance_{NEXT}.csv",  # no attended_min: rejected
                           [{("PersonNr" if k == "person_id" else k): v for k, v in attendance(p, NEXT).items()
                             if k != "attended_min"} for p in PNRS]))
    paths.append(write_csv(landing_dir / f"activities_{PERIOD}.csv",  # every activity unknown: too many failing
                           [{"PersonNr": p, "Aktivitet": "yoga", "date": "2025-01-15", "hours": "2"} for p in PNRS]))
    return paths


@pytest.fixture
def folder(samla_env, tmp_path, monkeypatch):
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("COLUMNS", "400")  # no word folded in two across table lines: the scan reads whole words
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("1489")
    source.delivery.folder.mkdir(parents=True, exist_ok=True)
    for path in _planted(tmp_path / "export"):  # the steward's copies stay, for samla check
        (source.delivery.folder / path.name).write_bytes(path.read_bytes())
    result = ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                           today=date(2025, 3, 15))
    return settings, source, result, tmp_path / "export"


# Whole words only: a file's own name (attendance_2025-01.csv) is the steward's and a path (the validation
# report's) is no word: both are taken out first.
_IDS = sorted(set(DATASETS) | {m.removeprefix("rule.title.") for m in catalogue() if m.startswith("rule.title.")},
              key=len, reverse=True)
_ID = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, _IDS)) + r")(?![\w-])")
_FILE = re.compile(r"[\w.-]+\.(csv|xlsx)|\S+/\S+")


def english_ids(text: str) -> list[str]:
    return sorted(set(_ID.findall(_FILE.sub("", text))))


def samla(capsys, *args) -> str:
    main(list(args))
    return capsys.readouterr().out


def test_swedish_cli_texts_name_datasets_and_rules_in_swedish(folder, capsys):
    _, _, _, export = folder
    texts = {
        "check": samla(capsys, "check", str(export / f"participants_{NEXT}.csv"), "--source", "1489"),
        "check rejected": samla(capsys, "check", str(export / f"activities_{PERIOD}.csv"), "--source", "1489"),
        "status": samla(capsys, "status"),
        "status --file": samla(capsys, "status", "--file", f"activities_{PERIOD}.csv"),
        "quarantine": samla(capsys, "quarantine", "1489", PERIOD),
        "quarantine rejected": samla(capsys, "quarantine", "1489", NEXT),
    }
    for name, text in texts.items():
        assert english_ids(text) == [], (name, text)
    # the planted faults are there, by their Swedish words
    assert "Okänd kod" in texts["check"] and "Felaktigt datum" in texts["check"] and "ÅÅÅÅ-MM-DD" in texts["check"]
    assert "deltagare" in texts["check"] and "Slut före start" in texts["quarantine"]
    assert "Inte bland deltagarna" in texts["quarantine"] and "närvaro" in texts["quarantine"]
    assert "vanligaste felen: Okänd kod (12)" in " ".join(texts["status --file"].split())
    assert "aktiviteter" in texts["status"] and "enkät" in texts["status"]
    assert "obligatorisk kolumn saknas" in texts["quarantine rejected"]


def test_the_ids_stay_in_json_for_machines(folder, capsys):
    _, _, _, export = folder
    checked = json.loads(samla(capsys, "check", str(export / f"participants_{NEXT}.csv"), "--source", "1489",
                              "--json"))
    assert checked["dataset"] == "participants"
    assert {"unknown_code", "invalid_date", "exit_before_entry"} <= {p["rule"] for p in checked["problems"]}
    rows = json.loads(samla(capsys, "quarantine", "1489", PERIOD, "--json"))["rows"]
    assert {"unknown_code", "person_not_in_participants"} <= {r["rule"] for r in rows}


def test_unknown_code_messages_list_the_codes_the_source_accepts(folder, capsys):
    rows = json.loads(samla(capsys, "quarantine", "1489", PERIOD, "--json"))["rows"]
    unknown = {r["dataset"]: r["description"] for r in rows if r["rule"] == "unknown_code"}
    assert unknown["participants"].startswith(f"Kön: W är ingen godtagen kod ({ACCEPTED_GENDER})")
    # a source without labels for the column: the contract's codes, each with what it means
    assert "Aktivitet: yoga är ingen godtagen kod (godtagna: mi (motiverande samtal), " in unknown["activities"]
    assert all("källfil" not in text for text in unknown.values())


def test_the_swedish_steward_email_names_datasets_and_rules_in_swedish(folder):
    from samla_airflow.notify import compose_steward_email

    settings, source, result, _ = folder
    subject, body = compose_steward_email(source, result, quarantine=curated.read_quarantine(
        settings.quarantine_dir, source.id), next_run="Nästa körning hämtar den")
    assert english_ids(subject + body) == [], body
    assert ACCEPTED_GENDER in body and "källfil" not in body
    assert "Datamängd <b>närvaro</b>" in body and "Okänd kod" in body and "För många rader med fel" in body
    assert "(dolt: personid)" in body


def test_english_shows_the_english_names(folder, capsys, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    out = samla(capsys, "quarantine", "1489", PERIOD)
    assert "Not among the participants" in out and "attendance" in out and "närvaro" not in out
