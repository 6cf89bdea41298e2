"""The fund report workbook as a reader sees it, cell by cell, against a stored reference: the
description of the workbooks the openpyxl writer made before xlsxwriter replaced it (the two
writers were compared cell by cell on these cases and on the full project before it was removed).

``describe`` reads a workbook with openpyxl (and its drawing XML for the charts' anchors) into
plain data: every sheet in order, every cell's value, type, number format, bold, font size, fill,
alignment, wrap and quote prefix, merged ranges, column widths, row heights, freeze panes, print
settings (paper, orientation, fit to page, margins, repeated rows, print area), the filter, page
breaks, and each chart's anchor, size, title, series, axes and legend.

What a reader can tell apart but no one looking at the workbook can, is described the same way:
a bold font written without a size is the default 11 points; an empty text cell is an empty cell; a row
15 points high is a row of the default height; columns of one width are the same stored as a
range or one by one; a fill colour is its six RGB digits
(xlsxwriter writes the alpha byte FF, openpyxl 00, which Excel ignores); a chart reference is the
cell it names (absolute or not, the sheet name quoted or not); an axis without a ``delete`` element
is shown, and one with the number format General has none of its own; a chart anchored to one cell and one anchored to two cells
"as one cell" both move with their cell and keep their size; a series without a ``smooth``
element is not smoothed, as one with ``smooth val=0``; a page setup without ``fitToWidth`` fits
to one page wide (the OOXML default); a chart's size is compared to a pixel, which xlsxwriter
rounds to (12 × 6.5 cm is 453.5 × 245.7 pixels).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from tests.publish.test_fund_report import EVIL_AREA, published, status
from transforms.publish import fund_report
from transforms.publish.warehouse import areas_frame, indicators_dimension

_XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EMU_PER_PIXEL = 9525
DEFAULT_ROW_HEIGHT = 15.0


def _rgb(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return rgb[-6:].upper() if isinstance(rgb, str) else None


def _cell(c) -> tuple | None:
    font, fill, align = c.font, c.fill, c.alignment
    desc = (
        c.value, type(c.value).__name__, None if c.value is None else c.data_type, c.number_format,
        bool(font.b), font.sz or 11.0,
        _rgb(fill.fgColor) if fill.fill_type == "solid" else None,
        align.horizontal, align.vertical, bool(align.wrap_text), bool(c.quotePrefix),
    )
    blank = (None, "NoneType", None, "General", False, 11.0, None, None, None, False, False)
    return None if desc == blank else desc


def _ref(formula: Any) -> str | None:
    return None if formula is None else re.sub(r"^'([^']*)'!", r"\1!", str(formula.f).replace("$", ""))


def _chart(chart) -> dict[str, Any]:
    def axis(ax) -> dict[str, Any]:
        num_format = ax.numFmt.formatCode if getattr(ax, "numFmt", None) else None
        return {"delete": bool(ax.delete), "major_tick": ax.majorTickMark, "minor_tick": ax.minorTickMark,
                "min": ax.scaling.min, "max": ax.scaling.max,
                "num_format": None if num_format == "General" else num_format,
                "gridlines": ax.majorGridlines is not None}

    series = []
    for s in chart.series:
        cat = s.cat.numRef or s.cat.strRef
        series.append({"name": _ref(s.tx.strRef), "categories": _ref(cat), "values": _ref(s.val.numRef),
                       "smooth": bool(s.smooth), "marker": s.marker.symbol if s.marker else None,
                       "dash": s.spPr.ln.prstDash if s.spPr is not None and s.spPr.ln is not None else None})
    return {
        "kind": chart.tagname, "title": "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or [])),
        "series": series, "x_axis": axis(chart.x_axis), "y_axis": axis(chart.y_axis),
        "legend": None if chart.legend is None else chart.legend.position,
        "blanks": chart.display_blanks, "grouping": chart.grouping,
    }


def _anchors(path: Path, ws) -> list[list]:
    """Each chart of the drawing of ``ws``: its top-left cell (column, row from 0), whether it resizes
    with its cells, and its size in pixels (from its extent, or from the cells it spans)."""
    widths = {get_column_letter(c): d.width for d in ws.column_dimensions.values() if d.customWidth
              for c in range(d.min, d.max + 1)}

    def col_px(col: int) -> int:
        return round(widths.get(get_column_letter(col + 1), 64 / 7) * 7)

    def row_px(row: int) -> int:
        height = ws.row_dimensions[row + 1].height if row + 1 in ws.row_dimensions else None
        return round((height or DEFAULT_ROW_HEIGHT) * 4 / 3)

    def corner(element) -> list[int]:
        return [int(element.find(f"{_XDR}{k}").text or 0) for k in ("col", "colOff", "row", "rowOff")]

    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("xl/drawings/drawing")):
            for anchor in ElementTree.fromstring(z.read(name)):
                col, col_off, row, row_off = corner(anchor.find(f"{_XDR}from"))
                ext = anchor.find(f"{_XDR}ext")
                if ext is not None:
                    size = [round(int(ext.get("cx", 0)) / EMU_PER_PIXEL), round(int(ext.get("cy", 0)) / EMU_PER_PIXEL)]
                else:
                    col2, col2_off, row2, row2_off = corner(anchor.find(f"{_XDR}to"))
                    size = [sum(col_px(c) for c in range(col, col2)) + round((col2_off - col_off) / EMU_PER_PIXEL),
                            sum(row_px(r) for r in range(row, row2)) + round((row2_off - row_off) / EMU_PER_PIXEL)]
                resizes = anchor.tag == f"{_XDR}twoCellAnchor" and anchor.get("editAs", "twoCell") == "twoCell"
                out.append([col, row, resizes, *size])
    return out


def describe(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames, "anchors": _anchors(path, wb["Diagram"])}
    for ws in wb.worksheets:
        merged = sorted(str(r) for r in ws.merged_cells.ranges)
        hidden = set()
        for ref in merged:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            hidden |= {(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}
            hidden.discard((min_row, min_col))
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                desc = None if (c.row, c.column) in hidden else _cell(c)
                if desc is not None:
                    cells[c.coordinate] = desc
        setup, margins = ws.page_setup, ws.page_margins
        out[ws.title] = {
            "cells": cells,
            "merged": merged,
            "widths": {get_column_letter(c): d.width for d in ws.column_dimensions.values() if d.customWidth
                       for c in range(d.min, d.max + 1)},
            "heights": {k: d.height for k, d in sorted(ws.row_dimensions.items())
                        if d.height is not None and d.height != DEFAULT_ROW_HEIGHT},
            "freeze": ws.freeze_panes,
            "print": {
                "paper": str(setup.paperSize), "orientation": setup.orientation,
                "fit_width": int(setup.fitToWidth if setup.fitToWidth is not None else 1),
                "fit_height": int(setup.fitToHeight if setup.fitToHeight is not None else 1),
                "fit_to_page": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
                "margins": (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer),
                "title_rows": str(ws.print_title_rows) if ws.print_title_rows else None,
                "area": str(ws.print_area) if ws.print_area else None,
            },
            "filter": ws.auto_filter.ref,
            "row_breaks": [b.id for b in ws.row_breaks.brk],
            "charts": [_chart(c) for c in ws._charts],
        }
    return out


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}/{k}: only in {'the first' if k in a else 'the second'} ({(a | b)[k]!r})"
               for k in sorted(set(a) ^ set(b), key=str)]
        for k in sorted(set(a) & set(b), key=str):
            out += _differences(a[k], b[k], f"{where}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


AREAS = ("FOKUS", "SJUHARAD", "1463", "1442")  # the region, a federation and its two municipalities
REFERENCE = Path(__file__).with_name("fund_report_reference.json.gz")


def _inputs(periods: list[str], seed: int, problems: bool) -> dict[str, Any]:
    areas = areas_frame()
    areas = areas[areas.area_code.isin(AREAS)].reset_index(drop=True)
    areas.loc[areas.area_code == "1442", "name"] = EVIL_AREA
    values = published(periods, seed=seed)
    dataset_status = None
    if problems:
        dataset_status = pd.DataFrame(
            [(p, s, d, "delivered", f"{d}_{p}.csv", "2025-04-01T06:00:00+00:00")
             for p in periods for s in ("1480", "kfv") for d in ("participants", "attendance", "survey")]
            + [(periods[-1], "kfv", "activities", "rejected", "=cmd|' /C calc'!A0", "2025-03-03T07:00:00+00:00"),
               (periods[-1], "1480", "activities", "missing", None, None)],
            columns=["period", "source", "dataset", "state", "file_name", "arrived_at"])
    return {"indicator_values": values[values.area_code.isin(AREAS)].reset_index(drop=True),
            "source_status": status(periods), "areas": areas, "indicators": indicators_dimension(),
            "periods": periods, "generated_at": datetime(2025, 4, 2, 6, tzinfo=UTC), "dataset_status": dataset_status}


CASES = {  # name: periods, seed of the numbers, problems listed, language
    "two periods, problems listed": (["2025-01", "2025-02"], 0, True, "sv"),
    "English, nothing known delivered": (["2025-01"], 7, False, "en"),
}


def _described(case: str, folder: Path) -> dict[str, Any]:
    """The report of ``case`` as ``describe`` sees it, in the JSON form of the reference."""
    periods, seed, problems, lang = CASES[case]
    os.environ["SAMLA_LANGUAGE"] = lang
    path = fund_report.write_fund_report(folder / f"{seed}.xlsx", **_inputs(periods, seed, problems))
    return json.loads(json.dumps(describe(path), ensure_ascii=False))


@pytest.mark.parametrize("case", list(CASES))
def test_report_reads_as_the_reference(case, tmp_path, monkeypatch):
    """The reference was made by the openpyxl writer this one replaced, and the two were found the same
    cell by cell then (on these cases and on the full project: fifteen areas, three periods)."""
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")  # restored afterwards; _described sets the case's
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        reference = json.load(handle)[case]
    described = _described(case, tmp_path)
    assert len(reference["Diagram"]["charts"]) == 4 * 2 and reference["anchors"]
    assert sum(len(reference[s]["cells"]) for s in reference["sheets"]) > 500
    differences = _differences(reference, described)
    assert not differences, "\n".join(differences[:40])


def write_reference() -> None:
    """``uv run python -m tests.publish.test_fund_report_workbook``: the reference from the current writer,
    for a change of the report that is meant (look at the workbook first)."""
    with tempfile.TemporaryDirectory() as folder:
        described = {case: _described(case, Path(folder)) for case in CASES}
    text = json.dumps(described, ensure_ascii=False, sort_keys=True, indent=0)
    REFERENCE.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__":
    write_reference()
