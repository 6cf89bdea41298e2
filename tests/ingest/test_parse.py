"""Each physical format of exports.md, through the pipeline's own parse + harmonise + validate."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from deliveries import PARTICIPANT_HEADER, make_pnr, participant, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.config.sources import FormatHints, parse_sources
from transforms.ingest.file_context import FileContext
from transforms.ingest.parse import FileFault, read_file
from transforms.ingest.pipeline import evaluate_file

KEY = b"parse-test-key-0123456789abcdef"


def source(tmp_path: Path, **extra):
    raw = {"id": "s1", "municipalities": ["1489"], "delivery": {"folder": "landing"}} | extra
    return parse_sources({"sources": [raw]}, tmp_path).get("s1")


def check(path: Path, src, dataset="participants", period="2025-01", snapshot=None):
    ctx = FileContext(src, dataset, period, path.name, "0" * 64)
    return evaluate_file(path, ctx, KEY, snapshot)


PNRS = [make_pnr(date(2007, 3, 12), i) for i in range(1, 5)]


def rows():
    return [participant(p, gender=g) for p, g in zip(PNRS, ["female", "male", "nonbinary", "female"], strict=True)]


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8-sig", b"\xef\xbb\xbf"), ("cp1252", b"")])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters_detected(tmp_path, encoding, bom, delimiter):
    path = write_csv(tmp_path / "participants_2025-01.csv", rows(), delimiter=delimiter, encoding=encoding,
                     line_end="\r\n")
    assert path.read_bytes().startswith(bom) or not bom
    result = check(path, source(tmp_path))
    assert result.status == "loaded", result.message
    assert result.rows_accepted == 4
    names = {",": "comma", ";": "semicolon", "\t": "tab"}
    assert f"delimiter={names[delimiter]} (detected)" in result.detected_format
    assert "line_ends=CRLF" in result.detected_format


def test_utf16_with_bom_tab_unicode_text(tmp_path):
    path = write_csv(tmp_path / "participants_2025-01.txt", rows(), delimiter="\t", encoding="utf-16")
    result = check(path, source(tmp_path))
    assert result.status == "loaded", result.message
    assert "utf-16 (byte-order mark)" in result.detected_format


def test_bom_overrides_declared_encoding(tmp_path):
    path = write_csv(tmp_path / "participants_2025-01.csv", rows(), encoding="utf-8-sig")
    result = check(path, source(tmp_path, format={"encoding": "cp1252"}))
    assert result.status == "loaded" and "utf-8-sig (byte-order mark)" in result.detected_format


def test_windows_1252_swedish_headers_aliases_and_labels(tmp_path):
    src = source(tmp_path, format={"delimiter": ";"},
                 columns={"person_id": ["Personnummer"], "gender": ["Kön"], "programme": ["Program"],
                          "entry_date": ["Startdatum"], "track": ["Spår"], "labour_status": ["Sysselsättning"],
                          "newly_arrived": ["Nyanländ"], "foreign_background": ["Utländsk bakgrund"],
                          "disability": ["Funktionsnedsättning"], "exit_date": ["Slutdatum"],
                          "exit_status": ["Avslutsorsak"], "qualification": ["Behörighet"]},
                 codes={"track": {"Ingen": "none"}, "labour_status": {"Studerande": "inactive"},
                        "programme": {"Språkintroduktion": "IMS"}})
    header = ["  PERSONNUMMER ", "Kön", "Program", "Startdatum", "Slutdatum", "Avslutsorsak", "Behörighet", "Spår",
              "Sysselsättning", "Nyanländ", "Utländsk bakgrund", "Funktionsnedsättning", "Anteckning"]
    data = [dict(zip(header, [p, "Flicka", "Språkintroduktion", "2024-10-01", "", "", "", "Ingen", "Studerande",
                              "Ja", "Nej", "Nej", "fri text"], strict=True)) for p in PNRS]
    path = write_csv(tmp_path / "participants_2025-01.csv", data, header=header, delimiter=";", encoding="cp1252")
    assert "Kön".encode("cp1252") in path.read_bytes()
    result = check(path, src)
    assert result.status == "loaded", (result.message, result.quarantine)
    accepted = result.accepted
    assert set(accepted["gender"]) == {"female"} and set(accepted["programme"]) == {"IMS"}
    assert accepted["newly_arrived"].all() and not accepted["foreign_background"].any()
    assert "Anteckning" in " ".join(result.warnings) and "Anteckning" not in accepted.columns


def test_decimal_comma_detected(tmp_path):
    src = source(tmp_path)
    snapshot = check(write_csv(tmp_path / "participants_2025-01.csv", rows()), src).accepted
    survey = [{"person_id": p, "wave": "T0", "answered_on": "2025-01-15", "motivation": "3,5", "future_hope": "4",
               "wellbeing": ""} for p in PNRS]
    path = write_csv(tmp_path / "survey_2025-01.csv", survey, delimiter=";")
    result = check(path, src, "survey", snapshot=snapshot)
    assert result.status == "loaded", result.quarantine
    assert "decimal=comma (detected)" in result.detected_format
    assert list(result.accepted["motivation"]) == [3.5] * 4


@pytest.mark.parametrize("fmt, text", [("YYYYMMDD", "20241001"), ("YYYY/MM/DD", "2024/10/01"),
                                       ("DD.MM.YYYY", "01.10.2024")])
def test_declared_date_formats(tmp_path, fmt, text):
    data = [participant(p, entry_date=text) for p in PNRS]
    result = check(write_csv(tmp_path / "participants_2025-01.csv", data), source(tmp_path, format={"date_format": fmt}))
    assert result.status == "loaded", result.quarantine
    assert set(result.accepted["entry_date"]) == {datetime(2024, 10, 1)}


def test_checkbox_booleans(tmp_path):
    data = [participant(p, newly_arrived="x" if i % 2 else "", foreign_background="") for i, p in enumerate(PNRS)]
    path = write_csv(tmp_path / "participants_2025-01.csv", data)
    result = check(path, source(tmp_path, format={"checkbox_booleans": True}))
    assert result.status == "loaded"
    assert list(result.accepted["newly_arrived"]) == [False, True, False, True]
    # Without the declaration, an empty required boolean is a row fault.
    assert check(path, source(tmp_path)).status == "rejected"


def _workbook(path: Path, title: str | None, sheet: str, header_at: int):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.cell(row=1, column=1, value=title)
    for col, name in enumerate(PARTICIPANT_HEADER, start=1):
        ws.cell(row=header_at, column=col, value=name)
    for r, p in enumerate(PNRS, start=header_at + 1):
        values = participant(p) | {"entry_date": datetime(2024, 10, 1), "newly_arrived": 1, "foreign_background": 0}
        for col, name in enumerate(PARTICIPANT_HEADER, start=1):
            ws.cell(row=r, column=col, value=values[name] if values[name] != "" else None)
    book.create_sheet("Info")
    book.save(path)
    return path


def test_xlsx_first_sheet_first_nonempty_row(tmp_path):
    path = _workbook(tmp_path / "participants_2025-01.xlsx", None, "Blad1", 1)
    result = check(path, source(tmp_path))
    assert result.status == "loaded", result.quarantine
    assert list(result.accepted["source_row"]) == [2, 3, 4, 5]


def test_xlsx_configured_sheet_and_header_row_with_title(tmp_path):
    book = _workbook(tmp_path / "participants_2025-01.xlsx", "Fokus IM deltagare januari", "Deltagare", 3)
    result = check(book, source(tmp_path, format={"sheet": "Deltagare", "header_row": 3}))
    assert result.status == "loaded", result.quarantine
    assert list(result.accepted["source_row"]) == [4, 5, 6, 7]
    assert "sheet=Deltagare" in result.detected_format


def test_xlsx_missing_sheet_is_file_fault(tmp_path, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    book = _workbook(tmp_path / "participants_2025-01.xlsx", None, "Blad1", 1)
    result = check(book, source(tmp_path, format={"sheet": "Deltagare"}))
    assert result.status == "rejected" and result.rule == "sheet_missing"
    assert result.message == ("arbetsboken har inget blad 'Deltagare' (angivet i källfilen); dess blad är 'Blad1', "
                              "'Info'")  # Swedish by default
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    result = check(book, source(tmp_path, format={"sheet": "Deltagare"}))
    assert result.message == "the workbook has no sheet 'Deltagare' (configured); its sheets are 'Blad1', 'Info'"


def test_blank_lines_skipped_and_quoted_fields(tmp_path):
    path = tmp_path / "participants_2025-01.csv"
    lines = [",".join(PARTICIPANT_HEADER)]
    for p in PNRS:
        lines += [f'"{p}","IMS","female","2024-10-01","","","","none","inactive","1","1","no"', ""]
    path.write_text("\n".join(lines))
    result = check(path, source(tmp_path))
    assert result.status == "loaded" and list(result.accepted["source_row"]) == [2, 4, 6, 8]


def test_zero_byte_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    path = tmp_path / "participants_2025-01.csv"
    path.write_bytes(b"")
    with pytest.raises(FileFault) as fault:
        read_file(path, FormatHints())
    assert (str(fault.value), fault.value.rule) == (
        "filen är tom (0 byte); en rubrikrad och datarader förväntades", "file_empty")  # Swedish by default
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(FileFault, match=r"^the file is empty \(0 bytes\); expected a header row and data rows$"):
        read_file(path, FormatHints())
    result = check(path, source(tmp_path))  # and so in the ledger message the steward reads
    assert result.status == "rejected" and result.message.startswith("the file is empty (0 bytes)")


def test_a_clipped_value_says_its_length_in_the_language(monkeypatch):
    from transforms.ingest.parse import clip

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    assert clip("x" * 1500, 10) == "xxxxxxxxxx… (1\u202f500 tecken)"  # a comma would be a decimal mark
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert clip("x" * 1500, 10) == "xxxxxxxxxx… (1,500 characters)" and clip("short") == "short"


def test_undecodable_declared_encoding(tmp_path):
    path = tmp_path / "participants_2025-01.csv"
    path.write_bytes("person_id,kön\n".encode("cp1252"))
    result = check(path, source(tmp_path, format={"encoding": "utf-8"}))
    assert result.status == "rejected" and "inte giltig utf-8" in result.message


def test_xlsx_numeric_personnummer_keeps_leading_zero(tmp_path):
    ten = make_pnr(date(2005, 3, 12), 77, twelve=False)  # '0503127...' as a number loses its zero
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(PARTICIPANT_HEADER)
    for p in [ten] + PNRS:
        row = participant(p) | {"person_id": int(p.replace("-", ""))}
        ws.append([row[h] if row[h] != "" else None for h in PARTICIPANT_HEADER])
    book.save(tmp_path / "participants_2025-01.xlsx")
    result = check(tmp_path / "participants_2025-01.xlsx", source(tmp_path))
    assert result.status == "loaded", result.quarantine
    assert result.rows_accepted == 5


def test_the_detected_format_is_worded_for_the_reader(monkeypatch):
    from transforms.ingest.parse import format_for_reader

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    stored = "kind=csv, encoding=utf-16 (byte-order mark), delimiter=semicolon (detected), decimal=comma, line_ends=CRLF"
    assert format_for_reader(stored) == ("filtyp csv, teckenkodning utf-16 (byteordningsmarkering), avgränsare "
                                         "semikolon (upptäckt), decimaltecken komma, radslut CRLF")
    assert format_for_reader("kind=xlsx, sheet=Deltagare, kvar=1, header_row=2") == \
        "filtyp xlsx, blad Deltagare, kvar=1, rubrikrad 2"  # a sheet's name is shown as it is
    assert format_for_reader("kind=xlsx, sheet=tab, header_row=1") == "filtyp xlsx, blad tab, rubrikrad 1"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert format_for_reader(stored) == ("file type csv, encoding utf-16 (byte-order mark), delimiter semicolon "
                                         "(detected), decimal mark comma, line ends CRLF")
    assert format_for_reader("") == "" and format_for_reader("something else") == "something else"


_CELL = st.text(alphabet='ab,;"\n\r x', max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, max_size=6), max_size=40), raw=st.text(alphabet='ab,"\n\r', max_size=60),
       max_rows=st.integers(1, 30), max_columns=st.integers(1, 6), max_cell=st.integers(1, 8),
       block=st.sampled_from([1, 3, 1 << 14]))
def test_reading_by_blocks_answers_as_reading_record_by_record(rows, raw, max_rows, max_columns, max_cell, block,
                                                               monkeypatch):
    """The fast reading of CSV records gives the records, long cells or fault of the exact one."""
    from transforms.config.settings import Limits
    from transforms.ingest import parse as parse_module

    monkeypatch.setattr(parse_module, "_BLOCK", block)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    limits = Limits(max_rows=max_rows, max_columns=max_columns, max_cell_chars=max_cell)
    for text in (out.getvalue(), raw):
        answers = []
        for split in (parse_module._split, parse_module._split_by_record):
            try:
                answers.append(split(text, ",", limits))
            except FileFault as fault:
                answers.append((fault.rule, str(fault)))
        assert answers[0] == answers[1]
