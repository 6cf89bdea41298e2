"""Quarantine in the steward's own terms: the file's headers, values as delivered, the other value of a
comparison, "did you mean" for a missing column; Swedish first, English with SAMLA_LANGUAGE=en."""

from __future__ import annotations

import pytest
from deliveries import participant, people, write_csv

from transforms.config.sources import parse_sources
from transforms.ingest.file_context import FileContext
from transforms.ingest.pipeline import evaluate_file

KEY = b"steward-terms-key-0123456789abcdef"
PERIOD = "2025-01"
PNRS = people(12, seed=4)
# The municipality's own headers (as configured, original case) for three canonical columns.
ALIASES = {"person_id": ["PersonNr"], "entry_date": ["Startdatum"], "exit_date": ["Slutdatum"],
           "attended_min": ["Närvaro", "Närvaro minuter"]}


def source(tmp_path):
    raw = {"id": "s1", "municipalities": ["1489"], "delivery": {"folder": "landing"}, "columns": ALIASES}
    return parse_sources({"sources": [raw]}, tmp_path).get("s1")


def renamed(row: dict[str, str]) -> dict[str, str]:
    names = {"person_id": "PersonNr", "entry_date": "Startdatum", "exit_date": "Slutdatum"}
    return {names.get(k, k): v for k, v in row.items()}


def evaluate(tmp_path, rows, dataset="participants"):
    path = write_csv(tmp_path / f"{dataset}_{PERIOD}.csv", rows)
    return evaluate_file(path, FileContext(source(tmp_path), dataset, PERIOD, path.name, "e" * 64), KEY, None,
                         membership=False)


@pytest.fixture
def exit_before_entry(tmp_path):
    rows = [renamed(participant(p)) for p in PNRS]
    rows[3].update(Slutdatum="2024-08-29", Startdatum="2024-09-02", exit_status="completed", qualification="1")
    return tmp_path, rows


def test_comparison_names_both_headers_and_values_without_time(exit_before_entry, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    tmp_path, rows = exit_before_entry
    result = evaluate(tmp_path, rows)
    fault = result.quarantine[result.quarantine["rule"] == "exit_before_entry"].iloc[0]
    assert fault["source_row"] == 5 and fault["header"] == "Slutdatum"
    assert (fault["value"], fault["other_column"], fault["other_value"]) == ("2024-08-29", "entry_date", "2024-09-02")
    assert fault["description"] == "Slutdatum 2024-08-29 ligger före Startdatum 2024-09-02"
    assert result.headers["person_id"] == "PersonNr"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    fault = evaluate(tmp_path, rows).quarantine.query("rule == 'exit_before_entry'").iloc[0]
    assert fault["description"] == "Slutdatum 2024-08-29 is before Startdatum 2024-09-02"


def test_row_fault_uses_the_files_header_for_the_person_column(tmp_path):
    rows = [renamed(participant(p)) for p in PNRS]
    rows[0]["PersonNr"] = rows[0]["PersonNr"][:-1] + str((int(rows[0]["PersonNr"][-1]) + 1) % 10)
    result = evaluate(tmp_path, rows)
    fault = result.quarantine[result.quarantine["rule"] == "invalid_personnummer"].iloc[0]
    assert (fault["column"], fault["header"]) == ("person_id", "PersonNr")
    assert fault["description"].startswith("PersonNr: inget giltigt personnummer")


def test_missing_column_suggests_the_closest_headers_and_lists_accepted_ones_as_configured(tmp_path, monkeypatch):
    from deliveries import attendance

    rows = [{("Närvarotid (min)" if k == "attended_min" else k): v for k, v in attendance(p, PERIOD).items()}
            for p in PNRS]
    result = evaluate(tmp_path, rows, "attendance")
    assert result.status == "rejected" and result.rule == "required_column_missing"
    assert "godtagna rubriker: attended_min / Närvaro / Närvaro minuter" in result.message
    assert "menade ni 'Närvarotid (min)'?" in result.message
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    message = evaluate(tmp_path, rows, "attendance").message
    assert "accepted headers: attended_min / Närvaro / Närvaro minuter" in message
    assert "did you mean 'Närvarotid (min)'?" in message


def test_did_you_mean_reads_as_a_sentence_in_both_languages(tmp_path, monkeypatch):
    """The question stays inside the parentheses: no "?." or "?;" before the file's headers or the next column."""
    from deliveries import attendance

    def rows(drop_month: bool):
        renamed = {"attended_min": "Närvarotid (min)", "month": "Mnth"} if drop_month else {
            "attended_min": "Närvarotid (min)"}
        return [{renamed.get(k, k): v for k, v in attendance(p, PERIOD).items()} for p in PNRS]

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    message = evaluate(tmp_path, rows(False), "attendance").message
    assert message.startswith("obligatorisk kolumn saknas: attended_min (godtagna rubriker: attended_min / Närvaro / "
                              "Närvaro minuter; menade ni 'Närvarotid (min)'?). Filens rubriker: 'person_id', ")
    two = evaluate(tmp_path, rows(True), "attendance").message  # two missing columns, each with its own question
    assert "(godtagna rubriker: month; menade ni 'Mnth'?); obligatorisk kolumn saknas: attended_min" in two, two
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    english = evaluate(tmp_path, rows(False), "attendance").message
    assert english.startswith("required column missing: attended_min (accepted headers: attended_min / Närvaro / "
                              "Närvaro minuter; did you mean 'Närvarotid (min)'?). The file's header: 'person_id', ")
    for text in (message, two, english):
        assert "?." not in text and "?;" not in text and ";." not in text, text


def test_loaded_message_counts_in_swedish_and_english(exit_before_entry, monkeypatch):
    tmp_path, rows = exit_before_entry
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    assert evaluate(tmp_path, rows).message == "11 rader inlästa, 1 rad i karantän"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert evaluate(tmp_path, rows).message == "11 rows loaded, 1 row quarantined"
