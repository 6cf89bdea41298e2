"""Canonical rows written as a source would deliver them: its headers, labels, dates, numbers,
encoding, delimiter, workbook sheet and header row, and file name (all from the typed sources
configuration, in the spelling the sources file uses).

The same content always gives the same bytes (workbook timestamps are fixed to
the export's date), so re-generating a month re-delivers identical files.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from transforms.atomic import write_bytes
from transforms.config.schema import DATASET_COLUMNS, DATASETS
from transforms.config.sources import DATE_FORMATS, DatasetConfig, FormatHints, Source
from transforms.period import Period
from transforms.values import is_missing

SHEET_TITLES = {
    "participants": "Deltagare",
    "attendance": "Närvaro",
    "survey": "Enkät",
    "activities": "Aktiviteter",
}
XLSX_DATE_FORMATS = {
    "YYYY-MM-DD": "yyyy-mm-dd",
    "YYYYMMDD": "yyyymmdd",
    "YYYY/MM/DD": "yyyy/mm/dd",
    "DD.MM.YYYY": "dd.mm.yyyy",
}


# --------------------------------------------------------------------------- file names


def file_extension(fmt: FormatHints) -> str:
    """``xlsx`` for workbooks, ``txt`` for tab-delimited "Unicode text", else ``csv``."""
    if fmt.kind == "xlsx":
        return "xlsx"
    return "txt" if fmt.delimiter == "\t" else "csv"


def file_name(source: Source, dataset: str, period: str | Period) -> str:
    """The file name ``source`` uses for ``dataset`` and ``period`` (its delivery pattern)."""
    config = source.datasets[dataset]
    period = str(period)
    return (
        source.delivery.pattern.replace("{dataset}", config.file_token)
        .replace("{period}", period)
        .replace("{yyyymm}", period.replace("-", ""))
        .replace("{ext}", file_extension(config.format))
    )


# --------------------------------------------------------------------------- cell values


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    return value


def _number_text(value: Any, decimal: str) -> str:
    if isinstance(value, str):
        return value
    number = float(value)
    text = str(int(number)) if number.is_integer() else repr(round(number, 6))
    return text.replace(".", decimal) if decimal != "." else text


class CellWriter:
    """How one dataset's values become cells of one source's file (text for CSV, values for xlsx)."""

    def __init__(self, config: DatasetConfig) -> None:
        self.fmt = config.format
        self.labels = config.labels  # column -> code -> label as written
        self.excel = self.fmt.kind == "xlsx"
        self.empty = None if self.excel else ""
        self.decimal = self.fmt.decimal or "."
        self.kinds = {c.name: c.kind for c in DATASET_COLUMNS[config.dataset]} | {"kommunkod": "kommunkod"}
        self._by_kind: dict[str | None, Callable[[Any, str], Any]] = {
            "boolean": self._boolean,
            "code": self._code,
            "date": self._date,
            "integer": self._integer,
            "number": self._number,
        }

    def cell(self, value: Any, column: str) -> Any:
        value = _plain(value)
        kind = self.kinds.get(column)
        if kind == "boolean":
            return self._boolean(value, column)
        if is_missing(value):
            return self.empty
        return self._by_kind.get(kind, self._other)(value, column)

    def _boolean(self, value: Any, column: str) -> Any:
        if isinstance(value, str):
            return value  # already a raw label (tests and planted faults)
        if self.fmt.checkbox_booleans:
            return "x" if (not is_missing(value) and bool(value)) else self.empty
        if is_missing(value):
            return self.empty
        code = "true" if bool(value) else "false"
        return self.labels.get(column, {}).get(code, code)

    def _code(self, value: Any, column: str) -> Any:
        return self.labels.get(column, {}).get(str(value), str(value))

    def _date(self, value: Any, column: str) -> Any:
        if not isinstance(value, date):
            return self._other(value, column)
        return value if self.excel else value.strftime(DATE_FORMATS[self.fmt.date_format])

    def _integer(self, value: Any, column: str) -> Any:
        if isinstance(value, str):
            return self._other(value, column)
        number = float(value)
        if self.excel:
            return int(number) if number.is_integer() else number
        return _number_text(number, self.decimal)

    def _number(self, value: Any, column: str) -> Any:
        if isinstance(value, str):
            return self._other(value, column)
        return float(value) if self.excel else _number_text(value, self.decimal)

    def _other(self, value: Any, column: str) -> Any:
        if self.excel:
            return str(value) if isinstance(value, bool) else value
        if isinstance(value, date | datetime):
            return value.isoformat()
        if isinstance(value, float):
            return _number_text(value, self.decimal)
        return str(value)


# --------------------------------------------------------------------------- files


def write_delivery(
    source: Source,
    dataset: str,
    period: str | Period,
    frame: pd.DataFrame,
    folder: Path,
    *,
    name: str | None = None,
) -> Path:
    """Render a canonical frame as ``source`` would deliver it, into ``folder``.

    ``frame`` holds canonical column names and codes (person_id as a
    personnummer string, dates as ``datetime.date``, booleans as ``bool``,
    missing values as None/NaN); its column order is kept. Headers become the
    source's first alias of each column, codes and booleans its own labels
    (unmapped values are written as they are, so a test can plant an unknown
    label), dates its date format. Columns the source does not know are
    written under their own name. ``name`` overrides the file name (default:
    the source's pattern, see ``file_name``). Returns the path.
    """
    if dataset not in DATASETS:
        raise ValueError(f"{dataset!r} is not a dataset ({', '.join(DATASETS)})")
    config = source.datasets[dataset]
    writer = CellWriter(config)
    columns = [str(c) for c in frame.columns]
    headers = [config.headers.get(c, c) for c in columns]
    rows = [
        [writer.cell(v, c) for c, v in zip(columns, record, strict=True)]
        for record in frame.itertuples(index=False, name=None)
    ]
    period = Period.parse(period)
    title = f"Fokus IM – {SHEET_TITLES[dataset]} – {source.name} – {period}"
    if writer.excel:
        dates = [writer.kinds.get(c) == "date" for c in columns]
        data = _xlsx_bytes(source, dataset, period, config.format, title, headers, rows, dates)
    else:
        data = _csv_bytes(config.format, title, headers, rows)
    return write_bytes(Path(folder) / (name or file_name(source, dataset, period)), data)


def _encode(text: str, encoding: str | None) -> bytes:
    encoding = (encoding or "utf-8").lower()
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")  # Excel's "Unicode text": UTF-16 LE with BOM
    if encoding == "windows-1252":
        encoding = "cp1252"
    return text.encode(encoding)


def _csv_bytes(fmt: FormatHints, title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    # Windows-made exports end lines with CRLF; plain UTF-8 exports with LF.
    line_end = "\n" if (fmt.encoding or "utf-8") == "utf-8" else "\r\n"
    writer = csv.writer(buffer, delimiter=fmt.delimiter or ",", lineterminator=line_end)
    header_row = fmt.header_row or 1
    if header_row > 1:
        writer.writerow([title])
        for _ in range(header_row - 2):
            writer.writerow([])
    writer.writerow(headers)
    writer.writerows(rows)
    return _encode(buffer.getvalue(), fmt.encoding)


def _data_sheet(workbook: Workbook, fmt: FormatHints, dataset: str):
    """The sheet the rows go in, with the sheets a source's template puts before it."""
    sheet = workbook.active
    if isinstance(fmt.sheet, str):
        # The configured sheet is not the first: an instruction sheet comes before it.
        sheet.title = "Instruktioner"
        sheet["A1"] = "Fokus IM – månadsrapport"
        sheet["A1"].font = Font(bold=True)
        sheet["A3"] = f"Fyll i fliken '{fmt.sheet}', en rad per elev. Ändra inte rubrikerna."
        return workbook.create_sheet(fmt.sheet)
    if isinstance(fmt.sheet, int):
        # Counted from 1, as the parser (transforms.ingest.parse._sheet) and the README count it.
        if fmt.sheet <= 1:
            sheet.title = SHEET_TITLES[dataset]
            return sheet
        sheet.title = "Instruktioner"
        for i in range(1, fmt.sheet - 1):
            workbook.create_sheet(f"Blad{i}")
        return workbook.create_sheet(SHEET_TITLES[dataset])
    sheet.title = "Blad1"
    return sheet


def _xlsx_bytes(
    source: Source,
    dataset: str,
    period: Period,
    fmt: FormatHints,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    dates: list[bool],
) -> bytes:
    workbook = Workbook()
    sheet = _data_sheet(workbook, fmt, dataset)
    header_row = fmt.header_row or 1
    if header_row > 1:
        sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    for j, header in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=j, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(12, len(header) + 2)
    number_format = XLSX_DATE_FORMATS[fmt.date_format]
    for i, row in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(row, start=1):
            cell = sheet.cell(row=i, column=j, value=value)
            if dates[j - 1] and isinstance(value, date):
                cell.number_format = number_format
    # Fixed timestamps (the export's date, inside the workbook and its zip) make
    # the same content the same bytes, so a re-run re-delivers identical files.
    exported = datetime.combine(period.last_day + timedelta(days=1), datetime.min.time()).replace(hour=6)
    workbook.properties.creator = f"{source.name} elevregister"
    workbook.properties.created = workbook.properties.modified = exported
    buffer = io.BytesIO()
    # ExcelWriter rather than workbook.save(), which stamps "modified" with the current time.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip_times(buffer.getvalue(), exported)


def _fixed_zip_times(data: bytes, when: datetime) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
