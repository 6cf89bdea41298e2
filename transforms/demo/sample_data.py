"""Sample deliveries: what the ten Fokus IM sources would drop in their landing folders.

Not part of the flow itself: this writes realistic monthly exports, in each
source's own physical format (sources file: encoding, delimiter, decimal mark,
date format, workbook sheet and header row, header aliases, code labels,
checkbox booleans, file name pattern), for the demo and for the parser's tests.

Personnummer are generated at run time (valid Luhn check digit, real birth
date); a fixed seed makes a run reproducible. Nothing generated is committed.

With ``faults=True`` a handful of faulty rows and exactly one faulty file are
injected, and the manifest says which (file and 1-based data row number, never
the personnummer), so stewards in the demo have something real to act on.

    python -m transforms.demo.sample_data --data-dir DIR [--periods 2024-09:2025-02]
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import os
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from transforms.config.project import current_project
from transforms.config.schema import DATASET_COLUMNS, DATASETS
from transforms.config.sources import (
    DATE_FORMATS,
    DatasetConfig,
    FormatHints,
    Source,
    SourcesConfig,
)
from transforms.privacy.personnummer import luhn_ok

DEFAULT_PERIODS = ("2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02")

# Participants per municipality over the default six months (~505 in all,
# roughly proportional to each municipality's upper-secondary population).
PARTICIPANTS: dict[str, int] = {
    "1480": 155,
    "1488": 60,
    "1496": 55,
    "1384": 50,
    "1487": 45,
    "1489": 40,
    "1463": 35,
    "1402": 30,
    "1498": 20,
    "1442": 15,
}
_DEFAULT_SIZE = 25

# How each source writes personnummer (a choice of the export system, not of
# the contract: all of these are valid). "12-" = YYYYMMDD-NNNN, "10" = YYMMDDNNNN.
_PNR_STYLE = {
    "1480": "12-",
    "1489": "10-",
    "1384": "12",
    "1402": "12-",
    "1463": "10-",
    "1442": "10-",
    "1496": "12",
    "1498": "10",
    "kfv": "10-",
}
# Sources whose exports list the columns in their own order.
_SHUFFLED_COLUMNS = {"1384", "1442"}
# Pupils who move between municipalities (exit in one source, entry in another).
_MOVES = (("1480", "1402"), ("1496", "1498"), ("1487", "1463"))

_SHEET_TITLES = {
    "participants": "Deltagare",
    "attendance": "Närvaro",
    "survey": "Enkät",
    "activities": "Aktiviteter",
}
_XLSX_DATE_FORMATS = {
    "YYYY-MM-DD": "yyyy-mm-dd",
    "YYYYMMDD": "yyyymmdd",
    "YYYY/MM/DD": "yyyy/mm/dd",
    "DD.MM.YYYY": "dd.mm.yyyy",
}
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


# --------------------------------------------------------------------------- periods


def _parse_period(period: str) -> tuple[int, int]:
    m = _PERIOD.match(period)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"period {period!r} is not YYYY-MM")
    return int(m.group(1)), int(m.group(2))


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` period."""
    year, month = _parse_period(period)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _index(period: str) -> int:
    year, month = _parse_period(period)
    return year * 12 + month - 1


def _period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_range(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive."""
    a, b = _index(first), _index(last)
    if b < a:
        raise ValueError(f"period range {first}:{last} runs backwards")
    return [_period(i) for i in range(a, b + 1)]


def _school_days(first: date, last: date, federation: str) -> list[date]:
    """Weekdays outside the usual school breaks (höstlov, jullov, sportlov, påsklov, sommarlov)."""
    sportlov = 7 if federation == "GR" else 8
    days = []
    day = first
    while day <= last:
        week = day.isocalendar()[1]
        md = (day.month, day.day)
        on_break = (
            week in (44, sportlov, 15) or md >= (12, 21) or md <= (1, 7) or (6, 13) <= md <= (8, 18)
        )
        if day.weekday() < 5 and not on_break:
            days.append(day)
        day += timedelta(days=1)
    return days


# --------------------------------------------------------------------------- file names


def file_extension(fmt: FormatHints) -> str:
    """``xlsx`` for workbooks, ``txt`` for tab-delimited "Unicode text", else ``csv``."""
    if fmt.kind == "xlsx":
        return "xlsx"
    return "txt" if fmt.delimiter == "\t" else "csv"


def file_name(source: Source, dataset: str, period: str) -> str:
    """The file name ``source`` uses for ``dataset`` and ``period`` (its delivery pattern)."""
    config = source.datasets[dataset]
    return (
        source.delivery.pattern.replace("{dataset}", config.file_token)
        .replace("{period}", period)
        .replace("{yyyymm}", period.replace("-", ""))
        .replace("{ext}", file_extension(config.format))
    )


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class _Rendering:
    headers: dict[str, str]  # canonical column -> header written
    labels: dict[str, dict[str, str]]  # canonical column -> code -> label written


def _rendering(source: Source, dataset: str, config: SourcesConfig | None) -> _Rendering:
    """Headers and labels as the sources file spells them (the typed configuration keeps them)."""
    ds: DatasetConfig = source.datasets[dataset]
    return _Rendering(ds.headers, ds.labels)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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


def _kinds(dataset: str) -> dict[str, str]:
    kinds = {c.name: c.kind for c in DATASET_COLUMNS[dataset]}
    kinds["kommunkod"] = "kommunkod"
    return kinds


def _render(
    value: Any, column: str, kind: str | None, fmt: FormatHints, rendering: _Rendering, excel: bool
) -> Any:
    """One canonical value as the source writes it (text for CSV; a cell value for xlsx)."""
    value = _plain(value)
    if kind == "boolean":
        if isinstance(value, str):
            return value  # already a raw label (tests and injected faults)
        if fmt.checkbox_booleans:
            return "x" if (not _missing(value) and bool(value)) else (None if excel else "")
        if _missing(value):
            return None if excel else ""
        code = "true" if bool(value) else "false"
        return rendering.labels.get(column, {}).get(code, code)
    if _missing(value):
        return None if excel else ""
    if kind == "code":
        return rendering.labels.get(column, {}).get(str(value), str(value))
    if kind == "date" and isinstance(value, date):
        if excel:
            return value
        return value.strftime(DATE_FORMATS[fmt.date_format])
    if kind == "integer" and not isinstance(value, str):
        number = float(value)
        if excel:
            return int(number) if number.is_integer() else number
        return _number_text(number, fmt.decimal or ".")
    if kind == "number" and not isinstance(value, str):
        if excel:
            return float(value)
        return _number_text(value, fmt.decimal or ".")
    if isinstance(value, date | datetime) and not excel:
        return value.isoformat()
    if isinstance(value, float) and not excel:
        return _number_text(value, fmt.decimal or ".")
    return value if excel and not isinstance(value, bool) else str(value)


def _encode(text: str, encoding: str | None) -> bytes:
    encoding = (encoding or "utf-8").lower()
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")  # Excel's "Unicode text": UTF-16 LE with BOM
    if encoding == "windows-1252":
        encoding = "cp1252"
    return text.encode(encoding)


def _title(source: Source, dataset: str, period: str) -> str:
    return f"Fokus IM – {_SHEET_TITLES[dataset]} – {source.name} – {period}"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_delivery(
    source: Source,
    dataset: str,
    period: str,
    frame: pd.DataFrame,
    folder: Path,
    *,
    config: SourcesConfig | None = None,
    name: str | None = None,
) -> Path:
    """Render a canonical frame as ``source`` would deliver it, into ``folder``.

    ``frame`` holds canonical column names and codes (person_id as a
    personnummer string, dates as ``datetime.date``, booleans as ``bool``,
    missing values as None/NaN); its column order is kept. Headers become the
    source's first alias of each column, codes and booleans its own labels
    (reverse of its ``codes`` map; unmapped values are written as they are, so
    a test can plant an unknown label), dates its date format. Columns the
    source does not know are written under their own name.

    Pass ``config`` (the SourcesConfig the source came from) to write aliases
    and labels in their original spelling; without it they come out
    lower-cased, which matching ignores. ``name`` overrides the file name
    (default: the source's pattern, see ``file_name``). Returns the path.
    """
    if dataset not in DATASETS:
        raise ValueError(f"{dataset!r} is not a dataset ({', '.join(DATASETS)})")
    fmt = source.datasets[dataset].format
    rendering = _rendering(source, dataset, config)
    kinds = _kinds(dataset)
    columns = [str(c) for c in frame.columns]
    headers = [rendering.headers.get(c, c) for c in columns]
    excel = fmt.kind == "xlsx"
    rows = [
        [
            _render(v, c, kinds.get(c), fmt, rendering, excel)
            for c, v in zip(columns, record, strict=True)
        ]
        for record in frame.itertuples(index=False, name=None)
    ]
    path = Path(folder) / (name or file_name(source, dataset, period))
    if excel:
        _atomic_write(
            path, _xlsx_bytes(source, dataset, period, fmt, columns, headers, rows, kinds)
        )
    else:
        _atomic_write(path, _csv_bytes(source, dataset, period, fmt, headers, rows))
    return path


def _csv_bytes(
    source: Source,
    dataset: str,
    period: str,
    fmt: FormatHints,
    headers: list[str],
    rows: list[list[Any]],
) -> bytes:
    buffer = io.StringIO()
    # Windows-made exports end lines with CRLF; plain UTF-8 exports with LF.
    line_end = "\n" if (fmt.encoding or "utf-8") == "utf-8" else "\r\n"
    writer = csv.writer(buffer, delimiter=fmt.delimiter or ",", lineterminator=line_end)
    header_row = fmt.header_row or 1
    if header_row > 1:
        writer.writerow([_title(source, dataset, period)])
        for _ in range(header_row - 2):
            writer.writerow([])
    writer.writerow(headers)
    writer.writerows(rows)
    return _encode(buffer.getvalue(), fmt.encoding)


def _xlsx_bytes(
    source: Source,
    dataset: str,
    period: str,
    fmt: FormatHints,
    columns: list[str],
    headers: list[str],
    rows: list[list[Any]],
    kinds: dict[str, str],
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if isinstance(fmt.sheet, str):
        # The configured sheet is not the first: an instruction sheet comes before it.
        sheet.title = "Instruktioner"
        sheet["A1"] = "Fokus IM – månadsrapport"
        sheet["A1"].font = Font(bold=True)
        sheet["A3"] = f"Fyll i fliken '{fmt.sheet}', en rad per elev. Ändra inte rubrikerna."
        sheet = workbook.create_sheet(fmt.sheet)
    elif isinstance(fmt.sheet, int):
        # An index, counted from 0 like pandas' sheet_name: filler sheets before it.
        sheet.title = "Instruktioner"
        for i in range(1, fmt.sheet):
            workbook.create_sheet(f"Blad{i}")
        sheet = workbook.create_sheet(_SHEET_TITLES[dataset]) if fmt.sheet > 0 else sheet
    else:
        sheet.title = "Blad1"
    header_row = fmt.header_row or 1
    if header_row > 1:
        sheet.cell(row=1, column=1, value=_title(source, dataset, period)).font = Font(
            bold=True, size=14
        )
    for j, header in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=j, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(12, len(header) + 2)
    number_format = _XLSX_DATE_FORMATS[fmt.date_format]
    for i, row in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(row, start=1):
            cell = sheet.cell(row=i, column=j, value=value)
            if kinds.get(columns[j - 1]) == "date" and isinstance(value, date):
                cell.number_format = number_format
    # Fixed timestamps (the export's date, inside the workbook and its zip) make
    # the same content the same bytes, so a re-run re-delivers identical files.
    _, last = period_bounds(period)
    exported = datetime.combine(last + timedelta(days=1), datetime.min.time()).replace(hour=6)
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


# --------------------------------------------------------------------------- the world


@dataclass
class _Person:
    birth: date
    serial: str  # three digits
    coordination: bool
    gender: str
    newly_arrived: bool
    foreign_background: bool
    disability: str
    scores: tuple[float, float, float]  # motivation, future_hope, wellbeing at T0
    gain: float
    attendance: float
    trend: float

    def number(self, style: str, check: str | None = None) -> str:
        day = self.birth.day + (60 if self.coordination else 0)
        ten = f"{self.birth.year % 100:02d}{self.birth.month:02d}{day:02d}{self.serial}"
        ten += check if check is not None else _check_digit(ten)
        century = f"{self.birth.year // 100:02d}"
        if style == "12-":
            return f"{century}{ten[:6]}-{ten[6:]}"
        if style == "12":
            return century + ten
        if style == "10-":
            return f"{ten[:6]}-{ten[6:]}"
        return ten


def _check_digit(nine: str) -> str:
    return next(str(d) for d in range(10) if luhn_ok(nine + str(d)))


@dataclass
class _Enrolment:
    person: _Person
    source: str
    kommunkod: str
    programme: str
    track: str
    labour_status: str
    entry: date
    daily_min: int
    exit: date | None = None
    exit_status: str | None = None
    qualification: bool | None = None
    exit_reported: str | None = None  # period whose snapshot first shows the exit
    waves: list[tuple[str, date, tuple[float | None, ...]]] = field(default_factory=list)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


class _World:
    """Persons, enrolments and everything they do, before any file is written."""

    def __init__(
        self, config: SourcesConfig, periods: list[str], seed: int, scale: float = 1.0
    ) -> None:
        self.config = config
        self.periods = periods
        self.rng = random.Random(f"samla-sample:{seed}")
        self.numbers: set[tuple[date, str, bool]] = set()
        self.source_of = {m: s.id for s in config.sources.values() for m in s.municipalities}
        self.enrolments: list[_Enrolment] = []
        for kommunkod in sorted(self.source_of):
            size = round(PARTICIPANTS.get(kommunkod, _DEFAULT_SIZE) * scale)
            for _ in range(size):
                self.enrolments.append(self._enrol(kommunkod))
        self._exits()
        self._moves()
        for enrolment in self.enrolments:
            self._plan_survey(enrolment)

    # ---- persons

    def _federation(self, kommunkod: str) -> str:
        return current_project().federation_of(kommunkod)

    def new_person(self, entry: date) -> _Person:
        rng = self.rng
        gender = _weighted(rng, {"female": 0.42, "male": 0.55, "nonbinary": 0.03})
        age = rng.choices([15, 16, 17, 18, 19, 20, 21, 22], weights=[5, 34, 30, 17, 8, 4, 1, 1])[0]
        newly_arrived = rng.random() < 0.35
        while True:
            latest = _add_years(entry, -age)
            earliest = _add_years(entry, -(age + 1)) + timedelta(days=1)
            birth = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
            coordination = newly_arrived and rng.random() < 0.05
            # Ninth digit: odd for men, even for women (the traditional rule).
            odd = gender == "male" or (gender == "nonbinary" and rng.random() < 0.5)
            serial = f"{rng.randrange(100):02d}{rng.choice('13579' if odd else '02468')}"
            if (birth, serial, coordination) not in self.numbers:
                self.numbers.add((birth, serial, coordination))
                break
        base = rng.uniform(1.8, 4.0)
        return _Person(
            birth=birth,
            serial=serial,
            coordination=coordination,
            gender=gender,
            newly_arrived=newly_arrived,
            foreign_background=newly_arrived or rng.random() < 0.3,
            disability=_weighted(rng, {"no": 0.72, "yes": 0.1, "unknown": 0.18}),
            scores=tuple(
                round(min(5.0, max(1.0, base + rng.uniform(-0.6, 0.6))), 1) for _ in range(3)
            ),
            gain=rng.gauss(0.25, 0.35),
            attendance=rng.betavariate(6, 2),
            trend=rng.gauss(0.012, 0.015),
        )

    def _entry_date(self, kommunkod: str) -> date:
        rng = self.rng
        # Most pupils start with the project at the autumn term, more at the spring term.
        weights = [
            6.0 if i == 0 else (2.0 if p.endswith(("-01", "-08", "-09")) else 1.0)
            for i, p in enumerate(self.periods)
        ]
        period = rng.choices(self.periods, weights=weights)[0]
        first, last = period_bounds(period)
        days = _school_days(first, last, self._federation(kommunkod)) or [first]
        if period == self.periods[0] and rng.random() < 0.7:
            days = days[:10]
        return rng.choice(days)

    def _enrol(
        self, kommunkod: str, person: _Person | None = None, entry: date | None = None
    ) -> _Enrolment:
        rng = self.rng
        entry = entry or self._entry_date(kommunkod)
        person = person or self.new_person(entry)
        if person.newly_arrived and rng.random() < 0.8:
            programme = "IMS"
        else:
            programme = _weighted(rng, {"IMA": 0.3, "IMV": 0.3, "IMY": 0.35, "IMS": 0.05})
        track_share = {
            "IMY": ("vocational", 0.75),
            "IMA": ("worklife", 0.35),
            "IMV": ("worklife", 0.15),
        }
        track_name, share = track_share.get(programme, ("worklife", 0.1))
        track = track_name if rng.random() < share else "none"
        labour = _weighted(
            rng,
            {"inactive": 0.78, "unemployed": 0.12, "long_term_unemployed": 0.04, "employed": 0.06},
        )
        daily = (
            rng.choice([240, 255, 270]) if programme == "IMS" else rng.choice([270, 300, 315, 330])
        )
        return _Enrolment(
            person=person,
            source=self.source_of[kommunkod],
            kommunkod=kommunkod,
            programme=programme,
            track=track,
            labour_status=labour,
            entry=entry,
            daily_min=daily,
        )

    def _exits(self) -> None:
        rng = self.rng
        for enrolment in self.enrolments:
            start = _index(_period_of(enrolment.entry))
            for index in range(start, _index(self.periods[-1]) + 1):
                if rng.random() >= 0.028:
                    continue
                first, last = period_bounds(_period(index))
                days = [
                    d
                    for d in _school_days(first, last, self._federation(enrolment.kommunkod))
                    if d >= enrolment.entry + timedelta(days=14)
                ]
                if not days:
                    continue
                enrolment.exit = rng.choice(days)
                status = _weighted(
                    rng,
                    {
                        "studies_national": 0.35,
                        "studies_other": 0.2,
                        "employed": 0.12,
                        "job_seeking": 0.1,
                        "other": 0.13,
                        "unknown": 0.1,
                    },
                )
                enrolment.exit_status = status
                enrolment.qualification = rng.random() < (
                    0.7 if status == "studies_national" else 0.2
                )
                reported = _period(index)
                # Some exits reach the register a month late (a correction in the next snapshot).
                if rng.random() < 0.2 and index < _index(self.periods[-1]):
                    reported = _period(index + 1)
                enrolment.exit_reported = reported
                break

    def _moves(self) -> None:
        """A few pupils move: an exit in one source, a new enrolment in another."""
        month = self.periods[min(2, len(self.periods) - 1)]
        first, last = period_bounds(month)
        for origin, destination in _MOVES:
            if origin not in self.source_of or destination not in self.source_of:
                continue
            if self.source_of[origin] == self.source_of[destination]:
                continue
            federation = self._federation(origin)
            candidates = [
                e
                for e in self.enrolments
                if e.kommunkod == origin and e.exit is None and e.entry <= first - timedelta(days=1)
            ] or [
                e
                for e in self.enrolments
                if e.kommunkod == origin and e.exit is None and e.entry <= first + timedelta(days=4)
            ]
            days = [d for d in _school_days(first, last, federation) if d.day <= 20]
            if not candidates or not days:
                continue
            mover = self.rng.choice(candidates)
            exit_day = self.rng.choice(
                [d for d in days if d > mover.entry] or [max(days[-1], mover.entry)]
            )
            mover.exit, mover.exit_status, mover.qualification = exit_day, "studies_other", False
            mover.exit_reported = month
            entry = min(exit_day + timedelta(days=self.rng.randint(3, 7)), last)
            moved = self._enrol(destination, person=mover.person, entry=entry)
            moved.programme, moved.track, moved.labour_status = (
                mover.programme,
                mover.track,
                mover.labour_status,
            )
            self.enrolments.append(moved)

    # ---- survey

    def _answer_day(self, enrolment: _Enrolment, period: str) -> date | None:
        first, last = period_bounds(period)
        lo = max(first, enrolment.entry)
        hi = min(last, enrolment.exit) if enrolment.exit else last
        if lo > hi:
            return None
        days = _school_days(lo, hi, self._federation(enrolment.kommunkod)) or [lo]
        return (
            self.rng.choice(days[: max(1, len(days) // 2)])
            if period == _period_of(enrolment.entry)
            else self.rng.choice(days)
        )

    def _scores(self, person: _Person, wave: int) -> tuple[float | None, ...]:
        rng = self.rng
        values: list[float | None] = [
            round(min(5.0, max(1.0, s + wave * person.gain + rng.gauss(0, 0.3))), 1)
            for s in person.scores
        ]
        for i in range(3):
            if rng.random() < 0.04:
                values[i] = None
        if all(v is None for v in values):
            values[0] = person.scores[0]
        return tuple(values)

    def _plan_survey(self, enrolment: _Enrolment) -> None:
        rng = self.rng
        entry_index = _index(_period_of(enrolment.entry))
        last_index = _index(self.periods[-1])
        first_enrolment = all(
            e.entry >= enrolment.entry for e in self.enrolments if e.person is enrolment.person
        )
        wave_index = entry_index
        if first_enrolment and rng.random() < 0.85:
            day = self._answer_day(enrolment, _period(entry_index))
            if day:
                enrolment.waves.append(("T0", day, self._scores(enrolment.person, 0)))
        elif not first_enrolment:
            return  # a pupil who moved answered T0 in the first municipality
        for wave, gap, share in ((1, 3, 0.7), (2, 2, 0.6)):
            wave_index += gap + rng.choice([0, 0, 1])
            if wave_index > last_index or rng.random() >= share:
                return
            day = self._answer_day(enrolment, _period(wave_index))
            if day is None:
                return
            enrolment.waves.append((f"T{wave}", day, self._scores(enrolment.person, wave)))

    # ---- datasets, per source and period (canonical values)

    def enrolments_of(self, source: str) -> list[_Enrolment]:
        return [e for e in self.enrolments if e.source == source]

    def participants(self, source: Source, period: str) -> list[dict]:
        first, last = period_bounds(period)
        rows = []
        for e in sorted(
            self.enrolments_of(source.id), key=lambda e: (e.entry, e.kommunkod, e.person.serial)
        ):
            if e.entry > last:
                continue
            known = (
                e.exit is not None
                and e.exit_reported is not None
                and _index(e.exit_reported) <= _index(period)
            )
            rows.append(
                {
                    "kommunkod": e.kommunkod,
                    "person_id": e.person.number(_PNR_STYLE.get(source.id, "12-")),
                    "programme": e.programme,
                    "gender": e.person.gender,
                    "entry_date": e.entry,
                    "exit_date": e.exit if known else None,
                    "exit_status": e.exit_status if known else None,
                    "qualification": e.qualification if known else None,
                    "track": e.track,
                    "labour_status": e.labour_status,
                    "newly_arrived": e.person.newly_arrived,
                    "foreign_background": e.person.foreign_background,
                    "disability": e.person.disability,
                }
            )
        return rows

    def _active_days(self, e: _Enrolment, period: str) -> list[date]:
        first, last = period_bounds(period)
        lo, hi = max(first, e.entry), min(last, e.exit) if e.exit else last
        return _school_days(lo, hi, self._federation(e.kommunkod)) if lo <= hi else []

    def _active(self, e: _Enrolment, period: str) -> bool:
        first, last = period_bounds(period)
        return e.entry <= last and (e.exit is None or e.exit >= first)

    def attendance(self, source: Source, period: str) -> list[dict]:
        rng = self.rng
        rows = []
        for e in self.enrolments_of(source.id):
            if not self._active(e, period):
                continue
            days = self._active_days(e, period)
            scheduled = len(days) * e.daily_min
            if scheduled:
                scheduled = max(0, scheduled + rng.choice([0, 0, 0, -60, -30, 30]))
            months = _index(period) - _index(_period_of(e.entry))
            share = min(
                1.0, max(0.05, e.person.attendance + e.person.trend * months + rng.gauss(0, 0.05))
            )
            attended = min(scheduled, int(round(scheduled * share / 5.0)) * 5)
            missing = scheduled - attended
            valid = int(round(missing * rng.uniform(0.25, 0.75)))
            invalid = missing - valid
            if invalid and rng.random() < 0.2:  # registers that do not add up to the minute
                invalid = max(0, invalid + rng.choice([-3, -2, -1, 1, 2, 3]))
            rows.append(
                {
                    "kommunkod": e.kommunkod,
                    "person_id": e.person.number(_PNR_STYLE.get(source.id, "12-")),
                    "month": period,
                    "scheduled_min": scheduled,
                    "attended_min": attended,
                    "absence_valid_min": valid,
                    "absence_invalid_min": invalid,
                }
            )
        rows.sort(key=lambda r: (r["kommunkod"], r["person_id"]))
        return rows

    def survey(self, source: Source, period: str) -> list[dict]:
        rows = []
        for e in self.enrolments_of(source.id):
            for wave, day, (motivation, hope, wellbeing) in e.waves:
                if _period_of(day) == period:
                    rows.append(
                        {
                            "kommunkod": e.kommunkod,
                            "person_id": e.person.number(_PNR_STYLE.get(source.id, "12-")),
                            "wave": wave,
                            "answered_on": day,
                            "motivation": motivation,
                            "future_hope": hope,
                            "wellbeing": wellbeing,
                        }
                    )
        rows.sort(key=lambda r: (r["answered_on"], r["person_id"]))
        return rows

    _HOURS = {
        "mi": [0.5, 0.75, 1.0],
        "life_skills": [1.0, 1.5, 2.0],
        "study_skills": [1.0, 1.5, 2.0],
        "health": [1.0, 1.5, 2.0, 3.0],
        "guidance": [0.5, 1.0, 1.5],
        "study_visit": [2.0, 3.0, 4.5, 6.0],
        "fair": [3.0, 4.0, 5.0],
        "participation": [1.0, 1.5],
        "labour_market_course": [2.0, 3.0, 4.0],
        "vocational_course": [3.0, 4.0, 6.0],
        "internship": [4.0, 6.0, 7.5, 8.0],
        "apl": [4.0, 6.0, 7.5, 8.0],
    }
    _ACTIVITY_WEIGHTS = {
        "mi": 20,
        "life_skills": 12,
        "study_skills": 15,
        "health": 10,
        "guidance": 12,
        "study_visit": 6,
        "fair": 3,
        "participation": 8,
        "labour_market_course": 5,
    }

    def activities(self, source: Source, period: str) -> list[dict]:
        rng = self.rng
        first, last = period_bounds(period)
        all_days = len(_school_days(first, last, "GR")) or 1
        rows = []
        for e in self.enrolments_of(source.id):
            if not self._active(e, period):
                continue
            days = self._active_days(e, period)
            if not days:
                continue
            weights = dict(self._ACTIVITY_WEIGHTS)
            if e.programme == "IMY" or e.track == "vocational":
                weights["vocational_course"] = 10
            count = round(rng.choice([1, 2, 2, 3, 3, 4, 5]) * len(days) / all_days)
            chosen = [_weighted(rng, weights) for _ in range(max(1, count))]
            if e.track in ("worklife", "vocational") and rng.random() < 0.45:
                kind = "internship" if e.track == "worklife" else "apl"
                chosen += [kind] * rng.randint(2, 6)
            for activity in chosen:
                rows.append(
                    {
                        "kommunkod": e.kommunkod,
                        "person_id": e.person.number(_PNR_STYLE.get(source.id, "12-")),
                        "activity": activity,
                        "date": rng.choice(days),
                        "hours": rng.choice(self._HOURS[activity]),
                    }
                )
        rows.sort(key=lambda r: (r["date"], r["person_id"], r["activity"]))
        return rows


def _period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# --------------------------------------------------------------------------- faults


@dataclass
class _Frames:
    rows: dict[tuple[str, str, str], list[dict]]  # (source, dataset, period) -> canonical rows
    renamed: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)


def _pick_source(config: SourcesConfig, preferred: str, used: set[str]) -> str:
    if preferred in config.sources:
        return preferred
    free = [s for s in config.sources if s not in used] or list(config.sources)
    return free[0]


def _inject_faults(
    world: _World, frames: _Frames, config: SourcesConfig, periods: list[str], seed: int
) -> list[dict]:
    """Plant the documented faults; returns them without file paths (added on writing)."""
    rng = random.Random(f"samla-sample-faults:{seed}")
    used: set[str] = set()
    faults: list[dict] = []

    def period_at(i: int) -> str:
        return periods[min(i, len(periods) - 1)]

    def target(preferred: str) -> str:
        sid = _pick_source(config, preferred, used)
        used.add(sid)
        return sid

    def record(
        sid: str,
        dataset: str,
        period: str,
        rule: str,
        rows: list[int],
        description: str,
        **extra: Any,
    ) -> None:
        faults.append(
            {
                "source": sid,
                "dataset": dataset,
                "period": period,
                "level": "row",
                "rule": rule,
                "rows": rows,
                "description": description,
                **extra,
            }
        )

    def style(sid: str) -> str:
        return _PNR_STYLE.get(sid, "12-")

    # 1. Bad Luhn: a newly registered pupil whose number was mistyped.
    sid, period = target("1489"), period_at(1)
    rows = frames.rows[(sid, "participants", period)]
    first, last = period_bounds(period)
    entry = rng.choice(_school_days(first, last, "GR") or [first])
    person = world.new_person(entry)
    good = person.number("10")
    wrong = str((int(good[-1]) + rng.randint(1, 9)) % 10)
    template = (
        dict(rng.choice(rows))
        if rows
        else {
            "kommunkod": config.get(sid).municipalities[0],
            "programme": "IMS",
            "track": "none",
            "labour_status": "inactive",
            "newly_arrived": True,
            "foreign_background": True,
            "disability": "no",
        }
    )
    template.update(
        {
            "person_id": person.number(style(sid), check=wrong),
            "entry_date": entry,
            "exit_date": None,
            "exit_status": None,
            "qualification": None,
            "gender": person.gender,
        }
    )
    rows.append(template)
    record(
        sid,
        "participants",
        period,
        "invalid_personnummer",
        [len(rows)],
        "participants row with a mistyped personnummer (the Luhn check digit does not match)",
    )

    # 2. Unknown code label: an activity the source's code list does not have.
    sid, period = target("1496"), period_at(2)
    rows = frames.rows[(sid, "activities", period)]
    if rows:
        i = rng.randrange(len(rows))
        rows[i]["activity"] = "Friluftsdag"
        record(
            sid,
            "activities",
            period,
            "unknown_code",
            [i + 1],
            "activities row with the activity label 'Friluftsdag', which is not in the source's code list",
        )

    # 3. Attended more than scheduled.
    sid, period = target("1480"), period_at(3)
    rows = frames.rows[(sid, "attendance", period)]
    candidates = [i for i, r in enumerate(rows) if r["scheduled_min"] > 0]
    if candidates:
        i = rng.choice(candidates)
        rows[i].update(
            {
                "attended_min": rows[i]["scheduled_min"] + 90,
                "absence_valid_min": None,
                "absence_invalid_min": None,
            }
        )
        record(
            sid,
            "attendance",
            period,
            "attended_over_scheduled",
            [i + 1],
            "attendance row with 90 attended minutes more than scheduled (absences left empty)",
        )

    # 4. Exit before entry: an exit date typed with the wrong year (or a stray exit date).
    sid, period = target("1384"), period_at(4)
    rows = frames.rows[(sid, "participants", period)]
    survey_ids = {r["person_id"] for r in frames.rows[(sid, "survey", period)]}
    first, last = period_bounds(period)
    pool = [
        i
        for i, r in enumerate(rows)
        if r["person_id"] not in survey_ids
        and r["entry_date"] < first
        and (r["exit_date"] is None or r["exit_date"] >= first)
    ]
    exiting = [i for i in pool if _exit_in(rows[i], first, last)]
    if pool:
        i = rng.choice(exiting or pool)
        row = rows[i]
        typo = (
            _add_years(row["exit_date"], -1)
            if row["exit_date"]
            else row["entry_date"] - timedelta(days=14)
        )
        if typo >= row["entry_date"]:
            typo = row["entry_date"] - timedelta(days=14)
        row.update(
            {
                "exit_date": typo,
                "exit_status": row["exit_status"] or "studies_other",
                "qualification": bool(row["qualification"]),
            }
        )
        cascade = []
        for dataset in ("attendance", "survey", "activities"):
            hits = [
                j + 1
                for j, r in enumerate(frames.rows[(sid, dataset, period)])
                if r["person_id"] == row["person_id"]
            ]
            if hits:
                cascade.append({"dataset": dataset, "rows": hits})
        moved_rows = sum(len(c["rows"]) for c in cascade)
        record(
            sid,
            "participants",
            period,
            "exit_before_entry",
            [i + 1],
            "participants row whose exit date lies before its entry date; "
            f"the pupil's {moved_rows} other row(s) of the source and period follow it into quarantine",
            cascade=cascade,
        )

    # 5. A duplicated attendance row (every row sharing the key is quarantined).
    sid, period = target("1402"), period_at(2)
    rows = frames.rows[(sid, "attendance", period)]
    if rows:
        i = rng.randrange(len(rows))
        rows.insert(i + 1, dict(rows[i]))
        record(
            sid,
            "attendance",
            period,
            "duplicate_key",
            [i + 1, i + 2],
            "the same pupil's attendance for the month delivered twice (both rows are quarantined)",
        )

    # 6. Attendance for a person the source's snapshot does not have.
    sid, period = target("1498"), period_at(5)
    rows = frames.rows[(sid, "attendance", period)]
    first, _ = period_bounds(period)
    stranger = world.new_person(first)
    kommunkod = config.get(sid).municipalities[0]
    rows.append(
        {
            "kommunkod": kommunkod,
            "person_id": stranger.number(style(sid)),
            "month": period,
            "scheduled_min": 5400,
            "attended_min": 4650,
            "absence_valid_min": 450,
            "absence_invalid_min": 300,
        }
    )
    record(
        sid,
        "attendance",
        period,
        "person_not_in_participants",
        [len(rows)],
        "attendance row for a pupil who is not in the source's participants snapshot",
    )

    # 7. An activity dated outside the period.
    sid, period = target("kfv"), period_at(1)
    rows = frames.rows[(sid, "activities", period)]
    if rows:
        _, last = period_bounds(period)
        i = rng.randrange(len(rows))
        rows[i]["date"] = last + timedelta(days=rng.randint(1, 5))
        record(
            sid,
            "activities",
            period,
            "date_outside_period",
            [i + 1],
            "activities row dated after the end of the period",
        )

    # The one faulty file: the municipality changed its export template.
    sid, period = target("1463"), period_at(2)
    frames.renamed[(sid, "attendance", period)] = {"attended_min": "Närvarotid (min)"}
    faults.append(
        {
            "source": sid,
            "dataset": "attendance",
            "period": period,
            "level": "file",
            "rule": "required_column_missing",
            "rows": [],
            "description": (
                "attendance file without the required column attended_min: the export template renamed "
                "'Närvaro minuter' to 'Närvarotid (min)', which is no alias of the source"
            ),
        }
    )
    return faults


def _exit_in(row: dict, first: date, last: date) -> bool:
    return row["exit_date"] is not None and first <= row["exit_date"] <= last


# --------------------------------------------------------------------------- generate


def _columns(source: Source, dataset: str) -> list[str]:
    columns = [c.name for c in DATASET_COLUMNS[dataset]]
    if source.id in _SHUFFLED_COLUMNS:
        rest = columns[1:]
        random.Random(f"columns:{source.id}:{dataset}").shuffle(rest)
        columns = columns[:1] + rest
    if len(source.municipalities) > 1:
        columns = ["kommunkod", *columns]
    return columns


def _source_rows(source: Source, dataset: str, rows: list[int]) -> list[int]:
    """Data row numbers as row numbers of the file itself (the header's row + n)."""
    header_row = source.datasets[dataset].format.header_row or 1
    return [header_row + r for r in rows]


def _folder(source: Source, data_dir: Path) -> Path:
    folder = (
        source.delivery.folder or data_dir / "raw" / "landing" / source.id
    )  # SFTP sources: a local outbox
    resolved = folder.resolve()
    if not resolved.is_relative_to(data_dir):
        raise ValueError(
            f"source {source.id!r}: delivery folder {folder} lies outside data_dir {data_dir}; "
            "load the sources file with the same data_dir"
        )
    return resolved


def generate(
    sources_config: SourcesConfig,
    data_dir: Path,
    periods: list[str] | None = None,
    seed: int = 7,
    faults: bool = True,
    scale: float = 1.0,
) -> dict:
    """Write every source's deliveries for every period into its delivery folder.

    Returns the manifest::

        {"data_dir": Path, "periods": [...], "seed": int,
         "files": {source_id: [Path, ...]},          # every file written, in order
         "rows": {source_id: {dataset: {period: n}}}, # data rows per file
         "faults": [{"source", "dataset", "period", "file": Path,
                     "level": "row" | "file", "rule", "rows", "source_rows",
                     "description", ["cascade": [{"dataset", "file", "rows", "source_rows"}]]}]}

    ``rows`` count data rows (the first row under the header is 1);
    ``source_rows`` are the same rows as rows of the file (header row + n:
    line numbers for CSV, sheet rows for xlsx), as the quarantine reports them.
    ``rule`` names the rule the pipeline reports (invalid_personnummer,
    unknown_code, attended_over_scheduled, exit_before_entry, duplicate_key,
    person_not_in_participants, date_outside_period, required_column_missing).
    A ``cascade`` lists the rows that follow a quarantined participants row.
    No fault carries a personnummer. ``scale`` multiplies every municipality's
    number of participants (the benchmark's larger sizes).
    """
    data_dir = Path(data_dir).resolve()
    periods = list(periods or DEFAULT_PERIODS)
    for period in periods:
        _parse_period(period)
    folders = {sid: _folder(source, data_dir) for sid, source in sources_config.sources.items()}
    world = _World(sources_config, periods, seed, scale)
    frames = _Frames(rows={})
    for sid, source in sources_config.sources.items():
        for period in periods:
            frames.rows[(sid, "participants", period)] = world.participants(source, period)
            frames.rows[(sid, "attendance", period)] = world.attendance(source, period)
            frames.rows[(sid, "survey", period)] = world.survey(source, period)
            frames.rows[(sid, "activities", period)] = world.activities(source, period)
    planted = _inject_faults(world, frames, sources_config, periods, seed) if faults else []

    manifest: dict[str, Any] = {
        "data_dir": data_dir,
        "periods": periods,
        "seed": seed,
        "files": {},
        "rows": {},
        "faults": [],
    }
    paths: dict[tuple[str, str, str], Path] = {}
    for sid, source in sources_config.sources.items():
        manifest["files"][sid] = []
        manifest["rows"][sid] = {d: {} for d in DATASETS}
        for period in periods:
            for dataset in DATASETS:
                key = (sid, dataset, period)
                columns = _columns(source, dataset)
                frame = pd.DataFrame(frames.rows[key], columns=columns)
                frame = frame.rename(columns=frames.renamed.get(key, {}))
                path = write_delivery(
                    source, dataset, period, frame, folders[sid], config=sources_config
                )
                paths[key] = path
                manifest["files"][sid].append(path)
                manifest["rows"][sid][dataset][period] = len(frame)
    for fault in planted:
        source = sources_config.get(fault["source"])
        fault["file"] = paths[(fault["source"], fault["dataset"], fault["period"])]
        fault["source_rows"] = _source_rows(source, fault["dataset"], fault["rows"])
        for related in fault.get("cascade", []):
            related["file"] = paths[(fault["source"], related["dataset"], fault["period"])]
            related["source_rows"] = _source_rows(source, related["dataset"], related["rows"])
        manifest["faults"].append(fault)
    return manifest


# --------------------------------------------------------------------------- CLI


def _periods_arg(text: str) -> list[str]:
    if ":" in text:
        first, last = text.split(":", 1)
        return period_range(first.strip(), last.strip())
    return [p.strip() for p in text.split(",") if p.strip()]


def main(argv: list[str] | None = None) -> int:
    from transforms.config.settings import DEFAULT_SOURCES
    from transforms.config.sources import SourcesError, load_sources

    parser = argparse.ArgumentParser(
        prog="python -m transforms.demo.sample_data",
        description="Write sample monthly deliveries for every source into its landing folder.",
    )
    parser.add_argument(
        "--data-dir",
        required=True,
        type=Path,
        help="root (SAMLA_DATA_DIR) the landing folders resolve under",
    )
    parser.add_argument(
        "--periods",
        default=f"{DEFAULT_PERIODS[0]}:{DEFAULT_PERIODS[-1]}",
        help="FIRST:LAST or a comma list of YYYY-MM (default %(default)s)",
    )
    parser.add_argument(
        "--sources",
        type=Path,
        default=Path(os.environ.get("SAMLA_SOURCES") or DEFAULT_SOURCES),
        help="sources file (default: SAMLA_SOURCES or config/sources.yaml)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-faults", action="store_true", help="write clean data only")
    args = parser.parse_args(argv)
    try:
        periods = _periods_arg(args.periods)
        config = load_sources(args.sources, args.data_dir.resolve())
        manifest = generate(
            config, args.data_dir, periods, seed=args.seed, faults=not args.no_faults
        )
    except (ValueError, SourcesError) as exc:
        print(f"sample_data: {exc}", file=sys.stderr)
        return 2
    root = manifest["data_dir"]
    for sid, files in manifest["files"].items():
        rows = sum(n for per in manifest["rows"][sid].values() for n in per.values())
        print(
            f"{config.get(sid).label}: {len(files)} files, {rows} rows in {files[0].parent.relative_to(root)}"
        )
    for fault in manifest["faults"]:
        where = f"rows {', '.join(map(str, fault['rows']))}" if fault["rows"] else "whole file"
        print(
            f"fault [{fault['level']}] {fault['file'].relative_to(root)} ({where}): {fault['description']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
