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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from transforms.config.settings import Limits, load_limits
from transforms.config.sources import FormatHints
from transforms.messages import catalogue, number, t

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
SHOWN = 200  # characters of delivered content a message may echo: a hostile cell cannot flood a message
_MESSAGE_MAX = 2000
# A row element of sheet XML, with or without a namespace prefix (counted before any parser runs).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_MAX_MEMBERS = 10_000


def clip(text: Any, limit: int = SHOWN) -> str:
    """Delivered text shortened for a message: at most ``limit`` characters, with the full length said."""
    text = str(text)
    return text if len(text) <= limit else t("parse.clipped", text=text[:limit], count=number(len(text)))


class FileFault(Exception):
    """The whole file is rejected; the message says what is wrong and what was expected."""

    def __init__(self, message: str, rule: str = "file_unreadable"):
        super().__init__(message if len(message) <= _MESSAGE_MAX else message[:_MESSAGE_MAX] + "…")
        self.rule = rule


def _limit_fault(what: str, found: int | None, limit: int, setting: str, line: int | None = None) -> FileFault:
    """``what``: an ``intake.limit.*`` id; ``found`` None when reading stopped past the limit."""
    named = {"what": t(f"intake.limit.{what}", line=line), "limit": number(limit), "setting": setting}
    if found is None:  # "has more than 100 rows, more than the limit of 100" said the same twice
        return FileFault(t("intake.limit_reached", **named), "file_too_large")
    return FileFault(t("intake.limit", found=number(found), **named), "file_too_large")


@dataclass(frozen=True)
class LongCell:
    """A data cell longer than ``SAMLA_MAX_CELL_CHARS``: only its length is kept. exports.md: any
    cell value is read or a row fault, so its row is quarantined (rule ``cell_too_long``) and the
    rest of the file goes on; a header cell that long still rejects the file."""

    length: int
    limit: int


def _too_long(cells: list[Any], limits: Limits) -> bool:
    return any(isinstance(c, str) and len(c) > limits.max_cell_chars for c in cells)


def _bounded(cells: list[Any], limits: Limits) -> list[Any]:
    limit = limits.max_cell_chars
    return [LongCell(len(c), limit) if isinstance(c, str) and len(c) > limit else c for c in cells]


@dataclass
class RawTable:
    """Cells as delivered (str, numbers, dates from Excel, None for empty)."""

    header: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]  # the row number a steward sees in the file (header row = its own number)
    detected: dict[str, Any] = field(default_factory=dict)
    decimal: str = "."
    warnings: list[str] = field(default_factory=list)
    long_cells: bool = False  # some row holds a LongCell: harmonise looks for them only then

    def describe_format(self) -> str:
        """What was detected, as the ledger keeps it: stable codes (``format_for_reader`` words them)."""
        return ", ".join(f"{k}={v}" for k, v in self.detected.items())


_FORMAT_KEYS = "kind|encoding|delimiter|decimal|line_ends|sheet|header_row"  # a sheet's name may hold ", x="
_FORMAT_ITEM = re.compile(rf"(?:^|, )({_FORMAT_KEYS})=(.*?)(?=, (?:{_FORMAT_KEYS})=|$)")
_FORMAT_NOTE = re.compile(r"(.*) \((detected|byte-order mark)\)")


def format_for_reader(stored: str | None, lang: str | None = None) -> str:
    """A ledger's ``detected_format`` in the reader's language: ``kind=csv, delimiter=semicolon (detected)``
    -> ``filtyp csv, avgränsare semikolon (upptäckt)``; what the catalogue has no word for stays as stored."""
    stored = stored or ""
    items = _FORMAT_ITEM.findall(stored)
    if not items or "".join(f"{', ' if i else ''}{k}={v}" for i, (k, v) in enumerate(items)) != stored:
        return stored
    known = catalogue()

    def word(kind: str, code: str) -> str:
        return t(f"format.{kind}.{code}", lang=lang) if f"format.{kind}.{code}" in known else code

    shown = []
    for key, value in items:
        marked = _FORMAT_NOTE.fullmatch(value)
        value, note = (marked.group(1), marked.group(2)) if marked else (value, None)
        suffix = f" ({word('note', note.replace(' ', '_').replace('-', '_'))})" if note else ""
        value = word("value", value) if key in ("delimiter", "decimal") else value  # a sheet named "tab" stays
        shown.append(f"{word('key', key)} {value}{suffix}")
    return ", ".join(shown)


def is_xlsx(path: Path, data: bytes, hints: FormatHints) -> bool:
    if hints.kind == "xlsx" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return True
    if hints.kind == "csv":
        return False
    return data[:4] == b"PK\x03\x04"


def read_file(path: Path, hints: FormatHints, limits: Limits | None = None) -> RawTable:
    """The file's cells; every limit is checked before the data is loaded."""
    limits = limits or load_limits()
    size = Path(path).stat().st_size
    if size > limits.max_bytes:
        raise _limit_fault("bytes", size, limits.max_bytes, "SAMLA_MAX_FILE_BYTES")
    data = Path(path).read_bytes()
    if not data:
        raise FileFault(t("parse.file_empty"), "file_empty")
    if hints.kind == "csv" and data[:4] == b"PK\x03\x04":
        raise FileFault(t("parse.xlsx_declared_csv"), "wrong_format")
    if is_xlsx(path, data, hints):
        return read_xlsx(data, hints, limits)
    text, encoding = decode(data, hints.encoding)
    del data  # the text alone from here: a file's bytes and its text are held together only while decoding
    return read_text(text, encoding, hints, limits)


# --- CSV / text -----------------------------------------------------------------------


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """Text and the encoding used; a byte-order mark overrides a declared encoding."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), f"{encoding} (byte-order mark)"
            except UnicodeDecodeError:
                raise FileFault(t("parse.bom_invalid", encoding=encoding)) from None
    if b"\x00" in data[:4096]:
        raise FileFault(t("parse.nul_bytes"))
    candidates = [declared] if declared else ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if declared:
                raise FileFault(t("parse.not_declared_encoding", encoding=declared, byte=exc.start)) from None
            continue
        return text, encoding if declared else f"{encoding} (detected)"
    raise FileFault(t("parse.encoding_unknown"))


def _split(text: str, delimiter: str, limits: Limits) -> tuple[list[list[Any]], set[int]]:
    """Records of the text, stopping at the first one past a limit (columns, rows), and the indexes
    of the records where a cell past the length limit became a ``LongCell``.

    Read a block of records at a time, checked at C speed; a block past any limit, or one the csv
    module cannot split, sends the whole text to the record-by-record reading, which says what and
    on which line (twice the speed on ordinary files, the same answer on every file). Neither ever
    holds a cell past the length limit, nor a line much longer: those records are scanned in place."""
    csv.field_size_limit(limits.max_cell_chars)  # a longer cell stops the csv module: read by _scan_record
    position = [0]
    reader = csv.reader(_lines(text, 0, _line_bound(limits), position), delimiter=delimiter, strict=True)
    records, rows = [], 0
    try:
        while block := list(islice(reader, _BLOCK)):
            rows += len(block) - block.count([])
            if rows > limits.max_rows + 1 or max(map(len, block)) > limits.max_columns:
                break
            records += block
        else:
            return records, set()
    except (csv.Error, _LongLine):
        pass
    return _split_by_record(text, delimiter, limits)


_BLOCK = 1 << 14  # records read before their limits are checked (a bounded amount of memory)
_EOL = re.compile(r"\r\n|\r|\n")  # the line ends the csv module takes (a file read with newline="")


class _LongLine(Exception):
    """A line longer than the csv module is given whole: its record is scanned in place."""


def _line_bound(limits: Limits) -> int:
    """The longest line handed to the csv module: a record with a longer line has a cell past the limit
    or is unusually wide, and is scanned in place instead (its cells then cost no more than the limit)."""
    return 2 * limits.max_cell_chars + (1 << 16)


def _lines(text: str, start: int, bound: int, position: list[int]) -> Iterator[str]:
    """The lines of ``text`` from ``start``, their line ends kept; ``position[0]`` is where the next
    line starts. A line longer than ``bound`` raises ``_LongLine`` before any of it is copied."""
    end, search = len(text), _EOL.search
    while start < end:
        found = search(text, start)
        stop = found.end() if found else end
        if stop - start > bound:
            raise _LongLine
        position[0] = stop
        yield text[start:stop]
        start = stop


def _line_ends(text: str, start: int, stop: int) -> int:
    return text.count("\n", start, stop) + text.count("\r", start, stop) - text.count("\r\n", start, stop)


def _split_by_record(text: str, delimiter: str, limits: Limits) -> tuple[list[list[Any]], set[int]]:
    """Record by record: by the csv module while its records are plain; each record it cannot take
    (a cell past the length limit, a line past ``_line_bound``) scanned in place by ``_scan_record``."""
    csv.field_size_limit(limits.max_cell_chars)
    records: list[list[Any]] = []
    rows, long_records = 0, set[int]()
    start, line, bound = 0, 0, _line_bound(limits)  # where the next record starts, the lines before it
    while start < len(text):
        position, base = [start], line
        reader = csv.reader(_lines(text, start, bound, position), delimiter=delimiter, strict=True)
        try:
            for record in reader:
                start, line = position[0], base + reader.line_num
                _check_record(record, rows, limits, line)
                if record and max(map(len, record)) > limits.max_cell_chars:
                    record = _bounded(record, limits)
                    long_records.add(len(records))
                rows += bool(record)
                records.append(record)
            break
        except _LongLine:
            pass
        except csv.Error as exc:
            if "field limit" not in str(exc):
                raise FileFault(t("parse.unsplittable", error=clip(exc))) from None
        record, long, stop = _scan_record(text, start, delimiter, limits, line)
        line += _line_ends(text, start, stop) + (stop == len(text) and text[-1] not in "\r\n")
        start = stop
        _check_record(record, rows, limits, line)
        if long:
            long_records.add(len(records))
        rows += bool(record)
        records.append(record)
    return records, long_records


def _scan_record(text: str, start: int, delimiter: str, limits: Limits,
                 line: int) -> tuple[list[Any], bool, int]:
    """The record at ``start`` as the csv module (strict) would split it, its cells past the length limit
    as ``LongCell`` without copying them; whether it has one; where the next record starts. Stops at
    one field past the column limit, however many more the line has."""
    end, limit, long = len(text), limits.max_cell_chars, False
    cells: list[Any] = []
    if start < end and text[start] in "\r\n":
        return [], False, start + (2 if text.startswith("\r\n", start) else 1)  # a blank line
    field_end = re.compile(f"[{re.escape(delimiter)}\r\n]").search
    pos = start
    while True:
        if len(cells) == limits.max_columns:
            raise _limit_fault("fields", None, limits.max_columns, "SAMLA_MAX_COLUMNS",
                               line=line + 1 + _line_ends(text, start, pos))
        if text.startswith('"', pos):
            length, parts, pos = 0, [], pos + 1
            while True:
                quote = text.find('"', pos)
                if quote < 0:
                    raise FileFault(t("parse.unsplittable", error="unexpected end of data"))
                length += quote - pos
                if length <= limit:
                    parts.append(text[pos:quote])
                if not text.startswith('"', quote + 1):
                    pos = quote + 1
                    break
                length += 1  # a doubled quote is one quote of the cell
                if length <= limit:
                    parts.append('"')
                pos = quote + 2
            if pos < end and text[pos] not in (delimiter, "\r", "\n"):
                raise FileFault(t("parse.unsplittable", error=f"'{delimiter}' expected after '\"'"))
            cell: Any = "".join(parts) if length <= limit else LongCell(length, limit)
        else:
            found = field_end(text, pos)
            stop = found.start() if found else end
            cell = text[pos:stop] if stop - pos <= limit else LongCell(stop - pos, limit)
            pos = stop
        long |= isinstance(cell, LongCell)
        cells.append(cell)
        if pos >= end:
            return cells, long, end
        if text[pos] == delimiter:
            pos += 1
            continue
        return cells, long, pos + (2 if text.startswith("\r\n", pos) else 1)


def _check_record(record: list[Any], rows: int, limits: Limits, line: int) -> None:
    if len(record) > limits.max_columns:
        raise _limit_fault("fields", len(record), limits.max_columns, "SAMLA_MAX_COLUMNS", line=line)
    if rows + bool(record) > limits.max_rows + 1:  # + the header row
        raise _limit_fault("rows", None, limits.max_rows, "SAMLA_MAX_ROWS")


def _cell_fault(line: int, limits: Limits) -> FileFault:
    return _limit_fault("cell", None,
                        limits.max_cell_chars, "SAMLA_MAX_CELL_CHARS", line=line)


_SAMPLE_LINE = 1 << 16  # characters of a line the delimiter is guessed from


def _first_lines(text: str, count: int) -> Iterator[str]:
    """The first ``count`` lines, each cut to ``_SAMPLE_LINE`` characters (never the whole of a long one)."""
    start, end = 0, len(text)
    while start < end and count:
        found = _EOL.search(text, start)
        stop = found.start() if found else end
        yield text[start:min(stop, start + _SAMPLE_LINE)]
        start, count = (found.end() if found else end), count - 1


def detect_delimiter(text: str) -> str:
    """The candidate giving the most fields in the header, consistently in the first lines."""
    sample = "\n".join(line for line in _first_lines(text, 50) if line.strip())
    csv.field_size_limit(len(sample) + 1)  # a long cell is its row's fault, found later, not the delimiter's
    best, best_score = None, (0, 0.0)
    for delimiter in (";", "\t", ","):
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
        try:
            rows = list(reader)
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
        raise FileFault(t("parse.no_delimiter"))
    return best


def read_csv(data: bytes, hints: FormatHints, limits: Limits | None = None) -> RawTable:
    return read_text(*decode(data, hints.encoding), hints, limits)


def read_text(text: str, encoding: str, hints: FormatHints, limits: Limits | None = None) -> RawTable:
    if text.isspace() or not text:  # (``text.strip()`` would copy all of it)
        raise FileFault(t("parse.no_text"), "file_empty")
    limits = limits or load_limits()
    delimiter = hints.delimiter or detect_delimiter(text)
    records, long_records = _split(text, delimiter, limits)
    header_index = _header_index(records, hints.header_row)
    header = _header_cells(records[header_index], header_index + 1, limits)
    rows, numbers = [], []
    for index in range(header_index + 1, len(records)):
        # Each record becomes its row in place: a new list per row would double the lists the garbage
        # collector walks again and again while the file is read (a third of the reading time).
        cells = records[index]
        if index in long_records:
            cells[:] = [c if isinstance(c, LongCell) else c.strip() or None for c in cells]
        else:
            cells[:] = [c.strip() or None for c in cells]
        if cells.count(None) == len(cells):
            continue  # a blank line is not a row
        rows.append(cells)
        numbers.append(index + 1)
    decimal = hints.decimal or _detect_decimal(rows)
    detected = {
        "kind": "csv",
        "encoding": encoding,
        "delimiter": DELIMITER_NAMES[delimiter] + ("" if hints.delimiter else " (detected)"),
        "decimal": ("comma" if decimal == "," else "point") + ("" if hints.decimal else " (detected)"),
        "line_ends": "CRLF" if "\r\n" in text[:10000] else "LF",
    }
    return RawTable(header=header, rows=rows, row_numbers=numbers, detected=detected, decimal=decimal,
                    long_cells=any(i > header_index for i in long_records))


def _header_cells(cells: list[Any], line: int, limits: Limits) -> list[str]:
    """The header row as text; a header cell past the length limit rejects the file (no column to blame)."""
    if any(isinstance(c, LongCell) for c in cells):
        raise _cell_fault(line, limits)
    return ["" if c is None else str(c).strip() for c in cells]


def _header_index(records: list[list[Any]], header_row: int | None) -> int:
    if header_row is not None:
        if header_row > len(records):
            raise FileFault(t("parse.header_past_end", row=header_row), "header_missing")
        return header_row - 1
    for index, record in enumerate(records):
        if any(cell is not None and str(cell).strip() for cell in record):
            return index
    raise FileFault(t("parse.no_header"), "file_empty")


def _detect_decimal(rows: list[list[Any]]) -> str:
    # With a comma delimiter a decimal comma can only stand in a quoted field,
    # which the split has already unquoted, so the same test holds for all.
    for row in rows[:1000]:
        for cell in row:
            if isinstance(cell, str) and _DECIMAL_COMMA.match(cell):
                return ","
    return "."


# --- Excel ----------------------------------------------------------------------------


@dataclass
class SheetScan:
    """What the streamed scan of a workbook's parts saw: enough to pick the reader.

    ``plain`` workbooks (no error cells, every cell with its reference, a dense
    table within the column limit) go to calamine, which builds the sheet's whole
    rectangle in memory at once and reads an error cell (``#N/A``) as empty. Any
    other workbook is streamed by openpyxl, as delivered, so the steward still sees
    ``#N/A`` in the row fault and a sparse sheet costs no more than its cells.
    """

    cells: int = 0
    referenced: int = 0
    error_cells: bool = False
    last_row: int = 0
    last_column: int = 0

    def plain(self, limits: Limits) -> bool:
        return (not self.error_cells and self.referenced == self.cells and self.last_column <= limits.max_columns
                and self.last_row * self.last_column <= _DENSE_FACTOR * self.cells + _DENSE_SLACK)


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
# A cell's reference where Excel, LibreOffice and openpyxl write it, first: a cell with it elsewhere or
# without one counts among the cells, not the referenced ones, and sends the workbook to openpyxl.
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c r=\"([A-Z]{1,3})(\d{1,7})\"")
_ERROR_TYPE = b't="e"'  # only a cell carries a t attribute in sheet XML: anywhere else, openpyxl reads it
_DENSE_FACTOR, _DENSE_SLACK = 4, 100_000  # a sheet's rectangle vs its cells: tables are dense; a bomb is not


def _column_number(letters: bytes) -> int:
    number_ = 0
    for letter in letters:
        number_ = number_ * 26 + letter - 64
    return number_


def check_xlsx(data: bytes, limits: Limits, header_row: int = 1) -> SheetScan:
    """Limits of a workbook from its zip directory and a streamed scan of its XML parts.

    Independent of the reader and never from the sheet's declared dimension: the
    unpacked sizes are those the zip directory states (``zipfile`` reads no more),
    rows are ``<row>`` elements counted in the decompressed stream, and XML that
    declares a document type or entities (which Excel never writes) is refused.
    The scan of the worksheets' cells says which reader may read it (``SheetScan``).
    """
    scan = SheetScan()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > _MAX_MEMBERS:
            raise FileFault(t("parse.too_many_parts", parts=number(len(members))))
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise _limit_fault("unpacked", unpacked, limits.max_unpacked_bytes,
                               f"{Limits.UNPACKED_FACTOR} × SAMLA_MAX_FILE_BYTES")
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                cells = scan if member.filename.startswith("xl/worksheets/") else None
                rows = _xml_rows(archive, member, limits.max_rows + header_row, cells)
                if rows > limits.max_rows + header_row:
                    raise _limit_fault("rows", None, limits.max_rows, "SAMLA_MAX_ROWS")
    except FileFault:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise FileFault(t("parse.workbook_damaged", error=type(exc).__name__)) from None
    return scan


def _xml_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, stop: int, scan: SheetScan | None = None) -> int:
    """Row elements in one XML part, streamed in chunks; stops counting past ``stop``.
    With ``scan``, its cells are counted and measured too."""
    count, tail, first = 0, b"", True
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            if first and (b"<!DOCTYPE" in chunk[:4096] or b"<!ENTITY" in chunk[:4096]):
                raise FileFault(t("parse.doctype", part=repr(clip(member.filename, 80))))
            first = False
            buffer = tail + chunk
            cut = buffer.rfind(b"<")  # a tag is never split between the counted part and the tail
            cut = len(buffer) if cut < 0 else cut
            count += len(_ROW_TAG.findall(buffer, 0, cut))
            if scan is not None:
                _scan_cells(scan, buffer, cut)
            tail = buffer[cut:]
            if count > stop:
                return count
    if scan is not None:
        _scan_cells(scan, tail, len(tail))
    return count + len(_ROW_TAG.findall(tail))


def _scan_cells(scan: SheetScan, buffer: bytes, end: int) -> None:
    scan.cells += len(_CELL_TAG.findall(buffer, 0, end))
    refs = _CELL_REF.findall(buffer, 0, end)
    scan.referenced += len(refs)
    if refs:
        scan.last_row = max(scan.last_row, *map(int, map(itemgetter(1), refs)))
        scan.last_column = max(scan.last_column, *map(_column_number, set(map(itemgetter(0), refs))))
    scan.error_cells = scan.error_cells or buffer.find(_ERROR_TYPE, 0, end) >= 0


def read_xlsx(data: bytes, hints: FormatHints, limits: Limits | None = None) -> RawTable:
    limits = limits or load_limits()
    scan = check_xlsx(data, limits, hints.header_row or 1)
    opened = _calamine_sheet if scan.plain(limits) else _openpyxl_sheet
    title, rows, close = opened(data, hints.sheet)
    try:
        records, long_rows = _sheet_records(rows(), limits)
    except FileFault:
        raise
    except BaseException as exc:  # a cut-off or hostile sheet (ParseError, entities, a panic) is a file fault
        if not (isinstance(exc, Exception) or _reader_panic(exc)):
            raise
        raise FileFault(t("parse.sheet_unreadable", error=type(exc).__name__)) from None
    finally:
        close()
    if not records:
        raise FileFault(t("parse.sheet_empty", sheet=clip(title, 80)), "file_empty")
    if hints.header_row is not None:
        header_at = next((i for i, (n, _) in enumerate(records) if n == hints.header_row), None)
        if header_at is None:
            raise FileFault(t("parse.header_row_empty", row=hints.header_row), "header_missing")
    else:
        header_at = 0
    header_number, header_cells = records[header_at]
    header = _header_cells(header_cells, header_number, limits)
    rows_, numbers = [], []
    for row_number, record in records[header_at + 1:]:
        cells = record[: len(header)]
        if not any(c is not None for c in cells):
            continue
        cells += [None] * (len(header) - len(cells))
        rows_.append(cells)
        numbers.append(row_number)
    detected = {"kind": "xlsx", "sheet": clip(title, 80), "header_row": header_number}
    # Numeric cells are numbers already; text cells holding numbers follow the declaration,
    # and harmonise accepts either mark when no declaration says otherwise.
    return RawTable(header=header, rows=rows_, row_numbers=numbers, detected=detected, decimal=hints.decimal or ",",
                    long_cells=any(n > header_number for n in long_rows))


_Opened = tuple[str, Callable[[], Iterator[list[Any]]], Callable[[], None]]


def _reader_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine: pyo3 raises it as ``PanicException``, which derives from
    BaseException and would pass every ``except Exception`` up to the task (one file would fail the
    source instead of being rejected)."""
    return type(exc).__name__ == "PanicException"


def _calamine_sheet(data: bytes, wanted: str | int | None) -> _Opened:
    """The wanted worksheet by calamine (Rust): about ten times openpyxl's speed."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    except BaseException as exc:  # whatever a delivered workbook makes the parser raise is a file fault
        if not (isinstance(exc, Exception) or _reader_panic(exc)):
            raise
        raise FileFault(t("parse.workbook_unopenable", error=type(exc).__name__)) from None
    try:
        title = _sheet_name(worksheets, workbook.sheet_names, wanted)
    except FileFault:
        workbook.close()
        raise

    def rows() -> Iterator[list[Any]]:
        sheet = workbook.get_sheet_by_name(title)
        pad = [None] * sheet.start[1] if sheet.start else []  # rows start at A, as openpyxl gives them
        for row in sheet.iter_rows():  # from row 1 on; its columns from the sheet's first used one
            yield pad + [_calamine_cell(c) for c in row]

    return title, rows, workbook.close


def _calamine_cell(value: Any) -> Any:
    """A calamine value as openpyxl reads the same cell, so both readers give the same table:
    a whole number Excel wrote without a decimal point is an int, a date cell a datetime."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and -_EXACT < value < _EXACT else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value


_EXACT = 2**53  # whole floats beyond this are written with an exponent, which openpyxl reads as float


def _openpyxl_sheet(data: bytes, wanted: str | int | None) -> _Opened:
    """The wanted worksheet streamed by read-only openpyxl: for the workbooks calamine should not read."""
    import openpyxl  # it parses XML with defusedxml (a locked dependency)

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever a delivered workbook makes the parser raise is a file fault
        raise FileFault(t("parse.workbook_unopenable", error=type(exc).__name__)) from None
    try:
        title = _sheet_name([sheet.title for sheet in workbook.worksheets], workbook.sheetnames, wanted)
    except FileFault:
        workbook.close()
        raise

    def rows() -> Iterator[list[Any]]:
        sheet = workbook[title]
        # The declared dimension is dropped first: read-only openpyxl would otherwise pad
        # every row to it (``A1:XFD1048576`` is 17 billion cells).
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield list(row)

    return title, rows, workbook.close


def _sheet_records(rows: Iterator[list[Any]], limits: Limits) -> tuple[list[tuple[int, list[Any]]], set[int]]:
    """(row number, cells) of the sheet's non-empty rows (cells stripped), checked against the limits,
    and the numbers of the rows where a cell past the length limit became a ``LongCell``."""
    records, long_rows = [], set()
    for row_number, cells in enumerate(rows, start=1):
        cells = [c.strip() or None if type(c) is str else c for c in cells]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if len(cells) > limits.max_columns:
            raise _limit_fault("columns", len(cells), limits.max_columns, "SAMLA_MAX_COLUMNS", line=row_number)
        if _too_long(cells, limits):
            cells = _bounded(cells, limits)
            long_rows.add(row_number)
        records.append((row_number, cells))
        if len(records) > limits.max_rows + 1:
            raise _limit_fault("rows", None, limits.max_rows, "SAMLA_MAX_ROWS")
    return records, long_rows


def _sheet_name(worksheets: list[str], all_sheets: list[str], wanted: str | int | None) -> str:
    """The worksheet asked for: the first, by number or by name (``sheet`` in the format hints)."""
    if wanted is None and worksheets:
        return worksheets[0]
    if isinstance(wanted, int):
        if 1 <= wanted <= len(worksheets):
            return worksheets[wanted - 1]
    elif wanted in worksheets:
        return wanted
    names = ", ".join(repr(n) for n in all_sheets)
    raise FileFault(t("parse.sheet_missing", wanted=repr(wanted), sheets=names), "sheet_missing")
