"""Published layer: the fund report workbook for the ESF+ reporting (Excel).

Its texts come from the message catalogue (transforms/messages/fund_report.py), in
SAMLA_LANGUAGE (Swedish by default); the sheet names stay Swedish so that links
and lookups by name keep working in either language.

Built only from the PUBLISHED (suppressed) tables: what the workbook shows is
exactly what ``indicator_values`` holds, with a suppressed cell shown as
``..`` (SCB's sign for "uppgift för osäker / skyddad") and a rate over zero
persons as ``.`` (cannot be computed).

Text that can come from a delivery (source ids, area names, messages) goes
through ``safe_text``: it is always stored as a literal string, never as a
formula, so a value such as ``=HYPERLINK("http://x")`` cannot run in
Excel (OWASP "CSV/formula injection").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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

SHEET_ESF = "ESF+ indikatorer"
SHEET_SERIES = "Tidsserie"
SHEET_PROJECT = "Projektindikatorer"
SHEET_DEFINITIONS = "Definitioner"
SHEET_STATUS = "Dataläge"
SHEET_CHART = "Diagram"

FORMAT_COUNT = "#,##0"
FORMAT_RATE = "0.0%"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_RIGHT = Alignment(horizontal="right")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINE_HEIGHT = 15  # points per line of 11-point text


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


def safe_text(cell: Cell, value: Any) -> Cell:
    """Store ``value`` in ``cell`` as literal text, never as a formula.

    openpyxl turns any string starting with ``=`` into a formula; we force the
    cell type back to string, and for every string starting with one of
    ``= + - @ TAB CR`` also set Excel's quote-prefix flag, so Excel keeps it as
    text even when the cell is edited. The text itself is unchanged (no visible
    apostrophe); characters XML cannot hold are dropped.
    """
    text = "" if is_missing(value) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _put_number(cell: Cell, value: Any, fmt: str) -> None:
    if is_missing(value):
        safe_text(cell, NOT_APPLICABLE).alignment = _RIGHT
        return
    number = float(value)
    cell.value = int(number) if fmt == FORMAT_COUNT and number.is_integer() else number
    cell.number_format = fmt


def _put_cell_value(cell: Cell, rec: _Rec | None, field: str, fmt: str) -> None:
    if rec is None:  # no row in the table for this cell: leave it empty
        return
    if rec.suppressed:
        safe_text(cell, SUPPRESSED).alignment = _RIGHT
        return
    if field != "value" and is_missing(getattr(rec, field)):
        return  # a count has no denominator
    _put_number(cell, getattr(rec, field), FORMAT_COUNT if field != "value" else fmt)


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


def _preamble(ws: Worksheet, title: str, lines: Sequence[str]) -> int:
    """Title and notes above a table; returns the header row. ``_wrap_notes`` later
    wraps the notes within the table's width, so a printout never cuts them."""
    safe_text(ws.cell(row=1, column=1), title).font = _TITLE
    for i, line in enumerate(lines, start=2):
        safe_text(ws.cell(row=i, column=1), line)
    return len(lines) + 3


def _wrap_notes(ws: Worksheet, rows: Iterable[int], ncols: int) -> None:
    """Turn the texts in column A of ``rows`` into paragraphs as wide as the first ``ncols`` columns."""
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ncols + 1))
    for row in rows:
        value = ws.cell(row=row, column=1).value
        if value:
            _text_block(ws, row, value, width, ncols)


def _lines(text: str, width: float) -> int:
    """Printed lines of ``text`` wrapped in a cell ``width`` characters wide (conservative:
    a column-width unit is one digit, and Swedish text averages a little narrower)."""
    per_line = max(int(width), 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _text_block(ws: Worksheet, row: int, text: str, width: float, ncols: int, *, bold: bool = False) -> None:
    """A paragraph in column A, merged across the columns that make up ``width`` and wrapped,
    with a row height for its lines (neither Excel nor LibreOffice sizes merged rows)."""
    cell = safe_text(ws.cell(row=row, column=1), text)
    cell.alignment = _WRAP
    if bold:
        cell.font = _BOLD
    ws.row_dimensions[row].height = _LINE_HEIGHT * _lines(text, width)
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = safe_text(ws.cell(row=row, column=col), label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL


def _finish_table(ws: Worksheet, header_row: int, ncols: int, last_row: int,
                  freeze_col: int, widths: dict[int, float] | None = None, *, repeat_header: bool = True) -> None:
    ws.freeze_panes = ws.cell(row=header_row + 1, column=freeze_col)
    _print_wide(ws, header_row if repeat_header else None)
    if last_row > header_row:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncols)}{last_row}"
    _fit_columns(ws, header_row, ncols, widths or {})
    _wrap_notes(ws, range(2, header_row - 1), ncols)


def _print_wide(ws: Worksheet, header_row: int | None) -> None:
    """Printed or saved as PDF: landscape, all columns on one page width, the header row (if any)
    repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def _fit_columns(ws: Worksheet, header_row: int, ncols: int, fixed: Mapping[int, float]) -> None:
    for col in range(1, ncols + 1):
        if col in fixed:
            width = fixed[col]
        else:
            longest = 0
            for row in ws.iter_rows(min_row=header_row, max_row=min(ws.max_row, header_row + 2000),
                                    min_col=col, max_col=col, values_only=True):
                value = row[0]
                if value is not None:
                    longest = max(longest, len(str(value)) if isinstance(value, str) else 10)
            width = min(max(longest + 2, 8), 60)
        ws.column_dimensions[get_column_letter(col)].width = width


def _area_cells(ws: Worksheet, row: int, col: int, area: tuple[str, str, str]) -> None:
    level, code, name = area
    safe_text(ws.cell(row=row, column=col), _label("level", level))
    safe_text(ws.cell(row=row, column=col + 1), code)
    cell = safe_text(ws.cell(row=row, column=col + 2), name)
    if level != "municipality":
        cell.font = _BOLD


def _esf_rows(ws: Worksheet, start_row: int, periods: Iterable[str],
              area_list: list[tuple[str, str, str]], esf: list[dict[str, str]],
              index: dict[_Key, _Rec], with_period: bool) -> int:
    row = start_row
    for period in periods:
        for area in area_list:
            for ind in esf:
                col = 1
                if with_period:
                    safe_text(ws.cell(row=row, column=col), period)
                    col += 1
                _area_cells(ws, row, col, area)
                safe_text(ws.cell(row=row, column=col + 3), ind["indicator"])
                safe_text(ws.cell(row=row, column=col + 4), _name(ind))
                fmt = FORMAT_RATE if ind["kind"] == "rate" else FORMAT_COUNT
                for g, gender in enumerate(GENDERS):
                    rec = index.get((period, area[0], area[1], gender, ind["indicator"]))
                    _put_cell_value(ws.cell(row=row, column=col + 5 + g), rec, "value", fmt)
                row += 1
    return row - 1


def _write_esf(ws: Worksheet, latest: str, area_list, esf, index, notes: list[str]) -> None:
    header_row = _preamble(ws, t("fund.title.esf", project=current_project().name, period=latest), notes)
    labels = [*_col("level", "code", "area", "indicator", "name"), *_gender_labels()]
    _header(ws, header_row, labels)
    last = _esf_rows(ws, header_row + 1, [latest], area_list, esf, index, with_period=False)
    _finish_table(ws, header_row, len(labels), last, freeze_col=4)


def _write_series(ws: Worksheet, periods: list[str], area_list, esf, index, notes: list[str]) -> None:
    """Every period, area and ESF+ indicator: a table to filter, too long to print. The printout
    shows the title and notes only, which say where the same numbers are printable."""
    rows = len(periods) * len(area_list) * len(esf)
    notes = [*notes, t("fund.note.print_series", n=rows, esf=SHEET_ESF, chart=SHEET_CHART)]
    header_row = _preamble(ws, t("fund.title.series"), notes)
    labels = [*_col("period", "level", "code", "area", "indicator", "name"), *_gender_labels()]
    _header(ws, header_row, labels)
    last = _esf_rows(ws, header_row + 1, periods, area_list, esf, index, with_period=True)
    _finish_table(ws, header_row, len(labels), last, freeze_col=5, repeat_header=False)
    ws.print_area = f"A1:{get_column_letter(len(labels))}{header_row - 2}"


def _write_project(ws: Worksheet, periods: list[str], area_list, project, index, notes: list[str]) -> None:
    """Every period, latest first; the printout stops after the latest period (its notes say so)."""
    notes = [*notes, t("fund.note.print_latest", period=max(periods))]
    header_row = _preamble(ws, t("fund.title.project", project=current_project().name), notes)
    labels = _col("period", "level", "code", "area", "indicator", "name", "gender",
                  "value", "numerator", "denominator")
    _header(ws, header_row, labels)
    row = header_row + 1
    for period in sorted(periods, reverse=True):  # latest first: what the reader looks for
        for area in area_list:
            for ind in project:
                fmt = FORMAT_RATE if ind["kind"] == "rate" else FORMAT_COUNT
                for gender in GENDERS:
                    rec = index.get((period, area[0], area[1], gender, ind["indicator"]))
                    safe_text(ws.cell(row=row, column=1), period)
                    _area_cells(ws, row, 2, area)
                    safe_text(ws.cell(row=row, column=5), ind["indicator"])
                    safe_text(ws.cell(row=row, column=6), _name(ind))
                    safe_text(ws.cell(row=row, column=7), _label("gender", gender))
                    _put_cell_value(ws.cell(row=row, column=8), rec, "value", fmt)
                    _put_cell_value(ws.cell(row=row, column=9), rec, "numerator", fmt)
                    _put_cell_value(ws.cell(row=row, column=10), rec, "denominator", fmt)
                    row += 1
        if period == max(periods):
            ws.print_area = f"A1:{get_column_letter(len(labels))}{row - 1}"
    _finish_table(ws, header_row, len(labels), row - 1, freeze_col=8)


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


def _write_definitions(ws: Worksheet, catalogue: list[dict[str, str]], threshold: int, generated_at: str) -> None:
    """Codes whole, Swedish before English, every row as tall as its longest wrapped text."""
    for col, width in _DEFINITION_WIDTHS.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    total = sum(_DEFINITION_WIDTHS.values())
    header_row = _preamble(ws, t("fund.title.definitions"), [t("fund.note.generated", at=generated_at)])
    labels = _col("code", "name", "name_other", "definition", "definition_other", "kind")
    _header(ws, header_row, labels)
    english = language() == "en"  # the report's language first, the other beside it
    row = header_row + 1
    for ind in catalogue:
        names = (ind["name_en"], ind["name_sv"]) if english else (ind["name_sv"], ind["name_en"])
        definitions = ((ind["definition"], ind["definition_sv"]) if english
                       else (ind["definition_sv"], ind["definition"]))
        values = (ind["indicator"], *names, *definitions, _label("kind", ind["kind"]))
        for col, value in enumerate(values, start=1):
            safe_text(ws.cell(row=row, column=col), value).alignment = _WRAP
        ws.row_dimensions[row].height = _LINE_HEIGHT * max(
            _lines(v, _DEFINITION_WIDTHS[c]) for c, v in enumerate(values, start=1))
        row += 1

    row += 1
    _text_block(ws, row, t("fund.disclosure.title"), total, len(labels), bold=True)
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
        _text_block(ws, row, line, total, len(labels))

    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_wide(ws, header_row)


def status_headline(problems: pd.DataFrame, stale: dict[str, list], periods: list[str]) -> str:
    """indicators.md: a report names every missing or rejected dataset of its periods and
    never calls the data complete while one exists."""
    span = {"first": periods[0], "last": periods[-1]}
    if problems.empty:
        note = t("report.headline_stale") if any(stale.get(p) for p in periods) else ""
        return t("report.headline_complete", **span) + note
    return t("report.headline_incomplete", problems=problem_counts(problems), **span)


def _write_status(ws: Worksheet, problems: pd.DataFrame, stale: dict[str, list], periods: list[str],
                  generated_at: str) -> None:
    header_row = _preamble(ws, t("fund.title.status"), [
        status_headline(problems, stale, periods),
        t("fund.status.explain", at=generated_at),
    ])
    labels = [*_col("period", "source", "dataset", "status", "file"), t("clock.col.arrived")]
    _header(ws, header_row, labels)
    row = header_row
    for r in problems.itertuples(index=False):
        row += 1
        for col, value in enumerate((r.period, r.source, _label("dataset", r.dataset),
                                     _label("state", r.state), r.file_name, local_time(r.arrived_at)), start=1):
            safe_text(ws.cell(row=row, column=col), value)
    last = row
    row += 2
    safe_text(ws.cell(row=row, column=1), t("fund.status.stale_title")).font = _BOLD
    row += 1
    safe_text(ws.cell(row=row, column=1), t("fund.status.stale_explain"))
    explain_row = row
    row += 1
    for col, label in enumerate(_col("period", "source", "status", "snapshot"), start=1):
        cell = safe_text(ws.cell(row=row, column=col), label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for period in periods:
        sources = stale.get(period, [])
        if not sources:
            row += 1
            safe_text(ws.cell(row=row, column=1), period)
            safe_text(ws.cell(row=row, column=3), t("fund.status.all_current"))
        for source, snapshot in sources:
            row += 1
            safe_text(ws.cell(row=row, column=1), period)
            safe_text(ws.cell(row=row, column=2), source)
            safe_text(ws.cell(row=row, column=3), t("fund.status.stale"))
            safe_text(ws.cell(row=row, column=4), snapshot or t("fund.status.never"))
    _finish_table(ws, header_row, len(labels), last, freeze_col=1,
                  widths={1: 12, 2: 14, 3: 16, 4: 24, 5: 34, 6: 28})
    _wrap_notes(ws, [explain_row], len(labels))
    ws.auto_filter.ref = None


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


def _write_chart(ws: Worksheet, periods: list[str], area_list, index: dict[_Key, _Rec], notes: list[str]) -> None:
    """For the region and each federation, a page of its own (portrait): its heading, the charts'
    numbers as a table, and the four charts below it, two by two. A suppressed or undefined value
    is an empty cell, drawn as a gap in the line."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.worksheet.pagebreak import Break

    notes = [*notes, t("fund.note.chart_gaps")]
    row = _preamble(ws, t("fund.title.chart"), notes)
    chart_list = charts()
    columns = [(ind, g, label) for _title, series, _rate in chart_list for ind, g, label in series]
    widths = {1: 12, **{c: _CHART_COLUMN_WIDTH for c in range(2, len(columns) + 2)}}
    _fit_columns(ws, row, 1 + len(columns), widths)
    # the right-hand chart starts at the first column past the left one's width
    left_edge, second_col = 0.0, 1
    while left_edge < _CHART_CM[0] + 0.3:
        left_edge += _column_cm(widths.get(second_col, _CHART_COLUMN_WIDTH))
        second_col += 1
    first_header = row
    for level, code, name in [a for a in area_list if a[0] in ("region", "federation")]:
        safe_text(ws.cell(row=row, column=1), area_label(code, name)).font = _TITLE
        header = row + 1
        _header(ws, header, ["Period", *(label for _i, _g, label in columns)])
        for r, period in enumerate(periods, start=header + 1):
            safe_text(ws.cell(row=r, column=1), period)
            for c, (ind, gender, _label) in enumerate(columns, start=2):
                rec = index.get((period, level, code, gender, ind))
                if rec is not None and not rec.suppressed and not is_missing(rec.value):
                    ws.cell(row=r, column=c, value=float(rec.value)).number_format = (
                        FORMAT_COUNT if ind == "EECO01" else FORMAT_RATE)
        last = header + len(periods)
        charts_row = last + 2
        col = 2
        for i, (title, series, rate) in enumerate(chart_list):
            chart = LineChart()
            chart.title = title
            chart.display_blanks = "gap"
            chart.y_axis.number_format = FORMAT_RATE if rate else FORMAT_COUNT
            chart.y_axis.delete = False
            chart.x_axis.delete = False
            if rate:
                chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
            chart.add_data(Reference(ws, min_col=col, max_col=col + len(series) - 1, min_row=header, max_row=last),
                           titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
            for s in chart.series:
                s.smooth = False  # monthly values: straight segments, no invented curve
            if len(series) == 1:
                chart.legend = None  # the title names the one line
            else:
                chart.legend.position = "b"
            chart.width, chart.height = _CHART_CM
            anchor_col = 1 if i % 2 == 0 else second_col
            ws.add_chart(chart, f"{get_column_letter(anchor_col)}{charts_row + (i // 2) * _CHART_ROWS}")
            col += len(series)
        row = charts_row + 2 * _CHART_ROWS
        ws.row_breaks.append(Break(id=row - 1))  # the next area starts a page: no chart is cut in two
    _wrap_notes(ws, range(2, first_header - 1), 1 + len(columns))
    ws.freeze_panes = ws.cell(row=first_header, column=2)
    _print_wide(ws, None)  # each page carries its own area's heading, never another area's
    ws.page_setup.orientation = "portrait"


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

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_ESF
    _write_esf(ws, latest, area_list, esf, index, notes)
    _write_series(wb.create_sheet(SHEET_SERIES), periods, area_list, esf, index, series_notes)
    _write_project(wb.create_sheet(SHEET_PROJECT), periods, area_list, project, index, series_notes)
    _write_status(wb.create_sheet(SHEET_STATUS, 1), problems, stale, periods, generated_at)
    _write_definitions(wb.create_sheet(SHEET_DEFINITIONS), catalogue, threshold, generated_at)
    _write_chart(wb.create_sheet(SHEET_CHART), periods, area_list, index, series_notes)

    path = Path(path)
    with atomic.atomic_path(path, mode=0o644, root=root) as tmp:
        wb.save(tmp)
    return path


__all__ = ["NOT_APPLICABLE", "SUPPRESSED", "safe_text", "write_fund_report"]
