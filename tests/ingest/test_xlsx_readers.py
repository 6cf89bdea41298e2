"""Workbooks: calamine reads the plain ones (much faster), openpyxl the rest, and both give the same
table. The openpyxl path is the reference: the reader every older test was written against."""

from __future__ import annotations

import datetime as dt
import io

import hostile
import openpyxl
import pytest

from transforms.config.settings import Limits, load_limits
from transforms.config.sources import FormatHints
from transforms.ingest import parse

LIMITS = load_limits()


def _records(opener, data: bytes, wanted=None):
    title, rows, close = opener(data, wanted)
    try:
        return title, parse._sheet_records(rows(), LIMITS)
    finally:
        close()


def _both(data: bytes, wanted=None):
    return _records(parse._calamine_sheet, data, wanted), _records(parse._openpyxl_sheet, data, wanted)


def _book(fill) -> bytes:
    book = openpyxl.Workbook()
    fill(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _varied(book):
    """Every kind of cell a municipality's export carries, off the sheet's corner, behind a title."""
    info = book.active
    info.title = "Instruktioner"
    info["A1"] = "Fyll i fliken Fokus IM"
    sheet = book.create_sheet("Fokus IM")
    sheet["B1"] = "Fokus IM – månadsrapport"
    sheet.append([])
    for column, value in zip("BCDEFGHIJK", ["  Personnummer ", "Datum", "Tid", "Timmar", "Minuter", "Ja/Nej",
                                           "Stort", "Noll", "Tid på dagen", "Varaktighet"], strict=True):
        sheet[f"{column}3"] = value
    rows = [
        [199001011234, dt.date(2024, 9, 2), dt.datetime(2024, 9, 2, 13, 30), 2.5, 45, True, 1e20, -0.0,
         dt.time(8, 15), dt.timedelta(hours=30)],
        ["  19900101-1234 ", "2024-09-02", None, "2,5", "45", False, 123456789012345, 0, None, None],
        [None, None, None, None, None, None, None, None, None, None],  # an empty row inside the table
        ["x", dt.date(1900, 3, 1), None, 0.1, -7, None, 2**53 + 2, 1.0000001, None, None],
    ]
    for number, values in enumerate(rows, start=4):
        for column, value in zip("BCDEFGHIJK", values, strict=True):
            if value is not None:
                sheet[f"{column}{number}"] = value
    hidden = book.create_sheet("Gömd")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "gömd"


def test_both_readers_give_the_same_table_for_every_kind_of_cell():
    data = _book(_varied)
    assert parse.check_xlsx(data, LIMITS).plain(LIMITS)
    calamine, reference = _both(data, "Fokus IM")
    assert calamine == reference
    title, (records, _) = calamine
    assert title == "Fokus IM"
    by_number = dict(records)
    assert by_number[3][:2] == [None, "Personnummer"]  # column A is there, empty; cells stripped
    first = by_number[4]
    assert first[1] == 199001011234 and type(first[1]) is int
    assert first[2] == dt.datetime(2024, 9, 2) and type(first[2]) is dt.datetime
    assert type(first[4]) is float and type(first[5]) is int and first[6] is True
    assert 6 not in by_number  # the empty row is skipped, and numbering goes on from the sheet


@pytest.mark.parametrize("wanted", [None, 1, 2, 3, "Gömd", "Fokus IM"])
def test_both_readers_pick_the_same_sheet(wanted):
    calamine, reference = _both(_book(_varied), wanted)
    assert calamine == reference


def test_a_missing_sheet_names_the_ones_there_in_both_readers():
    data = _book(_varied)
    for opener in (parse._calamine_sheet, parse._openpyxl_sheet):
        with pytest.raises(parse.FileFault, match="Instruktioner") as fault:
            opener(data, "Deltagare")
        assert fault.value.rule == "sheet_missing"


def test_an_error_cell_goes_to_openpyxl_and_reaches_the_steward_as_written():
    """calamine reads #N/A as an empty cell: a missing value where the workbook says the formula failed."""
    def fill(book):
        book.active.append(["person_id", "entry_date"])
        book.active.append(["19900101-1234", "#N/A"])  # openpyxl stores this as an error cell (t="e")

    data = _book(fill)
    scan = parse.check_xlsx(data, LIMITS)
    assert scan.error_cells and not scan.plain(LIMITS)
    table = parse.read_xlsx(data, FormatHints(kind="xlsx"))
    assert table.rows == [["19900101-1234", "#N/A"]]
    _, (calamine_records, _) = _records(parse._calamine_sheet, data)
    assert calamine_records[1][1][1:] == []  # what calamine alone would have made of it


def test_a_sparse_sheet_is_streamed_not_built_as_a_rectangle():
    """A1 and XFD1048576: two cells, a rectangle of 17 billion. calamine would build it in memory."""
    xml = hostile.sheet_xml(hostile.inline_row(1, ["person_id"])
                            + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    data = hostile.with_sheet_xml(xml)
    scan = parse.check_xlsx(data, LIMITS)
    assert (scan.last_row, scan.last_column, scan.cells) == (1048576, 16384, 2)
    assert not scan.plain(LIMITS)
    with pytest.raises(parse.FileFault) as fault:
        parse.read_xlsx(data, FormatHints(kind="xlsx"))
    assert fault.value.rule == "file_too_large" and "SAMLA_MAX_COLUMNS" in str(fault.value)


def test_long_thin_gaps_are_streamed_too():
    """Rows far apart (the dimension bomb's shape) are not dense: openpyxl reads them."""
    scan = parse.check_xlsx(hostile.dimension_bomb(), LIMITS)
    assert not scan.plain(LIMITS)


def test_cells_without_a_reference_are_streamed():
    """A cell's place may be left implicit; only cells with a reference are measured, so such a
    workbook is not counted as plain."""
    xml = hostile.sheet_xml('<row r="1"><c t="inlineStr"><is><t>person_id</t></is></c></row>'
                            '<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>')
    data = hostile.with_sheet_xml(xml)
    scan = parse.check_xlsx(data, LIMITS)
    assert scan.cells == 2 and scan.referenced == 0 and not scan.plain(LIMITS)
    assert parse.read_xlsx(data, FormatHints(kind="xlsx")).rows == [["x"]]
    # A reference written after another attribute is not looked for: such a workbook is streamed too.
    xml = hostile.sheet_xml('<row r="1"><c t="inlineStr" r="A1"><is><t>person_id</t></is></c></row>'
                            '<row r="2"><c t="inlineStr" r="A2"><is><t>x</t></is></c></row>')
    scan = parse.check_xlsx(hostile.with_sheet_xml(xml), LIMITS)
    assert scan.cells == 2 and scan.referenced == 0 and not scan.plain(LIMITS)


def test_a_sheet_wider_than_the_column_limit_is_refused_with_its_line():
    data = _book(lambda book: book.active.append(["c"] * 12))
    narrow = Limits(max_columns=10)
    assert not parse.check_xlsx(data, narrow).plain(narrow)
    with pytest.raises(parse.FileFault, match="SAMLA_MAX_COLUMNS"):
        parse.read_xlsx(data, FormatHints(kind="xlsx"), narrow)


def test_the_demo_workbooks_read_the_same_with_both(tmp_path):
    """The sample generator's two workbook sources (one on the first sheet, one behind a title)."""
    from transforms.config.settings import DEFAULT_SOURCES
    from transforms.config.sources import load_sources
    from transforms.demo.generate import generate

    config = load_sources(DEFAULT_SOURCES, tmp_path)
    generate(config, tmp_path, ["2024-09"])
    workbooks = sorted(tmp_path.rglob("*.xlsx"))
    assert len(workbooks) >= 8
    for path in workbooks:
        source = config.get(path.parent.name)  # the demo's folders are named by source id
        hints = next(iter(source.datasets.values())).format
        data = path.read_bytes()
        assert parse.check_xlsx(data, LIMITS).plain(LIMITS), path
        assert _both(data, hints.sheet)[0] == _both(data, hints.sheet)[1], path


class PanicException(BaseException):
    """What pyo3 raises for a Rust panic (its name is what the reader knows it by)."""


def test_a_panic_in_calamine_rejects_the_file_not_the_task(monkeypatch):
    import python_calamine

    data = _book(lambda book: book.active.append(["person_id"]))

    def opening_panics(*args, **kwargs):
        raise PanicException("index out of bounds")

    with monkeypatch.context() as patch:  # at opening
        patch.setattr(python_calamine.CalamineWorkbook, "from_filelike", opening_panics)
        with pytest.raises(parse.FileFault, match="PanicException"):
            parse.read_xlsx(data, FormatHints(kind="xlsx"))
    with monkeypatch.context() as patch:  # while the rows are read
        patch.setattr(parse, "_calamine_cell", opening_panics)
        with pytest.raises(parse.FileFault, match="PanicException") as fault:
            parse.read_xlsx(data, FormatHints(kind="xlsx"))
        assert fault.value.rule == "file_unreadable"
    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):  # an operator's interrupt still is one
        patch.setattr(parse, "_calamine_cell", lambda value: (_ for _ in ()).throw(KeyboardInterrupt()))
        parse.read_xlsx(data, FormatHints(kind="xlsx"))
