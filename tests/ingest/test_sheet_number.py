"""An integer ``format.sheet`` is counted from 1 by the sample generator and the parser alike."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from transforms.config.sources import FormatHints
from transforms.demo.rendering import _data_sheet
from transforms.ingest.parse import read_xlsx


@pytest.mark.parametrize("number", [1, 2, 3])
def test_generated_sheet_is_the_one_the_parser_reads(number):
    fmt = FormatHints(kind="xlsx", sheet=number)
    book = Workbook()
    sheet = _data_sheet(book, fmt, "participants")
    sheet.append(["person_id", "programme"])
    sheet.append(["x", "IMS"])
    assert book.worksheets.index(sheet) == number - 1
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_xlsx(buffer.getvalue(), fmt)
    assert table.header == ["person_id", "programme"] and table.rows == [["x", "IMS"]]
