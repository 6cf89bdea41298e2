"""Landing file -> table of raw cells (first step after the raw archive).

Reads CSV/text and xlsx as delivered, detecting what the source did not
declare (encoding, delimiter, decimal mark) and recording what was detected.
Every problem that makes the whole file unusable raises ``FileFault`` with a
message a data steward can act on (exports.md, "File-level faults").
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.config.sources import FormatHints

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")


class FileFault(Exception):
    """The whole file is rejected; the message says what is wrong and what was expected."""

    def __init__(self, message: str, rule: str = "file_unreadable"):
        super().__init__(message)
        self.rule = rule


@dataclass
class RawTable:
    """Cells as delivered (str, numbers, dates from Excel, None for empty)."""

    header: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]  # the row number a steward sees in the file (header row = its own number)
    detected: dict[str, Any] = field(default_factory=dict)
    decimal: str = "."
    warnings: list[str] = field(default_factory=list)

    def describe_format(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.detected.items())


def is_xlsx(path: Path, data: bytes, hints: FormatHints) -> bool:
    if hints.kind == "xlsx" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return True
    if hints.kind == "csv":
        return False
    return data[:4] == b"PK\x03\x04"


def read_file(path: Path, hints: FormatHints) -> RawTable:
    data = Path(path).read_bytes()
    if not data:
        raise FileFault("the file is empty (0 bytes); expected a header row and data rows", "file_empty")
    if is_xlsx(path, data, hints):
        return read_xlsx(data, hints)
    return read_csv(data, hints)


# --- CSV / text -----------------------------------------------------------------------


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """Text and the encoding used; a byte-order mark overrides a declared encoding."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), f"{encoding} (byte-order mark)"
            except UnicodeDecodeError:
                raise FileFault(f"the file starts with a {encoding} byte-order mark but is not valid {encoding}") from None
    if b"\x00" in data[:4096]:
        raise FileFault(
            "the file contains NUL bytes: UTF-16 without a byte-order mark or not a text file; "
            "save it as UTF-8, Windows-1252 or UTF-16 with BOM (Excel 'Unicode text')"
        )
    candidates = [declared] if declared else ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if declared:
                raise FileFault(
                    f"the file is not valid {declared} as the source declares (byte {exc.start}); "
                    "re-export it in the declared encoding or correct format.encoding in the sources file"
                ) from None
            continue
        return text, encoding if declared else f"{encoding} (detected)"
    raise FileFault("the file's encoding could not be recognised; expected UTF-8, Windows-1252 or UTF-16 with BOM")


def _split(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise FileFault(f"the text cannot be split into fields: {exc}; check quoting") from None


def detect_delimiter(text: str) -> str:
    """The candidate giving the most fields in the header, consistently in the first lines."""
    sample = "\n".join(line for line in text.splitlines()[:50] if line.strip())
    best, best_score = None, (0, 0.0)
    for delimiter in (";", "\t", ","):
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        if not rows:
            continue
        width = max(len(r) for r in rows[:5])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width if width > 1 else 0, consistent)
        if score > best_score:
            best, best_score = delimiter, score
    if best is None:
        raise FileFault("no delimiter found: expected fields separated by comma, semicolon or tab")
    return best


def read_csv(data: bytes, hints: FormatHints) -> RawTable:
    text, encoding = decode(data, hints.encoding)
    delimiter = hints.delimiter or detect_delimiter(text)
    records = _split(text, delimiter)
    line_numbers = list(range(1, len(records) + 1))
    header_index = _header_index(records, hints.header_row)
    header = [str(h).strip() for h in records[header_index]]
    rows, numbers = [], []
    for number, record in zip(line_numbers[header_index + 1 :], records[header_index + 1 :], strict=True):
        if not any(cell.strip() for cell in record):
            continue  # a blank line is not a row
        rows.append([cell.strip() or None for cell in record])
        numbers.append(number)
    decimal = hints.decimal or _detect_decimal(rows)
    detected = {
        "kind": "csv",
        "encoding": encoding,
        "delimiter": DELIMITER_NAMES[delimiter] + ("" if hints.delimiter else " (detected)"),
        "decimal": ("comma" if decimal == "," else "point") + ("" if hints.decimal else " (detected)"),
        "line_ends": "CRLF" if "\r\n" in text[:10000] else "LF",
    }
    return RawTable(header=header, rows=rows, row_numbers=numbers, detected=detected, decimal=decimal)


def _header_index(records: list[list[Any]], header_row: int | None) -> int:
    if header_row is not None:
        if header_row > len(records):
            raise FileFault(f"the configured header row {header_row} is past the end of the file", "header_missing")
        return header_row - 1
    for index, record in enumerate(records):
        if any(cell is not None and str(cell).strip() for cell in record):
            return index
    raise FileFault("the file has no header row (only empty lines)", "file_empty")


def _detect_decimal(rows: list[list[Any]]) -> str:
    # With a comma delimiter a decimal comma can only stand in a quoted field,
    # which the split has already unquoted, so the same test holds for all.
    for row in rows[:1000]:
        for cell in row:
            if isinstance(cell, str) and _DECIMAL_COMMA.match(cell):
                return ","
    return "."


# --- Excel ----------------------------------------------------------------------------


def read_xlsx(data: bytes, hints: FormatHints) -> RawTable:
    import openpyxl  # only xlsx sources pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileFault(f"the workbook cannot be opened as .xlsx ({type(exc).__name__}); re-save it from Excel as .xlsx") from None
    try:
        sheet = _sheet(workbook, hints.sheet)
        records = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not records:
        raise FileFault(f"sheet '{sheet.title}' is empty; expected a header row and data rows", "file_empty")
    header_index = _header_index(records, hints.header_row)
    header = [str(h).strip() if h is not None else "" for h in records[header_index]]
    while header and header[-1] == "":
        header.pop()
    rows, numbers = [], []
    for offset, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        cells = [_xlsx_cell(c) for c in record[: len(header)]]
        if not any(c is not None for c in cells):
            continue
        cells += [None] * (len(header) - len(cells))
        rows.append(cells)
        numbers.append(offset)
    detected = {"kind": "xlsx", "sheet": sheet.title, "header_row": header_index + 1}
    # Numeric cells are numbers already; text cells holding numbers follow the declaration,
    # and harmonise accepts either mark when no declaration says otherwise.
    return RawTable(header=header, rows=rows, row_numbers=numbers, detected=detected, decimal=hints.decimal or ",")


def _sheet(workbook, wanted: str | int | None):
    if wanted is None:
        return workbook.worksheets[0]
    if isinstance(wanted, int):
        if 1 <= wanted <= len(workbook.worksheets):
            return workbook.worksheets[wanted - 1]
    elif wanted in workbook.sheetnames:
        return workbook[wanted]
    names = ", ".join(repr(n) for n in workbook.sheetnames)
    raise FileFault(f"the workbook has no sheet {wanted!r} (configured); its sheets are {names}", "sheet_missing")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
