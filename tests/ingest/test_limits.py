"""Bounded resources — per-file limits checked before the data is loaded; every parse error a file fault."""

from __future__ import annotations

import time
import tracemalloc

import hostile
import pytest
from deliveries import PARTICIPANT_HEADER, participant, people, write_csv

from transforms.config.settings import Limits, load_limits
from transforms.config.sources import FormatHints
from transforms.ingest.parse import FileFault, LongCell, read_file

SMALL = Limits(max_bytes=10_000, max_rows=5, max_columns=20, max_cell_chars=50)
DEFAULTS, DETECT = Limits(), FormatHints()


def fault_of(path, hints=DETECT, limits=DEFAULTS) -> FileFault:
    with pytest.raises(FileFault) as caught:
        read_file(path, hints, limits)
    assert len(str(caught.value)) < 1000, "a fault message may echo only a little delivered content"
    return caught.value


def test_defaults_and_settings(monkeypatch):
    assert Limits() == Limits(200_000_000, 2_000_000, 200, 10_000)
    monkeypatch.setenv("SAMLA_MAX_ROWS", "7")
    assert load_limits().max_rows == 7


def test_csv_over_each_limit_is_a_file_fault(tmp_path):
    big = write_csv(tmp_path / "big.csv", [participant(p) for p in people(200)])
    fault = fault_of(big, limits=SMALL)
    assert fault.rule == "file_too_large" and "SAMLA_MAX_FILE_BYTES" in str(fault)
    rows = write_csv(tmp_path / "rows.csv", [participant(p) for p in people(6)])
    assert "SAMLA_MAX_ROWS" in str(fault_of(rows, limits=Limits(max_rows=5)))
    assert read_file(write_csv(tmp_path / "ok.csv", [participant(p) for p in people(5)]), FormatHints(),
                     Limits(max_rows=5)).row_numbers == [2, 3, 4, 5, 6]
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(PARTICIPANT_HEADER + [f"x{i}" for i in range(300)]) + "\n")
    assert "SAMLA_MAX_COLUMNS" in str(fault_of(wide))
    for length in (10_001, 500_000):  # under and over the csv module's own field limit
        cell = tmp_path / f"cell{length}.csv"
        cell.write_text("person_id,programme\n1,\"" + "A" * length + "\"\n2,IM\n")
        table = read_file(cell, DETECT, DEFAULTS)  # a long data cell is its row's fault (harmonise)
        assert table.rows == [["1", LongCell(length, 10_000)], ["2", "IM"]]
        assert table.long_cells  # harmonise looks for LongCells only then
        header = tmp_path / f"header{length}.csv"
        header.write_text("person_id,\"" + "A" * length + "\"\n1,IM\n")
        fault = fault_of(header)  # a header cell that long: no column to blame, the file is refused
        assert "SAMLA_MAX_CELL_CHARS" in str(fault) and "AAAA" not in str(fault)


def test_a_million_column_header_is_not_echoed(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(",".join(f"kolumn{i}" for i in range(1_000_000)) + "\n1\n")
    fault = fault_of(path)
    assert "SAMLA_MAX_COLUMNS" in str(fault) and "kolumn0" not in str(fault)


def test_file_over_the_byte_limit_is_never_read(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:  # 200 MB + 1 in one line, sparse on disk: never read
        handle.truncate(200_000_001)
    tracemalloc.start()
    fault = fault_of(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert fault.rule == "file_too_large" and peak < 10_000_000


@pytest.mark.slow
def test_dimension_bomb_reads_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile.dimension_bomb())
    assert path.stat().st_size < 5000
    start = time.monotonic()
    tracemalloc.start()
    table = read_file(path, FormatHints())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert table.header == ["person_id", "programme"] and table.row_numbers == [1048576]
    assert peak < 100_000_000 and time.monotonic() - start < 60


@pytest.mark.parametrize("build, words", [
    (hostile.external_entity, "dokumenttyp"),
    (hostile.billion_laughs, "dokumenttyp"),
    (hostile.cut_off_sheet, "går inte att läsa"),
    (hostile.truncated_zip, "går inte att öppna"),
])
def test_hostile_workbooks_are_file_faults(tmp_path, build, words):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(build())
    fault = fault_of(path)
    assert words in str(fault) and "passwd" not in str(fault) and "lol" not in str(fault)


def test_workbook_rows_counted_from_the_stream_not_the_dimension(tmp_path):
    path = tmp_path / "rows.xlsx"
    path.write_bytes(hostile.many_rows_workbook(30))
    assert "SAMLA_MAX_ROWS" in str(fault_of(path, limits=Limits(max_rows=20)))
    # Reading stopped at the limit: the message says so once (not "more than 20 rows, more than the limit of 20").
    assert str(fault_of(path, limits=Limits(max_rows=20))).startswith(
        "filen har fler rader än gränsen på 20 (SAMLA_MAX_ROWS); inget mer av den lästes")
    assert len(read_file(path, FormatHints(), Limits(max_rows=29)).row_numbers) == 29


def test_workbook_unpacking_past_the_limit(tmp_path):
    path = tmp_path / "zipbomb.xlsx"
    path.write_bytes(hostile.zip_bomb(60_000_000))
    assert path.stat().st_size < 1_000_000
    fault = fault_of(path, limits=Limits(max_bytes=10_000_000))
    assert "uppackat" in str(fault) and fault.rule == "file_too_large"


def test_wide_workbook_row_and_long_cell(tmp_path):
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(hostile.workbook_bytes([["person_id"] + [f"c{i}" for i in range(250)]]))
    assert "SAMLA_MAX_COLUMNS" in str(fault_of(wide))
    long = tmp_path / "long.xlsx"
    long.write_bytes(hostile.workbook_bytes([["person_id"], ["B" * 20_000]]))
    assert read_file(long, DETECT, DEFAULTS).rows == [[LongCell(20_000, 10_000)]]
    assert read_file(long, DETECT, DEFAULTS).long_cells
    assert not read_file(long, DETECT, Limits(max_cell_chars=30_000)).long_cells  # under a higher limit: plain text
    long_header = tmp_path / "long_header.xlsx"
    long_header.write_bytes(hostile.workbook_bytes([["B" * 20_000], ["1"]]))
    fault = fault_of(long_header)
    assert "SAMLA_MAX_CELL_CHARS" in str(fault) and "BBB" not in str(fault)


def test_workbook_renamed_csv_is_named_as_such(tmp_path):
    path = tmp_path / "participants_2025-01.csv"
    path.write_bytes(hostile.workbook_bytes([["person_id"], ["x"]]))
    fault = fault_of(path, FormatHints(kind="csv"))
    assert fault.rule == "wrong_format" and "Excel-arbetsbok" in str(fault) and "UTF-16" not in str(fault)
