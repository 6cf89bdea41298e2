"""Every row- and file-level fault class of exports.md, through ``evaluate_file``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from deliveries import attendance, make_pnr, participant, people, write_csv
from privacy import personnummer_in

from transforms.config.sources import parse_sources
from transforms.ingest.file_context import FileContext
from transforms.ingest.pipeline import evaluate_file

KEY = b"fault-test-key-0123456789abcdef"
PERIOD = "2025-01"
PNRS = people(12)


def make_source(tmp_path: Path, municipalities=("1489",), **extra):
    raw = {"id": "s1", "municipalities": list(municipalities), "delivery": {"folder": "landing"}} | extra
    return parse_sources({"sources": [raw]}, tmp_path).get("s1")


def run(tmp_path, rows, dataset="participants", src=None, snapshot=None, header=None, name=None):
    src = src or make_source(tmp_path)
    path = write_csv(tmp_path / (name or f"{dataset}_{PERIOD}.csv"), rows, header=header)
    ctx = FileContext(src, dataset, PERIOD, path.name, "f" * 64)
    return evaluate_file(path, ctx, KEY, snapshot)


def snapshot_of(tmp_path, src=None, rows=None):
    result = run(tmp_path, rows or [participant(p) for p in PNRS], src=src, name="snap.csv")
    assert result.status == "loaded", result.quarantine
    return result.accepted


def assert_conserved(result):
    quarantined_rows = result.quarantine["source_row"].nunique() if len(result.quarantine) else 0
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    assert quarantined_rows == result.rows_quarantined


PARTICIPANT_FAULTS = [
    ({"person_id": "200703121235"}, "person_id", "invalid_personnummer"),
    ({"person_id": make_pnr(date(2025, 3, 1), 7)}, "person_id", "invalid_personnummer"),  # born after period end
    ({"entry_date": "2024-13-01"}, "entry_date", "invalid_date"),
    ({"entry_date": "2024-08-31"}, "entry_date", "entry_date_out_of_range"),
    ({"entry_date": "2025-02-01"}, "entry_date", "entry_date_out_of_range"),
    ({"programme": "IMX"}, "programme", "unknown_code"),
    ({"gender": "okänt"}, "gender", "unknown_code"),
    ({"gender": ""}, "gender", "required"),
    ({"exit_date": "2024-09-15", "exit_status": "employed", "qualification": "0"}, "exit_date", "exit_before_entry"),
    ({"exit_date": "2025-02-03", "exit_status": "employed", "qualification": "0"}, "exit_date", "exit_date_out_of_range"),
    ({"exit_status": "employed"}, "exit_status", "exit_status_without_exit_date"),
    ({"qualification": "ja"}, "qualification", "qualification_without_exit_date"),
    ({"exit_date": "2025-01-10", "qualification": "1"}, "exit_status", "exit_status_required_with_exit"),
    ({"exit_date": "2025-01-10", "exit_status": "employed"}, "qualification", "qualification_required_with_exit"),
    ({"newly_arrived": "kanske"}, "newly_arrived", "invalid_boolean"),
    ({"newly_arrived": ""}, "newly_arrived", "required"),
    ({"disability": "maybe"}, "disability", "unknown_code"),
    ({"track": "studie"}, "track", "unknown_code"),
    ({"labour_status": "student"}, "labour_status", "unknown_code"),
]


@pytest.mark.parametrize("override, column, rule", PARTICIPANT_FAULTS)
def test_participant_row_faults(tmp_path, override, column, rule):
    rows = [participant(p) for p in PNRS]
    rows[3] = participant(rows[3]["person_id"], **override)
    result = run(tmp_path, rows)
    assert result.status == "loaded_with_quarantine", result.message
    assert_conserved(result)
    bad = result.quarantine[result.quarantine["source_row"] == 5]
    assert (column, rule) in set(zip(bad["column"], bad["rule"], strict=True)), bad[["column", "rule"]]
    assert result.rows_quarantined == 1
    text = result.quarantine.to_csv()
    assert not personnummer_in(text), "a personnummer leaked into the quarantine"


def test_duplicate_person_quarantines_every_row(tmp_path):
    rows = [participant(p) for p in PNRS] + [participant(PNRS[0], gender="male")]
    result = run(tmp_path, rows)
    assert result.rows_quarantined == 2
    assert set(result.quarantine["rule"]) == {"duplicate_key"}
    assert set(result.quarantine["source_row"]) == {2, len(rows) + 1}


def test_kommunkod_of_another_source_is_a_row_fault(tmp_path):
    src = make_source(tmp_path, municipalities=("1488", "1487"))
    rows = [participant(p) | {"kommunkod": "1488"} for p in PNRS]
    rows[0]["kommunkod"] = "1480"
    result = run(tmp_path, rows, src=src)
    assert ("kommunkod", "kommunkod_not_of_source") in set(zip(result.quarantine["column"], result.quarantine["rule"],
                                                                  strict=True))


ATTENDANCE_FAULTS = [
    ({"attended": 1100, "valid": 0, "invalid": 0}, "attended_min", "attended_over_scheduled"),
    ({"scheduled": 20001, "attended": 20001, "valid": 0, "invalid": 0}, "scheduled_min", "scheduled_out_of_range"),
    ({"attended": "9x"}, "attended_min", "invalid_number"),
    ({"attended": "12.5"}, "attended_min", "invalid_integer"),
    ({"valid": -5, "invalid": 105}, "absence_valid_min", "absence_negative"),
    ({"valid": 200}, "attended_min,absence_valid_min,absence_invalid_min", "minutes_do_not_add_up"),
    ({"month": "2024-12"}, "month", "month_not_period"),
]


@pytest.mark.parametrize("override, column, rule", ATTENDANCE_FAULTS)
def test_attendance_row_faults(tmp_path, override, column, rule):
    snap = snapshot_of(tmp_path)
    rows = [attendance(p, PERIOD) for p in PNRS]
    month = override.pop("month", PERIOD)
    rows[2] = attendance(PNRS[2], month, **override)
    result = run(tmp_path, rows, "attendance", snapshot=snap)
    assert_conserved(result)
    bad = result.quarantine[result.quarantine["source_row"] == 4]
    assert (column, rule) in set(zip(bad["column"], bad["rule"], strict=True)), bad[["column", "rule"]]


def test_absence_within_tolerance_is_accepted(tmp_path):
    snap = snapshot_of(tmp_path)
    rows = [attendance(p, PERIOD, scheduled=1000, attended=900, valid=50, invalid=55) for p in PNRS]  # off by 5
    result = run(tmp_path, rows, "attendance", snapshot=snap)
    assert result.status == "loaded", result.quarantine


def test_person_missing_from_snapshot_and_duplicate_key(tmp_path):
    snap = snapshot_of(tmp_path, rows=[participant(p) for p in PNRS[:-1]])
    rows = [attendance(p, PERIOD) for p in PNRS] + [attendance(PNRS[0], PERIOD)]
    src = make_source(tmp_path, quarantine_threshold=0.5)
    result = run(tmp_path, rows, "attendance", src=src, snapshot=snap)
    rules = result.quarantine.groupby("rule")["source_row"].apply(set).to_dict()
    assert rules["person_not_in_participants"] == {len(PNRS) + 1}
    assert rules["duplicate_key"] == {2, len(PNRS) + 2}
    assert result.rows_quarantined == 3
    assert_conserved(result)


def test_kommunkod_must_match_enrolment(tmp_path):
    src = make_source(tmp_path, municipalities=("1488", "1487"))
    snap = snapshot_of(tmp_path, src, [participant(p) | {"kommunkod": "1488"} for p in PNRS])
    rows = [attendance(p, PERIOD, kommunkod="1488") for p in PNRS]
    rows[1]["kommunkod"] = "1487"
    result = run(tmp_path, rows, "attendance", src=src, snapshot=snap)
    assert set(result.quarantine["rule"]) == {"kommunkod_differs_from_enrolment"}


def survey(p, **kw):
    return {"person_id": p, "wave": "T0", "answered_on": "2025-01-10", "motivation": "3", "future_hope": "3.5",
            "wellbeing": "4"} | kw


@pytest.mark.parametrize("override, column, rule", [
    ({"wave": "X1"}, "wave", "unknown_code"),
    ({"answered_on": "2025-02-01"}, "answered_on", "date_outside_period"),
    ({"motivation": "5.5"}, "motivation", "score_out_of_range"),
    ({"motivation": "", "future_hope": "", "wellbeing": ""}, "motivation,future_hope,wellbeing", "no_score"),
])
def test_survey_row_faults(tmp_path, override, column, rule):
    snap = snapshot_of(tmp_path)
    rows = [survey(p) for p in PNRS]
    rows[0] = survey(PNRS[0], **override)
    result = run(tmp_path, rows, "survey", snapshot=snap)
    bad = result.quarantine[result.quarantine["source_row"] == 2]
    assert (column, rule) in set(zip(bad["column"], bad["rule"], strict=True)), bad[["column", "rule"]]


def test_survey_duplicate_wave(tmp_path):
    snap = snapshot_of(tmp_path)
    rows = [survey(p) for p in PNRS] + [survey(PNRS[0], motivation="2")]
    result = run(tmp_path, rows, "survey", snapshot=snap)
    assert set(result.quarantine["rule"]) == {"duplicate_key"} and result.rows_quarantined == 2


@pytest.mark.parametrize("override, column, rule", [
    ({"activity": "fika"}, "activity", "unknown_code"),
    ({"hours": "0"}, "hours", "hours_out_of_range"),
    ({"hours": "12,5"}, "hours", "hours_out_of_range"),
    ({"date": "2024-12-31"}, "date", "date_outside_period"),
])
def test_activity_row_faults(tmp_path, override, column, rule):
    snap = snapshot_of(tmp_path)
    rows = [{"person_id": p, "activity": "mi", "date": "2025-01-07", "hours": "1.5"} for p in PNRS]
    rows[0] |= override
    result = run(tmp_path, rows, "activities", snapshot=snap)
    bad = result.quarantine[result.quarantine["source_row"] == 2]
    assert (column, rule) in set(zip(bad["column"], bad["rule"], strict=True)), bad[["column", "rule"]]


# --- file-level faults ---------------------------------------------------------------------


def test_required_column_missing(tmp_path):
    rows = [participant(p) for p in PNRS]
    header = [h for h in rows[0] if h != "gender"]
    result = run(tmp_path, rows, header=header)
    assert result.status == "rejected" and result.rule == "required_column_missing"
    assert "gender" in result.message
    assert result.rows_read == len(PNRS) == result.rows_quarantined


def test_duplicated_column_after_alias_matching(tmp_path):
    src = make_source(tmp_path, columns={"person_id": ["pnr"]})
    rows = [participant(p) | {"pnr": p} for p in PNRS]
    result = run(tmp_path, rows, src=src)
    assert result.rule == "duplicated_column" and "'person_id'" in result.message
    assert not personnummer_in(result.message)


def test_participants_without_rows(tmp_path):
    path = tmp_path / f"participants_{PERIOD}.csv"
    path.write_text(",".join(participant(PNRS[0])) + "\n")
    ctx = FileContext(make_source(tmp_path), "participants", PERIOD, path.name, "f" * 64)
    result = evaluate_file(path, ctx, KEY, None)
    assert result.status == "rejected" and result.rule == "participants_empty"


def test_header_only_attendance_means_no_rows(tmp_path):
    path = tmp_path / f"attendance_{PERIOD}.csv"
    path.write_text(",".join(attendance(PNRS[0], PERIOD)) + "\n")
    ctx = FileContext(make_source(tmp_path), "attendance", PERIOD, path.name, "f" * 64)
    result = evaluate_file(path, ctx, KEY, None)
    assert result.status == "loaded" and result.rows_read == 0


def test_too_many_failing_rows(tmp_path, monkeypatch):
    rows = [participant(p) for p in PNRS]
    for row in rows[:3]:
        row["gender"] = "?"
    result = run(tmp_path, rows)  # 3 of 12 = 25 % > 20 %
    assert result.status == "rejected" and result.rule == "too_many_failing_rows"
    assert "3 av 12 rader" in result.message and result.accepted is None  # Swedish first
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert "3 of 12 rows" in run(tmp_path, rows).message
    assert result.rows_quarantined == 12
    assert_conserved(result)
    # the same file passes under a source's own, higher threshold
    assert run(tmp_path, rows, src=make_source(tmp_path, quarantine_threshold=0.3)).status == "loaded_with_quarantine"


def test_zero_bytes_and_binary(tmp_path):
    src = make_source(tmp_path)
    for content, words in [(b"", "0 byte"), (b"\x00\x01\x02garbage" * 10, "NUL-tecken")]:
        path = tmp_path / f"participants_{PERIOD}.csv"
        path.write_bytes(content)
        result = evaluate_file(path, FileContext(src, "participants", PERIOD, path.name, "f" * 64), KEY, None)
        assert result.status == "rejected" and words in result.message
        assert result.rows_read == 0 and len(result.quarantine) == 0


def test_missing_first_row_header_does_not_leak_number(tmp_path):
    """A file without a header makes the first data row the header: the message must not show it."""
    path = tmp_path / f"participants_{PERIOD}.csv"
    path.write_text("\n".join(",".join(participant(p).values()) for p in PNRS))
    result = evaluate_file(path, FileContext(make_source(tmp_path), "participants", PERIOD, path.name, "f" * 64),
                           KEY, None)
    assert result.status == "rejected" and result.rule == "required_column_missing"
    assert not personnummer_in(result.message + " ".join(result.warnings))
    assert pd.Series(result.quarantine["description"]).map(personnummer_in).map(len).sum() == 0


def test_spaced_and_full_width_numbers_masked_in_any_column(tmp_path):
    """Forms parse accepts, in person_id and in other columns, never reach quarantine or messages."""
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    spaced = PNRS[1][:8] + " " + PNRS[1][8:]
    rows = [participant(p) for p in PNRS]
    rows[0] = participant(PNRS[0].translate(wide))  # full width: normalised, accepted
    rows[1] = participant(spaced, programme=PNRS[2][2:8] + " " + PNRS[2][8:])  # a number in a code column
    rows[2] = participant(PNRS[2], gender=PNRS[3].translate(wide))
    result = run(tmp_path, rows)
    assert_conserved(result)
    assert result.rows_accepted == len(PNRS) - 2
    assert set(result.quarantine["rule"]) == {"unknown_code"}
    assert not personnummer_in(result.quarantine.to_csv() + result.message)
    assert not personnummer_in(result.accepted.astype(str).to_csv())


# --- harmonise's own texts come from the catalogue: Swedish by default, English with SAMLA_LANGUAGE=en


@pytest.mark.parametrize("lang, expected", [
    (None, "kolumnerna 'person_id' och 'pnr' betyder båda 'person_id' (dubblerad kolumn); leverera varje kolumn "
           "en gång"),
    ("en", "columns 'person_id' and 'pnr' both mean 'person_id' (duplicated column); deliver each column once"),
])
def test_a_duplicated_column_is_described_in_the_language(tmp_path, monkeypatch, lang, expected):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    if lang:
        monkeypatch.setenv("SAMLA_LANGUAGE", lang)
    src = make_source(tmp_path, columns={"person_id": ["pnr"]})
    result = run(tmp_path, [participant(p) | {"pnr": p} for p in PNRS], src=src)
    assert result.rule == "duplicated_column" and result.message == expected


@pytest.mark.parametrize("lang, unnamed, unknown", [
    (None, "kolumn 13 har ingen rubrik och togs bort", "okänd kolumn 'skonummer' togs bort (sparas inte)"),
    ("en", "column 13 has no header name and was dropped", "unknown column 'skonummer' was dropped (not stored)"),
])
def test_dropped_columns_are_warned_of_in_the_language(tmp_path, monkeypatch, lang, unnamed, unknown):
    from deliveries import PARTICIPANT_HEADER

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    if lang:
        monkeypatch.setenv("SAMLA_LANGUAGE", lang)
    header = [*PARTICIPANT_HEADER, "", "skonummer"]
    rows = [participant(p) | {"": "x", "skonummer": "42"} for p in PNRS]
    assert len(PARTICIPANT_HEADER) == 12
    result = run(tmp_path, rows, header=header)
    assert result.status == "loaded", result.message
    assert result.warnings == [unnamed, unknown]


CONVERSION_TEXTS = [  # (attendance override, Swedish, English) of the attended_min cell
    ({"attended": "9x"}, "attended_min: 9x är inget tal (decimaltecken '.')",
     "attended_min: 9x is not a number (decimal mark '.')"),
    ({"attended": "9" * 20}, f"attended_min: {'9' * 20} är inget ändligt tal av rimlig storlek",
     f"attended_min: {'9' * 20} is not a finite number of a sensible size"),
    ({"attended": "12.5"}, "attended_min: 12.5 är inget heltal", "attended_min: 12.5 is not a whole number"),
]


@pytest.mark.parametrize("override, swedish, english", CONVERSION_TEXTS)
def test_a_cell_that_does_not_convert_is_described_in_the_language(tmp_path, monkeypatch, override, swedish, english):
    snap = snapshot_of(tmp_path)
    for lang, expected in ((None, swedish), ("en", english)):
        monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
        if lang:
            monkeypatch.setenv("SAMLA_LANGUAGE", lang)
        rows = [attendance(p, PERIOD) for p in PNRS]
        rows[2] = attendance(PNRS[2], PERIOD, **override)
        result = run(tmp_path, rows, "attendance", snapshot=snap)
        bad = result.quarantine[(result.quarantine["source_row"] == 4) & (result.quarantine["column"] == "attended_min")]
        assert list(bad["description"]) == [expected]


def test_a_date_month_and_yes_no_cell_are_described_in_swedish_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    rows = [participant(p) for p in PNRS]
    rows[3] = participant(rows[3]["person_id"], entry_date="2024-13-01", newly_arrived="kanske")
    result = run(tmp_path, rows)
    described = dict(zip(result.quarantine["column"], result.quarantine["description"], strict=True))
    assert described["entry_date"] == "entry_date: 2024-13-01 är inget datum i formatet ÅÅÅÅ-MM-DD"
    assert described["newly_arrived"].startswith("newly_arrived: kanske är inget ja/nej-värde")


@pytest.mark.parametrize("lang, expected", [(None, "raden har 14 fält, rubrikraden 12"),
                                            ("en", "the row has 14 fields, the header 12")])
def test_a_row_with_too_many_fields_is_described_in_the_language(tmp_path, monkeypatch, lang, expected):
    from deliveries import PARTICIPANT_HEADER

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    if lang:
        monkeypatch.setenv("SAMLA_LANGUAGE", lang)
    path = write_csv(tmp_path / f"participants_{PERIOD}.csv", [participant(p) for p in PNRS])
    lines = path.read_text().splitlines()
    lines[4] += ",extra,more"
    path.write_text("\n".join(lines) + "\n")
    result = evaluate_file(path, FileContext(make_source(tmp_path), "participants", PERIOD, path.name, "f" * 64),
                           KEY, None)
    bad = result.quarantine[result.quarantine["rule"] == "too_many_fields"]
    assert list(bad["description"]) == [expected] and len(PARTICIPANT_HEADER) == 12
