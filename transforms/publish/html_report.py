"""Published layer: a self-contained HTML indicator report (``published/report/index.html``).

Built from the PUBLISHED tables only, at every publish. No network, no
scripts: each chart is hand-built inline SVG (a few lines of geometry are
lighter than a plotting stack in the lock). Every area (region, federations,
municipalities) has its charts and, beside them, its numbers as tables (ESF+
common indicators and the project's own, by gender, per period) written as
the report's language writes them; ``..`` is a suppressed cell, ``–`` a rate
over zero pupils, explained once at the top. A suppressed point is a gap in
its chart line. The data status (``dataset_status``) is on the first screen
and never says complete while a dataset is missing or rejected. Printable:
A4, each area from a new page. Swedish first; ``SAMLA_LANGUAGE=en`` gives English.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from transforms.clock import local_time
from transforms.messages import LANGUAGES, language, number, t
from transforms.publish import completeness
from transforms.publish.dictionary import GENDER_NAMES
from transforms.publish.report_text import area_label, is_esf, problem_counts

SUPPRESSED = ".."
NO_VALUE = "–"  # a rate over zero pupils: nothing to compute
TABLE_PERIODS = 12  # period columns per table: more would not fit an A4 page
COLOURS = {"all": "#1b1b1b", "female": "#c2185b", "male": "#1565c0", "nonbinary": "#ef8f00",
           "MOTIVATION_IMPROVED": "#2e7d32", "FUTURE_HOPE_IMPROVED": "#6a1b9a", "WELLBEING_IMPROVED": "#00838f",
           "ATTENDANCE_RATE": "#1565c0", "COMPLETION": "#2e7d32"}

DATASET_NAMES = {"participants": ("deltagare", "participants"), "attendance": ("närvaro", "attendance"),
                 "survey": ("enkät", "survey"), "activities": ("aktiviteter", "activities")}


def _t(key: str, lang: int, **kw) -> str:
    return t(f"report.{key}", lang=LANGUAGES[lang], **kw)


@dataclass
class Series:
    label: str
    colour: str
    values: list[float | None | str]  # a number, None (no value: rate over zero) or SUPPRESSED


# --------------------------------------------------------------------------- SVG

W, H = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 70


def _y_max(series: list[Series], rate: bool) -> float:
    if rate:
        return 1.0
    top = max((v for s in series for v in s.values if isinstance(v, float | int)), default=0)
    step = _nice_step(top / 4 if top else 1)
    return max(step * 4, step * -(-top // step))


def _nice_step(raw: float) -> float:
    magnitude = 10 ** len(str(int(max(raw, 1)))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def line_chart(chart_id: str, title: str, periods: list[str], series: list[Series], *, rate: bool,
               lang: str = "sv") -> str:
    """An inline SVG line chart; None or SUPPRESSED break the line, SUPPRESSED is marked ``..``."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    y_max = _y_max(series, rate)
    n = len(periods)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / y_max)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
             f'role="img" aria-label="{html.escape(title)}" class="chart" id="{chart_id}">']
    for k in range(5):  # horizontal grid and y labels
        level = y_max * k / 4
        label = number(level, percent=True, lang=lang) if rate else number(level, lang=lang)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(level):.1f}" y2="{y(level):.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(level) + 4:.1f}" class="ylab">{label}</text>')
    every = max(1, -(-n // 12))
    for i, period in enumerate(periods):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{H - BOTTOM + 16}" class="xlab">{period}</text>')
    for row, s in enumerate(series):
        runs, run = [], []
        for i, v in enumerate(s.values):
            if isinstance(v, float | int):
                run.append((x(i), y(float(v))))
            else:
                if run:
                    runs.append(run)
                run = []
                if v == SUPPRESSED:  # marked under the axis, one row per series
                    parts.append(f'<text x="{x(i):.1f}" y="{H - BOTTOM + 30 + 10 * row}" class="supp" '
                                 f'fill="{s.colour}"><title>{html.escape(s.label)} {periods[i]}: '
                                 f'{SUPPRESSED}</title>{SUPPRESSED}</text>')
        if run:
            runs.append(run)
        for r in runs:
            points = " ".join(f"{px:.1f},{py:.1f}" for px, py in r)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
            parts.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{s.colour}"/>' for px, py in r)
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{s.colour}"></i>{html.escape(s.label)}</span>' for s in series)
    return (f'<figure class="chart-box" data-chart="{chart_id}"><figcaption>{html.escape(title)}</figcaption>'
            f'{"".join(parts)}<div class="legend">{legend}</div></figure>')


# --------------------------------------------------------------------------- data


def _values(index: dict, periods: list[str], area: tuple[str, str], gender: str,
            indicator: str) -> list[float | None | str]:
    out: list[float | None | str] = []
    for p in periods:
        rec = index.get((p, area[0], area[1], gender, indicator))
        if rec is None or pd.isna(rec[0]) and not rec[1]:
            out.append(None)
        elif rec[1]:
            out.append(SUPPRESSED)
        else:
            out.append(float(rec[0]))
    return out


def area_charts(index: dict, periods: list[str], area: tuple[str, str], names: dict[str, tuple[str, str]],
                lang: int) -> list[str]:
    """The four charts of one area."""
    slug = area[1].lower()
    genders = [Series(GENDER_NAMES[g][lang], COLOURS[g], _values(index, periods, area, g, "EECO01"))
               for g in GENDER_NAMES]
    survey = [Series(names[c][lang], COLOURS[c], _values(index, periods, area, "all", c))
              for c in ("MOTIVATION_IMPROVED", "FUTURE_HOPE_IMPROVED", "WELLBEING_IMPROVED")]
    one = {c: [Series(names[c][lang], COLOURS[c], _values(index, periods, area, "all", c))]
           for c in ("ATTENDANCE_RATE", "COMPLETION")}
    language_code = LANGUAGES[lang]
    return [
        line_chart(f"{slug}-participants", _t("participants_chart", lang), periods, genders, rate=False, lang=language_code),
        line_chart(f"{slug}-attendance", _t("attendance_chart", lang), periods, one["ATTENDANCE_RATE"], rate=True, lang=language_code),
        line_chart(f"{slug}-survey", _t("survey_chart", lang), periods, survey, rate=True, lang=language_code),
        line_chart(f"{slug}-completion", _t("completion_chart", lang), periods, one["COMPLETION"], rate=True, lang=language_code),
    ]


def cell_text(value: float | None | str, kind: str, lang: str) -> str:
    """A published value as printed: ``1 234``, ``75,9 %`` (``1,234``, ``75.9%`` in English), ``..`` or ``–``."""
    if isinstance(value, str):  # SUPPRESSED, the one text a value can be
        return SUPPRESSED
    if value is None:
        return NO_VALUE
    return number(value, decimals=1, percent=True, lang=lang) if kind == "rate" else number(value, lang=lang)


def value_tables(index: dict, periods: list[str], area: tuple[str, str], group: str,
                 indicators: list[tuple[str, str, str]], lang: int) -> str:
    """One group's numbers for one area: a row per indicator and gender, a column per period
    (a further table for every TABLE_PERIODS periods). ``indicators`` are (code, name, kind)."""
    slug, language_code = area[1].lower(), LANGUAGES[lang]
    out = []
    for k in range(0, len(periods), TABLE_PERIODS):
        shown = periods[k:k + TABLE_PERIODS]
        table_id = f"table-{slug}-{group}" + (f"-{k // TABLE_PERIODS + 1}" if k else "")
        head = "".join(f'<th scope="col">{p}</th>' for p in shown)
        bodies = []
        for code, name, kind in indicators:
            rows = []
            for g, gender in enumerate(GENDER_NAMES):
                cells = "".join(f"<td>{cell_text(v, kind, language_code)}</td>"
                                for v in _values(index, shown, area, gender, code))
                label = (f'<th scope="rowgroup" rowspan="{len(GENDER_NAMES)}" class="ind">'
                         f'<b>{html.escape(code)}</b> {html.escape(name)}</th>') if g == 0 else ""
                rows.append(f'<tr data-gender="{gender}">{label}<th scope="row" class="g">'
                            f'{GENDER_NAMES[gender][lang]}</th>{cells}</tr>')
            bodies.append(f'<tbody data-indicator="{html.escape(code)}">{"".join(rows)}</tbody>')
        out.append(f'<table class="values" id="{table_id}" data-area="{area[0]}:{html.escape(area[1])}" '
                   f'data-group="{group}"><caption>{_t("table_" + group, lang)}</caption>'
                   f'<thead><tr><th scope="col">{_t("indicator", lang)}</th><th scope="col">{_t("gender", lang)}'
                   f'</th>{head}</tr></thead>{"".join(bodies)}</table>')
    return "".join(out)


def _ordered_areas(areas: pd.DataFrame) -> list[tuple[str, str, str, int]]:
    """(level, code, name, depth): the region, then each federation followed by its municipalities."""
    rows = [(str(r.area_level), str(r.area_code), "" if pd.isna(r.name) else str(r.name),
             None if pd.isna(r.parent_code) else str(r.parent_code)) for r in areas.itertuples(index=False)]
    out = [(lv, c, n, 0) for lv, c, n, _ in sorted(rows, key=lambda r: r[1]) if lv == "region"]
    for lv, c, n, _ in sorted(rows, key=lambda r: r[1]):
        if lv == "federation":
            out.append((lv, c, n, 1))
            out.extend((lv2, c2, n2, 2) for lv2, c2, n2, p2 in sorted(rows, key=lambda r: r[1])
                       if lv2 == "municipality" and p2 == c)
    placed = {(lv, c) for lv, c, _, _ in out}
    out.extend((lv, c, n, 2) for lv, c, n, _ in rows if (lv, c) not in placed)  # a municipality without federation
    return out


def _contents(areas: list[tuple[str, str, str, int]], lang: int) -> str:
    items = "".join(f'<li class="d{depth}"><a href="#area-{code.lower()}">{html.escape(area_label(code, name))}</a></li>'
                    for _level, code, name, depth in areas)
    return f'<nav class="toc"><h2>{_t("contents", lang)}</h2><ul>{items}</ul></nav>'


def _status_html(dataset_status: pd.DataFrame, periods: list[str], lang: int) -> str:
    problems = completeness.problems(dataset_status, periods)
    if problems.empty:
        return f'<p class="ok" id="status-line">{_t("complete", lang)}</p>'
    head = _t("incomplete", lang, problems=problem_counts(problems, LANGUAGES[lang]))
    rows = "".join(
        f"<tr class=\"{r.state}\"><td>{html.escape(str(r.period))}</td><td>{html.escape(str(r.source))}</td>"
        f"<td>{DATASET_NAMES.get(r.dataset, (r.dataset,) * 2)[lang]}</td><td>{_t(r.state, lang)}</td>"
        f"<td>{'' if pd.isna(r.file_name) else html.escape(str(r.file_name))}</td></tr>"
        for r in problems.itertuples(index=False))
    header = "".join(f"<th>{_t(k, lang)}</th>" for k in ("period", "source", "dataset", "state", "file"))
    # Rejected first in the visible table: those need someone to act.
    return (f'<p class="problem" id="status-line">{html.escape(head)}</p>'
            f'<div class="status-table"><table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table></div>')


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#123b5d;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;font-size:13px;opacity:.9}main{padding:12px 24px}
section.status{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 16px;margin-bottom:16px}
.ok{color:#1b5e20;font-weight:600}.problem{color:#b71c1c;font-weight:600}
.status-table{max-height:180px;overflow:auto}table{border-collapse:collapse;font-size:12px}
th,td{padding:2px 10px;text-align:left;border-bottom:1px solid #eee}tr.rejected td{color:#b71c1c}
h2{font-size:18px;margin:18px 0 6px}.grid-area{display:flex;flex-wrap:wrap;gap:12px}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:6px 8px}
figcaption{font-size:13px;font-weight:600;margin-bottom:2px}
.grid{stroke:#e3e3e3}.ylab{font-size:10px;text-anchor:end;fill:#555}.xlab{font-size:10px;text-anchor:middle;fill:#555}
.supp{font-size:13px;font-weight:700;text-anchor:middle}.legend{font-size:11px}
.legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
p.note{font-size:13px;color:#1b1b1b;background:#fff8e1;border:1px solid #ffe082;border-radius:6px;padding:8px 12px}
nav.toc ul{list-style:none;padding:0;margin:0;font-size:14px}nav.toc li{margin:2px 0}
nav.toc li.d1{margin-left:14px;font-weight:600}nav.toc li.d2{margin-left:32px}nav.toc a{color:#123b5d}
.tables{display:flex;flex-wrap:wrap;gap:12px;margin-top:12px;align-items:flex-start}
table.values{background:#fff;border:1px solid #ccc;font-size:12px;font-variant-numeric:tabular-nums}
table.values caption{text-align:left;font-weight:600;font-size:13px;padding:4px 0}
table.values th,table.values td{border-bottom:1px solid #e5e5e5;padding:2px 8px}
table.values thead th{background:#dde5f0;text-align:right;white-space:nowrap}table.values thead th:nth-child(-n+2){text-align:left}
table.values td{text-align:right;white-space:nowrap}table.values th.ind{font-weight:400;max-width:260px;vertical-align:top}
table.values th.g{font-weight:400;color:#444;white-space:nowrap}table.values tbody{border-top:2px solid #bbb}
@page{size:A4;margin:12mm}
@media print{body{background:#fff}header{background:none;color:#000;padding:0 0 8px}main{padding:0}
section.area{break-before:page}.status-table{max-height:none;overflow:visible}
.grid-area{gap:6px}figure{break-inside:avoid;width:48%;border:none;padding:0}svg.chart{width:100%;height:auto}
table.values{break-inside:auto;font-size:10px}table.values th,table.values td{padding:1px 6px}table.values tbody{break-inside:avoid}table.values caption{break-after:avoid}}
"""


def render(*, indicator_values: pd.DataFrame, dataset_status: pd.DataFrame, areas: pd.DataFrame,
           indicators: pd.DataFrame, periods: list[str], generated_at: datetime | str, threshold: int,
           lang: int | None = None) -> str:
    """The report as one HTML string (inline CSS and SVG; no script, no external reference);
    ``generated_at`` (aware, or stored ISO text) is shown in Swedish time."""
    lang = LANGUAGES.index(language()) if lang is None else lang
    if "persons" in indicator_values.columns:
        raise ValueError("the HTML report is built from the published table, not the restricted one")
    index = {(r.period, r.area_level, r.area_code, r.gender, r.indicator): (r.value, bool(r.suppressed))
             for r in indicator_values.itertuples(index=False) if r.period in set(periods)}
    names = {r.indicator: (r.name_sv, r.name_en) for r in indicators.itertuples(index=False)}
    kinds = dict(zip(indicators.indicator, indicators.kind, strict=True))
    groups: dict[str, list[tuple[str, str, str]]] = {"esf": [], "project": []}
    for code in indicators.indicator:
        groups["esf" if is_esf(code) else "project"].append((code, names[code][lang], kinds[code]))
    ordered = _ordered_areas(areas)
    sections = []
    for level, code, name, _depth in ordered:
        charts = "".join(area_charts(index, periods, (level, code), names, lang))
        tables = "".join(value_tables(index, periods, (level, code), group, members, lang)
                         for group, members in groups.items() if members)
        sections.append(f'<section class="area" id="area-{code.lower()}" data-level="{level}">'
                        f'<h2>{html.escape(area_label(code, name))}</h2><div class="grid-area">{charts}</div>'
                        f'<div class="tables">{tables}</div></section>')
    from transforms.config.project import current_project

    title = html.escape(_t("title", lang, project=current_project().name))  # the project file names it
    generated = t("clock.at", lang=LANGUAGES[lang], at=local_time(generated_at))
    return (
        f'<!DOCTYPE html><html lang="{"sv" if lang == 0 else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        f'<style>{CSS}</style></head><body><header><h1>{title}</h1>'
        f'<p>{_t("generated", lang, at=html.escape(generated), first=periods[0], last=periods[-1])}</p></header>'
        f'<main><section class="status"><h2>{_t("status", lang)}</h2>'
        f'{_status_html(dataset_status, periods, lang)}</section>'
        f'<p class="note" id="signs">{html.escape(_t("legend_suppressed", lang, t=threshold))}</p>'
        f'{_contents(ordered, lang)}{"".join(sections)}</main></body></html>'
    )


def write_html_report(out_dir: Path, *, root: Path | None = None, **kwargs) -> Path:
    """Write ``<out_dir>/index.html`` atomically (inside the data folder ``root`` when given) and return its path."""
    from transforms import atomic

    return atomic.write_text(Path(out_dir) / "index.html", render(**kwargs), root=root)
