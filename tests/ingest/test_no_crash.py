"""exports.md, "No input crashes the pipeline": odd cells are values or row faults, odd files are
file faults, and an unexpected error rejects one file (``internal_error``) while the others go on."""

from __future__ import annotations

import csv
import gc
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import TEST_KEY
from deliveries import PARTICIPANT_HEADER, attendance, participant, people, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.config.schema import DATASET_COLUMNS
from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import curated, landing
from transforms.ingest import pipeline as ingest_pipeline
from transforms.ingest.file_context import FileContext
from transforms.ingest.ledger import Ledger
from transforms.ingest.parse import SHOWN, FileFault, read_file
from transforms.ingest.pipeline import INTERNAL_ERROR, evaluate_file, ingest_source
from transforms.privacy.personnummer import find_in_text

KEY = TEST_KEY.encode()
PERIOD = "2025-01"
PNRS = people(10, seed=5)
ODD_CELLS = ["NaN", "nan", "inf", "-inf", "1e400", "-1e400", "0x10", "=SUM(A1:A3)", "=1+1", "9" * 5_000,
             "\x01\x02\x7f", "1_000", "1e300", "99999999999999999999", "\u00a0", "<script>alert(1)</script>"]


def make_source(folder: Path, **extra):
    raw = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "landing"}} | extra
    return parse_sources({"sources": [raw]}, folder).get("s1")


def evaluate(path: Path, dataset: str, src, snapshot=None):
    return evaluate_file(path, FileContext(src, dataset, PERIOD, path.name, "e" * 64), KEY, snapshot)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("snap")
    path = write_csv(folder / f"participants_{PERIOD}.csv", [participant(p) for p in PNRS])
    result = evaluate(path, "participants", make_source(folder))
    assert result.status == "loaded"
    return result.accepted


def assert_conserved(result, rows_written: int | None = None):
    assert result.rule != INTERNAL_ERROR, result.message
    assert result.rows_read == result.rows_accepted + result.rows_quarantined
    if len(result.quarantine):
        assert result.quarantine["source_row"].nunique() == result.rows_quarantined
    if rows_written is not None and result.rule in ("", "too_many_failing_rows"):
        assert result.rows_read == rows_written


@pytest.mark.parametrize("column", ["scheduled_min", "absence_valid_min", "month", "person_id"])
def test_odd_attendance_cells_are_row_faults(tmp_path, snapshot, column):
    """One row per odd cell (attendance's people repeat: duplicates are another rule, so one file per column)."""
    people_ = people(len(ODD_CELLS), seed=11)
    snap = pd.concat([snapshot, _snapshot_of(tmp_path, people_)])
    rows = [attendance(p, PERIOD) for p in people_]
    for row, cell in zip(rows, ODD_CELLS, strict=True):
        row[column] = cell
    src = make_source(tmp_path, quarantine_threshold=1.0)
    result = evaluate(write_csv(tmp_path / f"attendance_{PERIOD}.csv", rows), "attendance", src, snap)
    assert_conserved(result, len(rows))
    faulty = set(result.quarantine["source_row"])
    expected = {i + 2 for i, cell in enumerate(ODD_CELLS) if cell.strip() or column != "absence_valid_min"}
    assert faulty == expected, result.quarantine[["source_row", "rule", "value"]]  # an empty optional cell is fine
    assert all(len(v) <= SHOWN + 30 for v in result.quarantine["value"].dropna()), "a cell is clipped"


def _snapshot_of(tmp_path, pnrs):
    path = write_csv(tmp_path / "snap.csv", [participant(p) for p in pnrs])
    return evaluate(path, "participants", make_source(tmp_path)).accepted


@pytest.mark.parametrize("column", ["entry_date", "newly_arrived", "programme", "gender"])
def test_odd_participant_cells_are_row_faults(tmp_path, column):
    cells = ["NaN", "inf", "1e400", "0x10", "=1+1", "x" * 5_000, "\x07"]
    pnrs = people(len(cells) + 3, seed=12)
    rows = [participant(p) for p in pnrs]
    for row, cell in zip(rows, cells, strict=False):
        row[column] = cell
    result = evaluate(write_csv(tmp_path / f"participants_{PERIOD}.csv", rows), "participants",
                      make_source(tmp_path, quarantine_threshold=1.0))
    assert_conserved(result, len(rows))
    assert set(result.quarantine["source_row"]) == set(range(2, len(cells) + 2))


@pytest.mark.parametrize("column", ["programme", "person_id"])
def test_a_100_000_character_cell_is_a_row_fault(tmp_path, column):
    """exports.md: any cell value, 100 000 characters included, is read or a row fault. Beyond
    SAMLA_MAX_CELL_CHARS only its length is kept: its row is quarantined, the others load."""
    rows = [participant(p) for p in PNRS]
    rows[1][column] = "I" * 100_000
    result = evaluate(write_csv(tmp_path / f"participants_{PERIOD}.csv", rows), "participants",
                      make_source(tmp_path))
    assert_conserved(result, len(rows))
    assert result.status != "rejected" and result.rows_accepted == len(rows) - 1
    fault = result.quarantine[result.quarantine["rule"] == "cell_too_long"]
    assert list(fault["source_row"]) == [3] and list(fault["header"]) == [column]
    described = fault["description"].iloc[0]
    assert "100000" in re.sub(r"\D", "", described) and "SAMLA_MAX_CELL_CHARS" in described
    assert not result.quarantine["value"].astype(str).str.contains("IIII").any()
    assert len(result.message) < 1000


def test_full_width_digits_are_read_as_numbers(tmp_path, snapshot):
    rows = [attendance(p, PERIOD) for p in PNRS]
    rows[0].update(scheduled_min="１０００", attended_min="９００", absence_valid_min="５０", absence_invalid_min="５０")
    result = evaluate(write_csv(tmp_path / f"attendance_{PERIOD}.csv", rows), "attendance", make_source(tmp_path),
                      snapshot)
    assert result.status == "loaded", result.quarantine
    assert list(result.accepted["scheduled_min"]) == [1000] * len(PNRS)


def test_odd_numbers_in_a_workbook(tmp_path, snapshot):
    """Excel cells arrive typed: a float NaN/inf or a huge number must be a row fault too."""
    book = openpyxl.Workbook()
    sheet = book.active
    header = list(attendance(PNRS[0], PERIOD))
    sheet.append(header)
    for i, p in enumerate(PNRS):
        row = attendance(p, PERIOD)
        values = [row[h] for h in header]
        values[2] = [float("nan"), float("inf"), 1e300, 10**30][i] if i < 4 else 1000
        sheet.append(values)
    path = tmp_path / f"attendance_{PERIOD}.xlsx"
    book.save(path)
    result = evaluate(path, "attendance", make_source(tmp_path, quarantine_threshold=0.5), snapshot)
    assert_conserved(result, len(PNRS))
    assert result.rows_quarantined >= 3  # NaN may come back empty (a required fault) or as text


def _corrupt_sheet(path: Path) -> None:
    data = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2] + b"<row r=\"99\"><c r=\"A99\" t=\"s\"><v>x</v"
            dst.writestr(item, content)
    path.write_bytes(out.getvalue())


def test_corrupt_sheet_in_a_workbook_is_a_file_fault(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(PARTICIPANT_HEADER)
    for p in PNRS:
        book.active.append(list(participant(p).values()))
    path = tmp_path / f"participants_{PERIOD}.xlsx"
    book.save(path)
    _corrupt_sheet(path)
    src = make_source(tmp_path)
    with pytest.raises(FileFault, match="går inte att läsa"):
        read_file(path, src.datasets["participants"].format)
    result = evaluate(path, "participants", src)
    assert result.status == "rejected" and result.rule == "file_unreadable"


# --- arbitrary text through every dataset -------------------------------------------------------

ODD = st.sampled_from(ODD_CELLS[:-4] + ["", " ", "１２", "2025-01", "T1", "1", "ja", "IMS", "female", "3,5"])
CELL = st.one_of(ODD, st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
PERSON = st.one_of(st.sampled_from(PNRS), CELL)


def _write_quoted(path: Path, records: list[dict], header: list[str]) -> Path:
    """Every field quoted, so a bare CR inside a cell stays inside it and the row count is known."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([r[h] for h in header] for r in records)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("dataset", list(DATASET_COLUMNS))
def test_arbitrary_text_never_crashes(tmp_path, snapshot, dataset):
    header = [c.name for c in DATASET_COLUMNS[dataset]]
    src = make_source(tmp_path, format={"delimiter": ","})

    row = st.tuples(PERSON, *[CELL] * (len(header) - 1))
    assert header[0] == "person_id"

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(row, min_size=1, max_size=8))
    def check(rows):
        records = [dict(zip(header, cells, strict=True)) for cells in rows]
        path = _write_quoted(tmp_path / f"{dataset}_{PERIOD}.csv", records, header)
        written = sum(any(v.strip() for v in r.values()) for r in records)
        result = evaluate(path, dataset, src, snapshot)
        assert_conserved(result, written)
        shown = " ".join(result.quarantine["value"].dropna().astype(str)) + result.message
        assert not find_in_text(shown)

    check()


# --- one file's unexpected error ----------------------------------------------------------------


@pytest.fixture
def two_files(samla_env):
    settings = load_settings()
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
    folder = source.delivery.folder
    write_csv(folder / f"participants_{PERIOD}.csv", [participant(p) for p in PNRS])
    write_csv(folder / f"attendance_{PERIOD}.csv", [attendance(p, PERIOD) for p in PNRS])
    return settings, source


def test_unexpected_error_rejects_that_file_only(two_files, monkeypatch):
    settings, source = two_files
    real = ingest_pipeline.validate

    def failing_for_attendance(frame, dataset, *args, **kwargs):
        if dataset == "attendance":  # an error whose text quotes a cell, as library errors do
            raise ValueError(f"cannot convert {PNRS[0]!r}")
        return real(frame, dataset, *args, **kwargs)

    monkeypatch.setattr(ingest_pipeline, "validate", failing_for_attendance)
    manifest = ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder),
                             today=pd.Timestamp("2025-03-01").date()).manifest()
    assert manifest["internal_errors"] == [f"attendance_{PERIOD}.csv"]
    by_dataset = {f["dataset"]: f for f in manifest["files"]}
    assert by_dataset["participants"]["status"] == "loaded"
    failed = by_dataset["attendance"]
    assert failed["status"] == "rejected" and "ValueError" in failed["message"]
    assert failed["rows_read"] == len(PNRS) == failed["rows_quarantined"]
    assert not find_in_text(failed["message"])
    records = Ledger(settings.ledger_dir).counted()
    assert set(records["dataset"]) == {"participants", "attendance"}
    assert len(curated.read_dataset(settings.curated_dir, "participants")) == len(PNRS)
    quarantine = curated.read_quarantine(settings.quarantine_dir)
    assert set(quarantine.loc[quarantine["dataset"] == "attendance", "rule"]) == {INTERNAL_ERROR}
    # After the fix the next run tries the file again; the good file is not processed twice.
    monkeypatch.setattr(ingest_pipeline, "validate", real)
    again = ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder),
                          today=pd.Timestamp("2025-03-01").date()).manifest()
    assert [(f["dataset"], f["status"]) for f in again["files"]] == [("attendance", "loaded")]
    assert again["internal_errors"] == []


def test_the_collector_is_off_while_a_file_is_checked_and_on_after(two_files, monkeypatch):
    """evaluate_file pauses the garbage collector (a file's rows make no cycles; its passes cost a
    third of a month's time in a long task process) and turns it on again, after an error too."""
    settings, source = two_files
    real, seen = ingest_pipeline.validate, []

    def watching(frame, dataset, *args, **kwargs):
        seen.append((dataset, gc.isenabled()))
        if dataset == "attendance":
            raise ValueError("a library error")
        return real(frame, dataset, *args, **kwargs)

    monkeypatch.setattr(ingest_pipeline, "validate", watching)
    assert gc.isenabled()
    manifest = ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder),
                             today=pd.Timestamp("2025-03-01").date()).manifest()
    assert seen == [("participants", False), ("attendance", False)]
    assert manifest["internal_errors"] == [f"attendance_{PERIOD}.csv"]
    assert gc.isenabled()
    gc.disable()  # a caller's own pause is left as it was found
    try:
        with ingest_pipeline.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_ledger_written_as_each_file_finishes(two_files, monkeypatch):
    """A crash after the files (here: building the Data Docs index) loses no ledger record."""
    settings, source = two_files

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ingest_pipeline, "build_index", crash)
    with pytest.raises(OSError):
        ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder),
                      today=pd.Timestamp("2025-03-01").date())
    records = Ledger(settings.ledger_dir).counted()
    assert sorted(records["dataset"]) == ["attendance", "participants"]
    assert set(records["status"]) == {"loaded"}


def test_the_delivered_cells_are_let_go_before_validation_not_at_the_next_collection(tmp_path):
    """GX's exceptions leave reference cycles through frames that hold evaluate_file's callers: a raw
    row list still referenced then would wait for the collector (and cost it a visit per row)."""
    src = make_source(tmp_path)
    persons = people(6, seed=77)  # this test's own: no other test's rows can match them
    path = write_csv(tmp_path / f"participants_{PERIOD}.csv", [participant(p) for p in persons])
    evaluate(path, "participants", src)  # GX warmed up: its first run makes its own garbage
    gc.collect()
    gc.disable()
    try:
        result = evaluate(path, "participants", src)
        lingering = [o for o in gc.get_objects() if type(o) is list and len(o) < 20 and o is not persons
                     and any(type(cell) is str and cell == persons[0] for cell in o)]
    finally:
        gc.enable()
    assert result.status == "loaded" and result.rows_read == len(persons)
    assert lingering == []
