"""Builders of hostile and sloppy deliveries, generated at test time. Nothing here is real data."""

from __future__ import annotations

import io
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(xml: bytes, base: bytes | None = None) -> bytes:
    """A valid workbook whose first sheet's XML is replaced by ``xml``."""
    base = base or workbook_bytes([["a"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, xml if item.filename == SHEET else src.read(item.filename))
    return out.getvalue()


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _col(index: int) -> str:
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_xml(rows: str, dimension: str = "A1:B2", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet {_NS}>'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>').encode()


def dimension_bomb() -> bytes:
    """~1.5 KB: declares A1:XFD1048576 and has its last row at 1048576 (a reader that trusts the
    dimension allocates the whole sheet)."""
    rows = inline_row(1, ["person_id", "programme"]) + inline_row(1048576, ["x", "y"])
    return with_sheet_xml(sheet_xml(rows, "A1:XFD1048576"))


def external_entity() -> bytes:
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return with_sheet_xml(sheet_xml(inline_row(1, ["&xxe;"]), prolog=prolog))


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    return with_sheet_xml(sheet_xml(inline_row(1, ["&lol9;"]), prolog=f"<!DOCTYPE worksheet [{entities}]>"))


def cut_off_sheet() -> bytes:
    return with_sheet_xml(sheet_xml(inline_row(1, ["person_id", "programme"]) + inline_row(2, ["a", "b"]))[:-60])


def truncated_zip() -> bytes:
    data = workbook_bytes([["person_id"], ["x"]])
    return data[: len(data) // 2]


def many_rows_workbook(n: int) -> bytes:
    return with_sheet_xml(sheet_xml("".join(inline_row(i, ["x"]) for i in range(1, n + 1)), f"A1:A{n}"))


def zip_bomb(unpacked: int) -> bytes:
    """A workbook with a part that unpacks to ``unpacked`` bytes of zeros (compresses ~1000:1)."""
    out = io.BytesIO()
    base = workbook_bytes([["a"]])
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * unpacked)
    return out.getvalue()
