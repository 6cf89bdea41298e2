"""Published layer: the fund report workbook for the ESF+ reporting (Excel).

Its texts come from the message catalogue (transforms/messages/fund_report.py), in
SAMLA_LANGUAGE (Swedish by default); the sheet names stay Swedish so that links
and lookups by name keep working in either language.

Built only from the PUBLISHED (suppressed) tables: what the workbook shows is
exactly what ``indicator_values`` holds, with a suppressed cell shown as
``..`` (SCB's sign for "uppgift för osäker / skyddad") and a rate over zero
persons as ``.`` (cannot be computed).

Text that can come from a delivery (source ids, area names, messages) is always
stored as a literal string, never as a formula, so a value such as
``=HYPERLINK("http://x")`` cannot run in Excel (OWASP "CSV/formula injection").

Written with xlsxwriter, each sheet from its first row to its last (``constant_memory``: one
row is held at a time); so a table's fitted column widths, which the notes above it need, are
measured on its rows before any is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from transforms import atomic
from transforms.clock import local_time
from transforms.config.project import current_project
from transforms.config.schema import AREA_LEVELS, GENDERS
from transforms.messages import language, t
from transforms.publish import completeness
from transforms.publish.report_text import area_label, is_esf, problem_counts
from transforms.values import is_missing

SUPPRESSED = ".."
NOT_APPLICABLE = "."
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (the same set openpyxl refuses): dropped from every text.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

SHEET_ESF = "ESF+ indikatorer"
SHEET_SERIES = "Tidsserie"
SHEET_PROJECT = "Projektindikatorer"
SHEET_DEFINITIONS = "Definitioner"
SHEET_STATUS = "Dataläge"
SHEET_CHART = "Diagram"

FORMAT_COUNT = "#,##0"
FORMAT_RATE = "0.0%"

# Cell styles, by name; a cell's style is a tuple of these names (with a number format).
_STYLES: dict[str, dict[str, Any]] = {
    "bold": {"bold": True},
    "title": {"bold": True, "font_size": 14},
    "fill": {"pattern": 1, "bg_color": "#DDE5F0"},
    "right": {"align": "right"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "quote": {"quote_prefix": True},
}
_BOLD = ("bold",)
_TITLE = ("title",)
_HEADER = ("bold", "fill")
_RIGHT = ("right",)
_WRAP = ("wrap",)
_LINE_HEIGHT = 15  # points per line of 11-point text
_DEFAULT_WIDTH = 8.43  # a column without a width of its own, in characters
_MARGINS = {"left": 0.75, "right": 0.75, "top": 1, "bottom": 1}  # inches; header and footer 0.5
_FITTED_ROWS = 2000  # a fitted column's width is measured on the header and this many rows below it
PAPER_A4 = 9


# --------------------------------------------------------------------------- labels
# Read at call time, so SAMLA_LANGUAGE set after import still counts. A code the
# catalogue does not know is shown as itself.


def _label(group: str, code: str) -> str:
    if group == "level" and code == "region":
        return "Region"  # the same word in both languages
    try:
        return t(f"fund.{group}.{code}")
    except KeyError:
        return code


def _gender_labels() -> list[str]:
    return [_label("gender", g) for g in GENDERS]


def _col(*names: str) -> list[str]:
    """Column labels; "Period" and "Status" are the same in both languages."""
    return [name.capitalize() if name in ("period", "status") else t(f"fund.col.{name}") for name in names]


# --------------------------------------------------------------------------- cells


def clean_text(value: Any) -> str:
    """``value`` as the literal text a cell holds: missing is empty, characters XML cannot hold are dropped."""
    text = "" if is_missing(value) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)


# A cell to write: (value, style names, number format). A ``str`` value is always written as text.
_Cell = tuple[Any, tuple[str, ...], str | None]


def _text(value: Any, style: tuple[str, ...] = ()) -> _Cell:
    return (clean_text(value), style, None)


def _number(value: Any, fmt: str) -> _Cell:
    if is_missing(value):
        return (NOT_APPLICABLE, _RIGHT, None)
    number = float(value)
    return (int(number) if fmt == FORMAT_COUNT and number.is_integer() else number, (), fmt)


def _value_cell(rec: _Rec | None, field: str, fmt: str) -> _Cell | None:
    if rec is None:  # no row in the table for this cell: leave it empty
        return None
    if rec.suppressed:
        return (SUPPRESSED, _RIGHT, None)
    if field != "value" and is_missing(getattr(rec, field)):
        return None  # a count has no denominator
    return _number(getattr(rec, field), FORMAT_COUNT if field != "value" else fmt)


class _Sheet:
    """One worksheet, written row after row (rows and columns counted from 1, as Excel shows them)."""

    def __init__(self, wb: Workbook, name: str, formats: dict[tuple, Format]):
        self.ws: Worksheet = wb.add_worksheet(name)
        self.wb = wb
        self._formats = formats
        self.widths: dict[int, float] = {}

    def _format(self, style: tuple[str, ...], fmt: str | None) -> Format | None:
        key = (style, fmt)
        if key not in self._formats:
            props: dict[str, Any] = {}
            for name in style:
                props.update(_STYLES[name])
            if fmt:
                props["num_format"] = fmt
            self._formats[key] = self.wb.add_format(props) if props else None
        return self._formats[key]

    def put(self, row: int, col: int, cell: _Cell | None) -> None:
        if cell is None:
            return
        value, style, fmt = cell
        if value == "":
            self.ws.write_blank(row - 1, col - 1, None, self._format(style, None))
        elif isinstance(value, str):
            if value.startswith(FORMULA_TRIGGERS):
                style = (*style, "quote")  # Excel keeps it text even when the cell is edited
            self.ws.write_string(row - 1, col - 1, value, self._format(style, None))
        else:
            self.ws.write_number(row - 1, col - 1, value, self._format(style, fmt))

    def row(self, row: int, cells: Iterable[_Cell | None], first_col: int = 1) -> None:
        for col, cell in enumerate(cells, start=first_col):
            self.put(row, col, cell)

    def height(self, row: int, points: float) -> None:
        self.ws.set_row(row - 1, points)

    def set_widths(self, widths: Mapping[int, float]) -> None:
        """Column widths as stored in the file (characters of the default font's digits)."""
        for col, width in widths.items():
            self.widths[col] = width
            # xlsxwriter stores a width of n pixels as n / 7 characters (Calibri 11's digit width)
            self.ws.set_column_pixels(col - 1, col - 1, round(width * 7))

    def text_block(self, row: int, text: str, width: float, ncols: int, *, bold: bool = False) -> None:
        """A paragraph in column A, merged across the columns that make up ``width`` and wrapped,
        with a row height for its lines (neither Excel nor LibreOffice sizes merged rows)."""
        style = (*_WRAP, "bold") if bold else _WRAP
        text = clean_text(text)
        self.height(row, _LINE_HEIGHT * _lines(text, width))
        if ncols > 1:  # the text goes in afterwards: merge_range would read "=..." as a formula
            self.ws.merge_range(row - 1, 0, row - 1, ncols - 1, "", self._format(style, None))
        self.put(row, 1, (text, style, None))

    def notes(self, first_row: int, lines: Sequence[str], ncols: int) -> None:
        """The notes under a title, each a paragraph as wide as the first ``ncols`` columns."""
        width = sum(self.widths.get(c, _DEFAULT_WIDTH) for c in range(1, ncols + 1))
        for row, line in enumerate(lines, start=first_row):
            text = clean_text(line)
            if text:
                self.text_block(row, text, width, ncols)

    def header(self, row: int, labels: Sequence[str]) -> None:
        self.row(row, (_text(label, _HEADER) for label in labels))

    def freeze(self, row: int, col: int) -> None:
        """Rows above ``row`` and columns left of ``col`` stay in view."""
        self.ws.freeze_panes(row - 1, col - 1)

    def print_wide(self, header_row: int | None, *, portrait: bool = False) -> None:
        """Printed or saved as PDF: A4, landscape (or portrait), all columns on one page width,
        the header row (if any) repeated on every page."""
        self.ws.set_paper(PAPER_A4)
        if portrait:
            self.ws.set_portrait()
        else:
            self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(**_MARGINS)
        self.ws.set_header("", {"margin": 0.5})
        self.ws.set_footer("", {"margin": 0.5})
        if header_row is not None:
            self.ws.repeat_rows(header_row - 1)

    def print_area(self, last_row: int, last_col: int) -> None:
        self.ws.print_area(0, 0, last_row - 1, last_col - 1)

    def filter(self, header_row: int, last_row: int, ncols: int) -> None:
        if last_row > header_row:
            self.ws.autofilter(header_row - 1, 0, last_row - 1, ncols - 1)


def _lines(text: str, width: float) -> int:
    """Printed lines of ``text`` wrapped in a cell ``width`` characters wide (conservative:
    a column-width unit is one digit, and Swedish text averages a little narrower)."""
    per_line = max(int(width), 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _fitted(header: Sequence[_Cell | None], rows: Iterable[Sequence[_Cell | None]], ncols: int,
            fixed: Mapping[int, float]) -> dict[int, float]:
    """Each column as wide as its longest text (a number counts 10) in the header and the rows
    below it, 8 to 60 characters; ``fixed`` widths as given."""
    longest = [0] * (ncols + 1)
    for cells in chain([header], islice(rows, _FITTED_ROWS)):
        for col, cell in enumerate(cells, start=1):
            if cell is not None and col <= ncols:
                longest[col] = max(longest[col], len(cell[0]) if isinstance(cell[0], str) else 10)
    return {col: fixed[col] if col in fixed else min(max(longest[col] + 2, 8), 60) for col in range(1, ncols + 1)}


# --------------------------------------------------------------------------- input


class _Rec:
    __slots__ = ("numerator", "denominator", "value", "suppressed")

    def __init__(self, numerator: Any, denominator: Any, value: Any, suppressed: Any):
        self.numerator = numerator
        self.denominator = denominator
        self.value = value
        self.suppressed = bool(suppressed)


_Key = tuple[str, str, str, str, str]  # period, area_level, area_code, gender, indicator


def _index(indicator_values: pd.DataFrame, periods: set[str]) -> dict[_Key, _Rec]:
    need = ["period", "area_level", "area_code", "gender", "indicator",
            "numerator", "denominator", "value", "suppressed"]
    missing = [c for c in need if c not in indicator_values.columns]
    if missing:
        raise ValueError(f"indicator_values lacks columns {missing}")
    if "persons" in indicator_values.columns:
        raise ValueError("the fund report is built from the published table, not the restricted one")
    out: dict[_Key, _Rec] = {}
    for row in indicator_values[need].itertuples(index=False, name=None):
        period = str(row[0])
        if period not in periods:
            continue
        rec = _Rec(row[5], row[6], row[7], row[8])
        if rec.suppressed and not all(is_missing(v) for v in row[5:8]):
            raise ValueError(f"suppressed cell {row[:5]} carries numbers: not a published table")
        out[(period, str(row[1]), str(row[2]), str(row[3]), str(row[4]))] = rec
    return out


def _area_order(areas: pd.DataFrame, index: dict[_Key, _Rec]) -> list[tuple[str, str, str]]:
    """(level, code, name): the region, then each federation followed by its municipalities."""
    rows = [
        (str(r.area_level), str(r.area_code), "" if is_missing(r.name) else str(r.name),
         None if is_missing(r.parent_code) else str(r.parent_code))
        for r in areas.itertuples(index=False)
    ]
    ordered: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(level: str, code: str, name: str) -> None:
        if (level, code) not in seen:
            seen.add((level, code))
            ordered.append((level, code, name))

    for level, code, name, _parent in rows:
        if level == "region":
            add(level, code, name)
    for level, code, name, _parent in rows:
        if level == "federation":
            add(level, code, name)
            for lv2, code2, name2, parent2 in rows:
                if lv2 == "municipality" and parent2 == code:
                    add(lv2, code2, name2)
    for level, code, name, _parent in rows:
        add(level, code, name)
    rank = {lv: i for i, lv in enumerate(AREA_LEVELS)}
    for level, code in sorted({(k[1], k[2]) for k in index}, key=lambda a: (rank.get(a[0], 9), a[1])):
        add(level, code, code)  # in the data but not in the areas table
    return ordered


def _indicator_catalogue(indicators: pd.DataFrame, index: dict[_Key, _Rec]) -> list[dict[str, str]]:
    cat: list[dict[str, str]] = []
    known: set[str] = set()
    if "code" in indicators.columns and "indicator" not in indicators.columns:
        indicators = indicators.rename(columns={"code": "indicator"})  # transforms.publish.indicators' name
    for r in indicators.itertuples(index=False):
        code = str(r.indicator)
        known.add(code)
        cat.append({
            "indicator": code,
            "name_sv": "" if is_missing(r.name_sv) else str(r.name_sv),
            "name_en": "" if is_missing(r.name_en) else str(r.name_en),
            "definition": "" if is_missing(r.definition) else str(r.definition),
            "definition_sv": str(getattr(r, "definition_sv", "") or ""),
            "kind": "" if is_missing(r.kind) else str(r.kind),
        })
    for code in sorted({k[4] for k in index} - known):
        has_denominator = any(
            k[4] == code and not is_missing(rec.denominator) for k, rec in index.items()
        )
        cat.append({"indicator": code, "name_sv": code, "name_en": code, "definition": "", "definition_sv": "",
                    "kind": "rate" if has_denominator else "count"})
    return cat


def _name(ind: dict[str, str]) -> str:
    """The indicator's name in the report's language."""
    return ind["name_en"] if language() == "en" else ind["name_sv"]


# --------------------------------------------------------------------------- sheets


def _table(sheet: _Sheet, title: str, notes: Sequence[str], labels: Sequence[str],
           rows: Iterable[Sequence[_Cell | None]], *, freeze_col: int, repeat_header: bool = True) -> tuple[int, int]:
    """Title, notes, header and rows, the columns fitted to the header and rows; returns the
    header row and the last row."""
    header_row = len(notes) + 3
    header = [_text(label, _HEADER) for label in labels]
    ncols = len(labels)
    rows = iter(rows)
    first = list(islice(rows, _FITTED_ROWS))
    sheet.set_widths(_fitted(header, first, ncols, {}))
    sheet.put(1, 1, _text(title, _TITLE))
    sheet.notes(2, notes, ncols)
    sheet.row(header_row, header)
    last = header_row
    for cells in chain(first, rows):
        last += 1
        sheet.row(last, cells)
    sheet.freeze(header_row + 1, freeze_col)
    sheet.print_wide(header_row if repeat_header else None)
    sheet.filter(header_row, last, ncols)
    return header_row, last


def _area_cells(area: tuple[str, str, str]) -> list[_Cell]:
    level, code, name = area
    return [_text(_label("level", level)), _text(code), _text(name, () if level == "municipality" else _BOLD)]


def _esf_rows(periods: Iterable[str], area_list: list[tuple[str, str, str]], esf: list[dict[str, str]],
              index: dict[_Key, _Rec], with_period: bool) -> Iterator[list[_Cell | None]]:
    names = {ind["indicator"]: [_text(ind["indicator"]), _text(_name(ind))] for ind in esf}  # once, not per row
    for period in periods:
        period_cells = [_text(period)] if with_period else []
        for area in area_list:
            area_cells = _area_cells(area)
            for ind in esf:
                fmt = FORMAT_RATE if ind["kind"] == "rate" else FORMAT_COUNT
                cells: list[_Cell | None] = [*period_cells, *area_cells, *names[ind["indicator"]]]
                cells += [_value_cell(index.get((period, area[0], area[1], gender, ind["indicator"])), "value", fmt)
                          for gender in GENDERS]
                yield cells


def _write_esf(sheet: _Sheet, latest: str, area_list, esf, index, notes: list[str]) -> None:
    labels = [*_col("level", "code", "area", "indicator", "name"), *_gender_labels()]
    _table(sheet, t("fund.title.esf", project=current_project().name, period=latest), notes, labels,
           _esf_rows([latest], area_list, esf, index, with_period=False), freeze_col=4)


def _write_series(sheet: _Sheet, periods: list[str], area_list, esf, index, notes: list[str]) -> None:
    """Every period, area and ESF+ indicator: a table to filter, too long to print. The printout
    shows the title and notes only, which say where the same numbers are printable."""
    rows = len(periods) * len(area_list) * len(esf)
    notes = [*notes, t("fund.note.print_series", n=rows, esf=SHEET_ESF, chart=SHEET_CHART)]
    labels = [*_col("period", "level", "code", "area", "indicator", "name"), *_gender_labels()]
    header_row, _ = _table(sheet, t("fund.title.series"), notes, labels,
                           _esf_rows(periods, area_list, esf, index, with_period=True),
                           freeze_col=5, repeat_header=False)
    sheet.print_area(header_row - 2, len(labels))


def _project_rows(periods: list[str], area_list, project, index) -> Iterator[list[_Cell | None]]:
    names = {ind["indicator"]: [_text(ind["indicator"]), _text(_name(ind))] for ind in project}  # once, not per row
    genders = [(gender, _text(_label("gender", gender))) for gender in GENDERS]
    for period in periods:
        period_cell = _text(period)
        for area in area_list:
            area_cells = _area_cells(area)
            for ind in project:
                fmt = FORMAT_RATE if ind["kind"] == "rate" else FORMAT_COUNT
                for gender, gender_cell in genders:
                    rec = index.get((period, area[0], area[1], gender, ind["indicator"]))
                    yield [period_cell, *area_cells, *names[ind["indicator"]],
                           gender_cell, _value_cell(rec, "value", fmt),
                           _value_cell(rec, "numerator", fmt), _value_cell(rec, "denominator", fmt)]


def _write_project(sheet: _Sheet, periods: list[str], area_list, project, index, notes: list[str]) -> None:
    """Every period, latest first; the printout stops after the latest period (its notes say so)."""
    notes = [*notes, t("fund.note.print_latest", period=max(periods))]
    labels = _col("period", "level", "code", "area", "indicator", "name", "gender",
                  "value", "numerator", "denominator")
    latest_first = sorted(periods, reverse=True)  # what the reader looks for
    header_row, _ = _table(sheet, t("fund.title.project", project=current_project().name), notes, labels,
                           _project_rows(latest_first, area_list, project, index), freeze_col=8)
    sheet.print_area(header_row + len(area_list) * len(project) * len(GENDERS), len(labels))


def _stale_by_period(source_status: pd.DataFrame, periods: list[str]) -> dict[str, list[tuple[str, str | None]]]:
    out: dict[str, list[tuple[str, str | None]]] = {p: [] for p in periods}
    if len(source_status) == 0:
        return out
    for r in source_status.itertuples(index=False):
        period = str(r.period)
        if period in out and not is_missing(r.stale) and bool(r.stale):
            snap = None if is_missing(r.snapshot_period) else str(r.snapshot_period)
            out[period].append((str(r.source), snap))
    for lst in out.values():
        lst.sort()
    return out


_DEFINITION_WIDTHS = {1: 22, 2: 30, 3: 30, 4: 55, 5: 55, 6: 8}


def _write_definitions(sheet: _Sheet, catalogue: list[dict[str, str]], threshold: int, generated_at: str) -> None:
    """Codes whole, Swedish before English, every row as tall as its longest wrapped text."""
    sheet.set_widths(_DEFINITION_WIDTHS)
    total = sum(_DEFINITION_WIDTHS.values())
    sheet.put(1, 1, _text(t("fund.title.definitions"), _TITLE))
    sheet.put(2, 1, _text(t("fund.note.generated", at=generated_at)))
    header_row = 4
    labels = _col("code", "name", "name_other", "definition", "definition_other", "kind")
    sheet.header(header_row, labels)
    english = language() == "en"  # the report's language first, the other beside it
    row = header_row + 1
    for ind in catalogue:
        names = (ind["name_en"], ind["name_sv"]) if english else (ind["name_sv"], ind["name_en"])
        definitions = ((ind["definition"], ind["definition_sv"]) if english
                       else (ind["definition_sv"], ind["definition"]))
        values = (ind["indicator"], *names, *definitions, _label("kind", ind["kind"]))
        sheet.height(row, _LINE_HEIGHT * max(_lines(v, _DEFINITION_WIDTHS[c]) for c, v in enumerate(values, start=1)))
        sheet.row(row, (_text(v, _WRAP) for v in values))
        row += 1

    row += 1
    sheet.text_block(row, t("fund.disclosure.title"), total, len(labels), bold=True)
    signs: dict[str, Any] = {"below": threshold - 1, "threshold": threshold, "suppressed": SUPPRESSED,
                             "na": NOT_APPLICABLE}
    other = "sv" if english else "en"
    for line in (
        t("fund.disclosure.cells", **signs),
        t("fund.disclosure.secondary"),
        t("fund.disclosure.na", **signs),
        t("fund.disclosure.units"),
        t("fund.disclosure.once"),
        t("fund.disclosure.summary", lang=other, **signs),  # the rule in the other language, in short
    ):
        row += 1
        sheet.text_block(row, line, total, len(labels))

    sheet.freeze(header_row + 1, 1)
    sheet.print_wide(header_row)


def status_headline(problems: pd.DataFrame, stale: dict[str, list], periods: list[str]) -> str:
    """indicators.md: a report names every missing or rejected dataset of its periods and
    never calls the data complete while one exists."""
    span = {"first": periods[0], "last": periods[-1]}
    if problems.empty:
        note = t("report.headline_stale") if any(stale.get(p) for p in periods) else ""
        return t("report.headline_complete", **span) + note
    return t("report.headline_incomplete", problems=problem_counts(problems), **span)


_STATUS_WIDTHS = {1: 12, 2: 14, 3: 16, 4: 24, 5: 34, 6: 28}


def _write_status(sheet: _Sheet, problems: pd.DataFrame, stale: dict[str, list], periods: list[str],
                  generated_at: str) -> None:
    notes = [status_headline(problems, stale, periods), t("fund.status.explain", at=generated_at)]
    labels = [*_col("period", "source", "dataset", "status", "file"), t("clock.col.arrived")]
    sheet.set_widths(_STATUS_WIDTHS)
    width = sum(_STATUS_WIDTHS.values())
    sheet.put(1, 1, _text(t("fund.title.status"), _TITLE))
    sheet.notes(2, notes, len(labels))
    header_row = len(notes) + 3
    sheet.header(header_row, labels)
    row = header_row
    for r in problems.itertuples(index=False):
        row += 1
        sheet.row(row, (_text(v) for v in (r.period, r.source, _label("dataset", r.dataset),
                                            _label("state", r.state), r.file_name, local_time(r.arrived_at))))
    row += 2
    sheet.put(row, 1, _text(t("fund.status.stale_title"), _BOLD))
    row += 1
    sheet.text_block(row, t("fund.status.stale_explain"), width, len(labels))
    row += 1
    sheet.header(row, _col("period", "source", "status", "snapshot"))
    for period in periods:
        sources = stale.get(period, [])
        if not sources:
            row += 1
            sheet.row(row, [_text(period), None, _text(t("fund.status.all_current"))])
        for source, snapshot in sources:
            row += 1
            sheet.row(row, [_text(period), _text(source), _text(t("fund.status.stale")),
                            _text(snapshot or t("fund.status.never"))])
    sheet.freeze(header_row + 1, 1)
    sheet.print_wide(header_row)


# --------------------------------------------------------------------------- entry point


def charts() -> tuple[tuple[str, list[tuple[str, str, str]], bool], ...]:
    """The Diagram sheet's charts (the HTML report's main charts), in the report's language:
    (title, [(indicator, gender, series label)], is a rate)."""
    return (
        (t("report.participants_chart"), [("EECO01", g, _label("gender", g)) for g in GENDERS], False),
        (t("report.attendance_chart"), [("ATTENDANCE_RATE", "all", t("fund.series.attendance"))], True),
        (t("report.survey_chart"),
         [("MOTIVATION_IMPROVED", "all", "Motivation"),  # the same word in both languages
          ("FUTURE_HOPE_IMPROVED", "all", t("fund.series.future_hope")),
          ("WELLBEING_IMPROVED", "all", t("fund.series.wellbeing"))], True),
        (t("report.completion_chart"), [("COMPLETION", "all", t("fund.series.completion"))], True),
    )


_CHART_CM = (12.0, 6.5)  # width, height of one chart
_CHART_ROWS = 14  # rows of 15 points a chart takes, with a gap
_CHART_COLUMN_WIDTH = 14  # the chart sheet's table columns, in characters


def _column_cm(width: float) -> float:
    """A column's printed width in cm at 100 %: 7 pixels a character and 5 of padding, at 96 per inch."""
    return (width * 7 + 5) / 96 * 2.54


def _write_chart(sheet: _Sheet, periods: list[str], area_list, index: dict[_Key, _Rec], notes: list[str]) -> None:
    """For the region and each federation, a page of its own (portrait): its heading, the charts'
    numbers as a table, and the four charts below it, two by two. A suppressed or undefined value
    is an empty cell, drawn as a gap in the line."""
    notes = [*notes, t("fund.note.chart_gaps")]
    chart_list = charts()
    columns = [(ind, g, label) for _title, series, _rate in chart_list for ind, g, label in series]
    widths = {1: 12, **{c: _CHART_COLUMN_WIDTH for c in range(2, len(columns) + 2)}}
    sheet.set_widths(widths)
    # the right-hand chart starts at the first column past the left one's width
    left_edge, second_col = 0.0, 1
    while left_edge < _CHART_CM[0] + 0.3:
        left_edge += _column_cm(widths.get(second_col, _CHART_COLUMN_WIDTH))
        second_col += 1
    sheet.put(1, 1, _text(t("fund.title.chart"), _TITLE))
    sheet.notes(2, notes, 1 + len(columns))
    first_header = row = len(notes) + 3
    breaks = []
    for level, code, name in [a for a in area_list if a[0] in ("region", "federation")]:
        sheet.put(row, 1, _text(area_label(code, name), _TITLE))
        header = row + 1
        sheet.header(header, ["Period", *(label for _i, _g, label in columns)])
        for r, period in enumerate(periods, start=header + 1):
            cells: list[_Cell | None] = [_text(period)]
            for ind, gender, _label in columns:
                rec = index.get((period, level, code, gender, ind))
                if rec is None or rec.suppressed or is_missing(rec.value):
                    cells.append(None)
                else:
                    cells.append((float(rec.value), (), FORMAT_COUNT if ind == "EECO01" else FORMAT_RATE))
            sheet.row(r, cells)
        last = header + len(periods)
        charts_row = last + 2
        col = 2
        for i, (title, series, rate) in enumerate(chart_list):
            chart = _line_chart(sheet, title, rate, header, last, col, len(series))
            anchor_col = 1 if i % 2 == 0 else second_col
            sheet.ws.insert_chart(charts_row + (i // 2) * _CHART_ROWS - 1, anchor_col - 1, chart,
                                  {"object_position": 2})  # moves with its cells, keeps its size
            col += len(series)
        row = charts_row + 2 * _CHART_ROWS
        breaks.append(row - 1)  # the next area starts a page: no chart is cut in two
    sheet.ws.set_h_pagebreaks(breaks)
    sheet.freeze(first_header, 2)
    sheet.print_wide(None, portrait=True)  # each page carries its own area's heading, never another area's


_EMU_PER_PIXEL = 9525  # 914 400 EMU an inch at 96 pixels an inch


def _line_chart(sheet: _Sheet, title: str, rate: bool, header: int, last: int, col: int, n_series: int):
    """One line chart of the columns ``col``.. of the table whose header is row ``header``: each
    column a series named by its header, the periods as categories."""
    chart = sheet.wb.add_chart({"type": "line"})
    name = sheet.ws.get_name()
    for c in range(col, col + n_series):
        chart.add_series({
            "name": [name, header - 1, c - 1],
            "categories": [name, header, 0, last - 1, 0],
            "values": [name, header, c - 1, last - 1, c - 1],
            "marker": {"type": "none"},
            "line": {"dash_type": "solid"},
            "smooth": False,  # monthly values: straight segments, no invented curve
        })
    chart.set_title({"name": title})
    chart.show_blanks_as("gap")
    axis: dict[str, Any] = {"major_tick_mark": "none", "minor_tick_mark": "none"}
    chart.set_x_axis(axis)
    y_axis = {**axis, "num_format": FORMAT_RATE if rate else FORMAT_COUNT, "major_gridlines": {"visible": True}}
    if rate:
        y_axis.update(min=0, max=1)
    chart.set_y_axis(y_axis)
    chart.set_legend({"none": True} if n_series == 1 else {"position": "bottom"})  # one line: the title names it
    emu_per_cm = 360000
    chart.set_size({"width": _CHART_CM[0] * emu_per_cm / _EMU_PER_PIXEL,
                    "height": _CHART_CM[1] * emu_per_cm / _EMU_PER_PIXEL})
    return chart


def report_file_name(project_code: str, period: str) -> str:
    """``<project>_indikatorer_<period>.xlsx``, e.g. fokus_im_indikatorer_2025-02.xlsx: named for
    the project, so two projects' reports never take each other's name."""
    slug = re.sub(r"[^a-z0-9]+", "_", project_code.lower()).strip("_") or "samla"
    return f"{slug}_indikatorer_{period}.xlsx"


def write_fund_report(
    path: Path,
    *,
    indicator_values: pd.DataFrame,
    source_status: pd.DataFrame,
    areas: pd.DataFrame,
    indicators: pd.DataFrame,
    periods: list[str],
    generated_at: datetime | str,
    threshold: int = 5,
    dataset_status: pd.DataFrame | None = None,
    root: Path | None = None,
) -> Path:
    """Write the fund report workbook to ``path`` (atomically; inside the data folder
    ``root`` when given) and return ``path``.

    ``indicator_values`` must be the PUBLISHED table (suppressed cells without
    numbers); the report shows the latest of ``periods`` on "ESF+ indikatorer"
    and every period of ``periods`` on "Tidsserie" and "Projektindikatorer".
    ``threshold`` is only quoted in the notes. ``dataset_status`` (the published
    table) gives the "Dataläge" sheet; none given means nothing is known to be
    delivered, and the report says so rather than "complete". ``generated_at`` (aware, or stored
    ISO text) and the arrival times are shown in Swedish time.
    """
    if not periods:
        raise ValueError("write_fund_report: no periods to report")
    generated_at = t("clock.at", at=local_time(generated_at))
    periods = sorted({str(p) for p in periods})
    latest = periods[-1]
    index = _index(indicator_values, set(periods))
    area_list = _area_order(areas, index)
    catalogue = _indicator_catalogue(indicators, index)
    esf = [i for i in catalogue if is_esf(i["indicator"])]
    project = [i for i in catalogue if not is_esf(i["indicator"])]
    stale = _stale_by_period(source_status, periods)
    if dataset_status is None:
        dataset_status = pd.DataFrame([(p, "?", "participants", "missing", None, None) for p in periods],
                                      columns=["period", "source", "dataset", "state", "file_name", "arrived_at"])
    problems = completeness.problems(dataset_status, periods)

    stale_latest = stale.get(latest, [])
    state = status_headline(problems, stale, periods) + (
        "" if not stale_latest else t("fund.note.stale_latest", sources=", ".join(s for s, _ in stale_latest)))
    notes = [
        t("fund.note.period", period=latest, at=generated_at),
        t("fund.note.signs", suppressed=SUPPRESSED, threshold=threshold, na=NOT_APPLICABLE, sheet=SHEET_DEFINITIONS),
        state,
    ]
    series_notes = [t("fund.note.periods", first=periods[0], last=latest, at=generated_at), notes[1],
                    status_headline(problems, stale, periods)]

    path = Path(path)
    with atomic.atomic_path(path, mode=0o644, root=root) as tmp:
        # Text is only ever written as text; the options keep it so should a call write it otherwise.
        wb = Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                 "strings_to_numbers": False, "strings_to_urls": False})
        formats: dict[tuple, Format] = {}
        sheets = {name: _Sheet(wb, name, formats) for name in (SHEET_ESF, SHEET_STATUS, SHEET_SERIES, SHEET_PROJECT,
                                                              SHEET_DEFINITIONS, SHEET_CHART)}
        _write_esf(sheets[SHEET_ESF], latest, area_list, esf, index, notes)
        _write_status(sheets[SHEET_STATUS], problems, stale, periods, generated_at)
        _write_series(sheets[SHEET_SERIES], periods, area_list, esf, index, series_notes)
        _write_project(sheets[SHEET_PROJECT], periods, area_list, project, index, series_notes)
        _write_definitions(sheets[SHEET_DEFINITIONS], catalogue, threshold, generated_at)
        _write_chart(sheets[SHEET_CHART], periods, area_list, index, series_notes)
        wb.close()
    return path


__all__ = ["NOT_APPLICABLE", "SUPPRESSED", "clean_text", "write_fund_report"]
