"""Steward pages: one plain HTML page per checked file, and one per source listing its files.

The page a steward reads after a delivery (the e-mail links to it): the file's
name, source, dataset, period and arrival, its status in words and what that
means for the published numbers, and each broken rule once, in the file's own
column headers, with the rows as numbered in the file, the values as delivered
and what is accepted. GX's Data Docs page stays the technical report, linked
from here.

Safe and self-contained, like the Data Docs pages: every text from a delivery
is masked (``mask_in_text``: any personnummer form, in any column) and escaped;
no script, no stylesheet, font or image from anywhere (inline CSS only); a
phone's width and a printer are both fine.

``render_file_page`` is pure (the pre-delivery check renders with it too);
``write_file_page`` and ``write_source_page`` store pages under
``steward_pages/<source>/``.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import atomic
from transforms.clock import local_time
from transforms.config.schema import (
    DATASET_COLUMNS,
    DATASETS,
    FALSE_LABELS,
    TRUE_LABELS,
)
from transforms.config.sources import Source
from transforms.ingest.accepted import accepted_codes
from transforms.ingest.explain import CASCADE_RULE, cascade_roots
from transforms.ingest.file_context import FileContext
from transforms.ingest.ledger import Ledger, LedgerRecord
from transforms.messages import language, number, t
from transforms.messages.steward_words import dataset_name, rule_title, written_date_format
from transforms.names import shown
from transforms.privacy.personnummer import mask_in_text
from transforms.values import is_missing

FOLDER = "steward_pages"  # under the data folder, beside data_docs/
MAX_ROWS = 100  # rows listed in a rule's table; the rest by number
MAX_NUMBERS = 500  # row numbers listed after the table; the rest counted
_PSEUDONYM = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_PERSON_COLUMNS = {"person", "person_id"}

STYLE = """<style>
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;max-width:60rem;
padding:1rem;color:#1b1f23;background:#fff;line-height:1.45;font-size:16px}
h1{font-size:1.35rem;margin:.2rem 0 .8rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:1.4rem 0 .5rem}
h3{font-size:1.02rem;margin:1.1rem 0 .3rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;margin:0 0 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.status{border-left:.4rem solid #6c757d;background:#f3f4f6;padding:.6rem .9rem;margin:1rem 0;border-radius:.2rem}
.status strong{font-size:1.08rem}.loaded{border-color:#1a7f37}.loaded_with_quarantine{border-color:#bf8700}
.rejected{border-color:#cf222e}.status p{margin:.3rem 0}
.rule{border:1px solid #d0d7de;border-radius:.3rem;padding:.3rem .9rem .7rem;margin:.9rem 0;break-inside:avoid}
.accepted{background:#eef6ee;padding:.3rem .6rem;border-radius:.2rem}
.cascade{background:#fff8e6;padding:.3rem .6rem;border-radius:.2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
a{color:#0550ae}footer{margin-top:2rem;color:#57606a;font-size:.9rem}
@media (max-width:36rem){body{padding:.6rem;font-size:15px}dl.facts{grid-template-columns:1fr}
dl.facts dd{margin-bottom:.3rem}th,td{padding:.25rem .3rem}
table.files thead{display:none}table.files tr{display:block;border-bottom:1px solid #d0d7de;padding:.4rem 0}
table.files td{display:block;border:0;padding:.05rem .3rem}
table.files td::before{content:attr(data-label) ": ";font-weight:600}table.files td:first-child::before{content:""}}
@media print{body{max-width:none;padding:0;font-size:11pt;color:#000}a{color:#000;text-decoration:none}
.rule,.status{break-inside:avoid}.scroll{overflow:visible}nav{display:none}}
</style>"""


# --- text from a delivery: masked, then escaped ------------------------------------------------


def _text(value: Any, lang: str | None = None) -> str:
    """A delivered text as a person may read it: no personnummer (any form), no pseudonym, no control
    character; not yet escaped."""
    if is_missing(value):
        return ""
    return _PSEUDONYM.sub(t("page.hidden_pseudonym", lang=lang), shown(mask_in_text(str(value))))


def _h(value: Any, lang: str | None = None) -> str:
    return html.escape(_text(value, lang), quote=True)


# --- what a column accepts ---------------------------------------------------------------------


def _kind(dataset: str, column: str) -> str:
    if column == "kommunkod":
        return "kommunkod"
    return next((c.kind for c in DATASET_COLUMNS.get(dataset, ()) if c.name == column), "")


@cache
def _suites() -> dict[str, list[dict[str, Any]]]:
    suites = {}
    for path in files("expectations").iterdir():
        if path.name.endswith(".json"):
            suites[path.name.removesuffix(".json")] = json.loads(path.read_text(encoding="utf-8"))["expectations"]
    return suites


def _bound(value: Any, parameters: dict[str, Any], lang: str) -> str | None:
    if isinstance(value, dict):
        value = parameters.get(value.get("$PARAMETER", ""))
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, int | float):
        return number(value, decimals=0 if float(value).is_integer() else 1, lang=lang)
    return str(value)


def _ranges(source: Source, dataset: str, column: str, rule: str | None, period: str | None,
            lang: str) -> list[str]:
    """The bounds the rule's expectations set on ``column``, in words (dates and counts)."""
    if not rule or not period:
        return []
    from transforms.ingest.validate import parameters_for
    from transforms.period import Period

    parsed = Period.parse(period)
    parameters = parameters_for(parsed.first_day, parsed.last_day, period, source.municipalities)
    found = []
    for expectation in _suites().get(dataset, []):
        kwargs, meta = expectation.get("kwargs", {}), expectation.get("meta", {})
        if meta.get("rule") != rule or kwargs.get("column") != column:
            continue
        if expectation["type"] == "expect_column_values_to_be_between":
            low = _bound(kwargs.get("min_value"), parameters, lang)
            high = _bound(kwargs.get("max_value"), parameters, lang)
            if low is not None and high is not None:
                key = "page.accept.above_upto" if kwargs.get("strict_min") else "page.accept.between"
                found.append(t(key, low=low, high=high, lang=lang))
            elif low is not None:
                found.append(t("page.accept.from", low=low, lang=lang))
            elif high is not None:
                found.append(t("page.accept.upto", high=high, lang=lang))
        elif expectation["type"] == "expect_column_values_to_be_in_set" and column == "month":
            found.append(t("page.accept.period", period=period, lang=lang))
    return found


def accepted_for(source: Source, dataset: str, column: str | None, *, rule: str | None = None,
                 period: str | None = None, lang: str | None = None) -> str:
    """What a file of ``source`` may write in ``column`` (canonical name) of ``dataset``, in words; with
    ``rule`` and ``period``, the bounds that rule sets for the period too. '' when there is nothing to
    tell (a column of several, a free text)."""
    lang = language(lang)
    if not column or "," in column or dataset not in source.datasets:
        return ""
    config = source.datasets[dataset]
    kind = _kind(dataset, column)
    parts: list[str] = []
    if kind == "code":
        parts.append(t("page.accept.codes", codes=accepted_codes(config, column, lang), lang=lang))
    elif kind == "kommunkod":
        parts.append(t("page.accept.kommunkod", codes=", ".join(source.municipalities), lang=lang))
    elif kind == "wave":
        parts.append(t("page.accept.wave", lang=lang))
    elif kind == "date":
        parts.append(t("page.accept.date", format=written_date_format(config.format.date_format, lang), lang=lang))
    elif kind == "month":
        parts.append(t("page.accept.month", lang=lang))
    elif kind in ("integer", "number"):
        parts.append(t(f"page.accept.{kind}", lang=lang))
    elif kind == "boolean":
        own = config.codes.get(column, {})
        labels = [f"{yes}/{no}" for yes, no in (("1", "0"), ("ja", "nej"), ("j", "n"))]
        labels += [f"{label}" for label in own if label not in TRUE_LABELS | FALSE_LABELS]
        if config.format.checkbox_booleans:
            labels.append("x")
        parts.append(t("page.accept.boolean", labels=", ".join(labels), lang=lang))
    elif kind == "person":
        parts.append(t("page.accept.person", lang=lang))
    parts += _ranges(source, dataset, column, rule, period, lang)
    return ", ".join(parts)


# --- one file's page ---------------------------------------------------------------------------


def _page(title: str, body: list[str], lang: str) -> str:
    return ("<!DOCTYPE html>\n"
            f'<html lang="{t("page.lang", lang=lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex">'
            f"<title>{title}</title>{STYLE}</head>\n<body>\n" + "\n".join(p for p in body if p) + "\n</body></html>\n")


def _meaning(status: str, read: int, accepted: int, held: int, check: bool, lang: str) -> str:
    key = f"page.check.meaning.{status}" if check else f"page.meaning.{status}"
    return t(key, n=read, accepted=number(accepted, lang=lang), held=number(held, lang=lang), lang=lang)


def _value_cell(row: dict[str, Any], lang: str) -> str:
    columns = set((row.get("column") or "").split(","))
    if columns & _PERSON_COLUMNS:  # a personnummer, or a pseudonym under the key: never shown
        return html.escape(t("value.hidden_person", lang=lang))
    value = _h(row.get("value"), lang)
    return value if value else html.escape(t("page.empty", lang=lang))


def _row_number(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _rule_section(ctx: FileContext, rule: str, column: str | None, header: str, rows: list[dict[str, Any]],
                  roots: dict[int, dict], root_hrefs: dict[int, str], lang: str) -> str:
    numbered = sorted({n for n in (_row_number(r["source_row"]) for r in rows) if n is not None})
    title = rule_title(rule, lang)
    head = f"{html.escape(title)}: {_h(header, lang)}" if header else html.escape(title)
    parts = [f'<section class="rule" id="rule-{html.escape(rule)}-{html.escape(column or "", quote=True)}">',
             f"<h3>{head} <small>({t('page.problem_rows', n=len(numbered), lang=lang)})</small></h3>"]
    accepted = accepted_for(ctx.source, ctx.dataset, column, rule=rule, period=ctx.period, lang=lang)
    if accepted:
        parts.append(f'<p class="accepted"><b>{t("page.accepted", lang=lang)}</b> {_h(accepted, lang)}</p>')
    lines = []
    for row in rows[:MAX_ROWS]:
        n = _row_number(row["source_row"])
        problem = _h(row.get("description"), lang)
        root = roots.get(n) if rule == CASCADE_RULE and n is not None else None
        if root is not None and n is not None:
            where = _h(root.get("file_name"), lang)
            href = root_hrefs.get(n)
            if href:
                where = f'<a href="{html.escape(href, quote=True)}">{where}</a>'
            problem += "<br>" + t("page.cascade", file=where, period=_h(root.get("period"), lang),
                                  row=_h(root.get("source_row"), lang), problem=_h(root.get("description"), lang),
                                  lang=lang)
        lines.append(f'<tr id="row-{n if n is not None else ""}"><td class="num">{"" if n is None else n}</td>'
                     f"<td>{_value_cell(row, lang)}</td><td>{problem}</td></tr>")
    parts.append('<div class="scroll"><table><thead><tr>'
                 + "".join(f"<th>{t(h, lang=lang)}</th>" for h in ("page.col.row", "page.col.value", "page.col.problem"))
                 + "</tr></thead><tbody>" + "".join(lines) + "</tbody></table></div>")
    rest = rows[MAX_ROWS:]
    if rest:
        more = sorted({n for n in (_row_number(r["source_row"]) for r in rest) if n is not None})
        listed = ", ".join(map(str, more[:MAX_NUMBERS]))
        if len(more) > MAX_NUMBERS:
            listed += " " + t("page.and_more", n=len(more) - MAX_NUMBERS, lang=lang)
        parts.append(f"<p>{html.escape(t('page.more_rows', rows=listed, lang=lang))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _problems(ctx: FileContext, result, roots: dict[int, dict], root_hrefs: dict[int, str], lang: str) -> list[str]:
    """Each broken rule once, by column, in the file's row order; rows held only with a rejected file counted."""
    quarantine = result.quarantine
    if quarantine is None or quarantine.empty:
        return []
    records = quarantine.to_dict("records")
    own = [r for r in records if not (result.status == "rejected" and r.get("rule") == result.rule
                                      and is_missing(r.get("column")))]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in own:
        column = "" if is_missing(r.get("column")) else str(r["column"])
        groups.setdefault((str(r["rule"]), column), []).append(r)
    sections = [_rule_section(ctx, rule, column or None, _text(rows[0].get("header"), lang) or column,
                              rows, roots, root_hrefs, lang)
                for (rule, column), rows in groups.items()]
    if result.status == "rejected":
        all_rows = {_row_number(r["source_row"]) for r in records} - {None}
        faulty = {_row_number(r["source_row"]) for r in own} - {None}
        held = len(all_rows - faulty)
        if held and not own:
            sections.append(f"<p>{html.escape(t('page.held_with_file', n=held, lang=lang))}</p>")
        elif held:
            sections.append(f"<p>{html.escape(t('page.held_others', n=held, lang=lang))}</p>")
    return sections


def render_file_page(ctx: FileContext, result, *, arrived_at: Any = None, data_docs_href: str | None = None,
                     roots: dict[int, dict] | None = None, lang: str | None = None, check: bool = False,
                     source_index_href: str | None = None, root_hrefs: dict[int, str] | None = None) -> str:
    """One checked file's page (a complete HTML document) from what ``evaluate_file`` returned.

    ``roots``: row number in this file -> the participants quarantine row behind its cascade (as
    ``explain.cascade_roots`` finds it), ``root_hrefs`` a link to that row's page per row number.
    ``check``: a pre-delivery check (nothing stored): the verdict says what a delivery would do.
    ``arrived_at`` a stored UTC stamp (shown in local time); ``data_docs_href`` the technical report.
    """
    lang = language(lang)
    roots, root_hrefs = roots or {}, root_hrefs or {}
    name = _h(ctx.file_name, lang) or "?"
    dataset = dataset_name(ctx.dataset, lang)
    facts = [("page.field.source", _h(ctx.source.label, lang)),
             ("page.field.dataset", _h(dataset, lang)),
             ("page.field.period", _h(ctx.period, lang) or html.escape(t("page.no_period", lang=lang)))]
    arrived = local_time(arrived_at) if arrived_at is not None else ""
    if arrived:
        facts.append(("page.field.arrived", html.escape(arrived)))
    read, accepted, held = result.rows_read, result.rows_accepted, result.rows_quarantined
    facts.append(("page.field.rows", html.escape(t("page.rows", read=number(read, lang=lang),
                                                     accepted=number(accepted, lang=lang),
                                                     held=number(held, lang=lang), lang=lang))))
    status = result.status
    words = t(f"page.check.{status}" if check else f"page.status.{status}", lang=lang)
    body = [f"<h1>{name}</h1>",
            '<dl class="facts">' + "".join(f"<dt>{t(k, lang=lang)}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>",
            f'<div class="status {status}"><strong>{html.escape(words)}</strong>'
            f"<p>{html.escape(_meaning(status, read, accepted, held, check, lang))}</p>"
            + (f"<p><b>{t('page.why', lang=lang)}</b> {_h(result.message, lang)}</p>"
               if status == "rejected" and result.message else "")
            + (f"<p>{t('page.check.note', lang=lang)}</p>" if check else "") + "</div>"]
    if result.warnings:
        body.append(f"<h2>{t('page.warnings', lang=lang)}</h2><ul>"
                    + "".join(f"<li>{_h(w, lang)}</li>" for w in result.warnings) + "</ul>")
    sections = _problems(ctx, result, roots, root_hrefs, lang)
    if sections:
        body.append(f"<h2>{t('page.problems', lang=lang)}</h2><p>{t('page.rows_note', lang=lang)}</p>")
        body += sections
    elif status != "rejected":
        body.append(f"<p>{t('page.no_problems', lang=lang)}</p>")
    links = []
    if data_docs_href:
        links.append(f'<a href="{html.escape(data_docs_href, quote=True)}">{t("page.technical", lang=lang)}</a>')
    if source_index_href:
        links.append(f'<a href="{html.escape(source_index_href, quote=True)}">'
                     f'{html.escape(t("page.source_index", source=_text(ctx.source.label, lang), lang=lang))}</a>')
    if links:
        body.append("<nav><p>" + " · ".join(links) + "</p></nav>")
    body.append(f"<footer>{html.escape(t('page.made', at=local_time(datetime.now(UTC)), lang=lang))}</footer>")
    return _page(html.escape(t("page.title", file=_text(ctx.file_name, lang) or "?", lang=lang)), body, lang)


# --- stored pages ------------------------------------------------------------------------------


def file_page_path(data_dir: Path, source: str, dataset: str, period: str, sha256: str) -> Path:
    """One page per delivered file (a re-check of it renews the page)."""
    return Path(data_dir) / FOLDER / source / (period or "_") / f"{dataset}-{sha256[:12]}.html"


def source_page_path(data_dir: Path, source: str) -> Path:
    return Path(data_dir) / FOLDER / source / "index.html"


def _href(target: Path, page: Path) -> str:
    """``target`` as a link from ``page``: relative, so the pages work wherever the data folder is served."""
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _roots(result, source_quarantine: pd.DataFrame | None) -> dict[int, dict]:
    """Row number in the file -> the participants row behind its cascade."""
    rows = result.quarantine
    if source_quarantine is None or source_quarantine.empty or rows is None or "person" not in rows.columns:
        return {}
    found = cascade_roots(rows, source_quarantine)
    return {int(rows.at[i, "source_row"]): root for i, root in found.items() if not is_missing(rows.at[i, "source_row"])}


def write_file_page(data_dir: Path, ctx: FileContext, result, *, arrived_at: Any = None, data_docs: str = "",
                    source_quarantine: pd.DataFrame | None = None, lang: str | None = None) -> str:
    """Write one checked file's page; its path relative to ``data_dir``. ``data_docs`` is the file's
    Data Docs page (relative to ``data_dir``); ``source_quarantine`` (the source's whole quarantine) finds
    the participants rows behind cascades."""
    data_dir = Path(data_dir)
    page = file_page_path(data_dir, ctx.source.id, ctx.dataset, ctx.period, ctx.file_sha256)
    roots = _roots(result, source_quarantine)
    root_hrefs = {}
    for n, root in roots.items():
        if root.get("file_sha256"):
            target = file_page_path(data_dir, ctx.source.id, "participants", root.get("period") or "",
                                    str(root["file_sha256"]))
            root_hrefs[n] = f"{_href(target, page)}#row-{root['source_row']}"
    text = render_file_page(ctx, result, arrived_at=arrived_at, lang=lang, roots=roots, root_hrefs=root_hrefs,
                            data_docs_href=_href(data_dir / data_docs, page) if data_docs else None,
                            source_index_href=_href(source_page_path(data_dir, ctx.source.id), page))
    atomic.write_text(page, text, root=data_dir)
    return page.relative_to(data_dir).as_posix()


@dataclass(frozen=True)
class RecordResult:
    """A ledger record in the shape of a check's result: a file rejected before any of it was read
    (its name, its place in the landing folder) has no rows and no quarantine."""

    status: str
    message: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    warnings: tuple[str, ...] = ()
    rule: str = ""
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def of(cls, record: LedgerRecord) -> RecordResult:
        return cls(record.status, record.message, record.rows_read, record.rows_accepted, record.rows_quarantined,
                   record.warnings, record.rule)


def write_record_page(data_dir: Path, source: Source, record: LedgerRecord, lang: str | None = None) -> str:
    """The page of a file known only by its ledger record (rejected unread); its path relative to ``data_dir``."""
    ctx = FileContext(source, record.dataset, record.period, record.file_name, record.file_sha256)
    return write_file_page(data_dir, ctx, RecordResult.of(record), arrived_at=record.arrived_at, lang=lang)


# --- the source's page -------------------------------------------------------------------------


def _counts(frame: pd.DataFrame) -> dict[Any, str]:
    """Index of each record -> which 'counts' text it gets: per dataset and period, the newest loaded
    delivery counts (a rejected file changes nothing)."""
    return _count_texts(list(zip(frame.index, frame.to_dict("records"), strict=True)))


def _newest(records: list[tuple[Any, dict[str, Any]]]) -> dict[tuple[Any, ...], Any]:
    """(source, dataset, period) -> index of its newest arrival (``explain.newest_deliveries`` of records
    that all name a period; on a tie in arrival, the later record)."""
    found = {}
    for index, r in sorted(records, key=lambda ir: ir[1]["arrived_at"]):
        found[(r["source"], r["dataset"], r["period"])] = index
    return found


def _count_texts(records: list[tuple[Any, dict[str, Any]]]) -> dict[Any, str]:
    # Plain records rather than frames: a source's few records paid pandas' fixed cost per step.
    dated = [(i, r) for i, r in records if not is_missing(r["period"]) and r["period"] != ""
             and r["dataset"] in DATASETS]
    newest = set(_newest(dated).values())
    counting = _newest([(i, r) for i, r in dated if r["status"] != "rejected"])
    counted_keys = {(dataset, period) for _, dataset, period in counting}
    counting_rows, dated_rows = set(counting.values()), {i for i, _ in dated}
    found: dict[Any, str] = {}
    for index, row in records:
        if index in counting_rows:
            found[index] = "page.counts.yes"
        elif row["status"] != "rejected" and index in dated_rows:
            found[index] = "page.counts.replaced"
        elif index in newest:
            previous = (row["dataset"], row["period"]) in counted_keys
            found[index] = "page.counts.rejected_previous" if previous else "page.counts.rejected_none"
        else:
            found[index] = "page.counts.rejected"
    return found


def render_source_page(source: Source, records: pd.DataFrame, hrefs: dict[str, str] | None = None,
                       lang: str | None = None) -> str:
    """The source's files, newest arrival first, with status and which delivery counts. ``records`` is
    what ``Ledger.counted`` gives for the source; ``hrefs`` maps a file's checksum to its page."""
    lang = language(lang)
    hrefs = hrefs or {}
    label = _text(source.label, lang)
    body = [f"<h1>{html.escape(t('page.source.title', source=label, lang=lang))}</h1>",
            f"<p>{html.escape(t('page.source.intro', lang=lang))}</p>"]
    if records.empty:
        body.append(f"<p>{html.escape(t('page.source.none', lang=lang))}</p>")
    else:
        listed = list(zip(records.index, records.to_dict("records"), strict=True))
        counts = _count_texts(listed)
        # newest first; on a tie, in the records' order (a stable sort, reversed)
        ordered = [r | {"_counts": counts[i]} for i, r in
                   sorted(listed, key=lambda ir: (ir[1]["arrived_at"], ir[1]["file_name"]), reverse=True)]
        heads = [t(h, lang=lang) for h in ("page.col.file", "page.field.dataset", "page.field.period",
                                           "page.field.arrived", "page.col.status", "page.col.counts")]
        head = "".join(f"<th>{h}</th>" for h in heads)
        lines = []
        for r in ordered:
            name = _h(r["file_name"], lang) or "?"
            href = hrefs.get(str(r["file_sha256"]))
            if href:
                name = f'<a href="{html.escape(href, quote=True)}">{name}</a>'
            dataset = dataset_name(r["dataset"], lang) or "–"
            status = t(f"page.status.{r['status']}", lang=lang)
            cells = [name, html.escape(dataset), _h(r["period"], lang) or "–", html.escape(local_time(r["arrived_at"])),
                     f'<span class="{html.escape(str(r["status"]), quote=True)}">{html.escape(status)}</span>',
                     html.escape(t(r["_counts"], lang=lang))]
            lines.append("<tr>" + "".join(f'<td data-label="{html.escape(h, quote=True)}">{c}</td>'
                                          for h, c in zip(heads, cells, strict=True)) + "</tr>")
        body.append(f'<div class="scroll"><table class="files"><thead><tr>{head}</tr></thead><tbody>'
                    + "".join(lines) + "</tbody></table></div>")
    body.append(f"<footer>{html.escape(t('page.made', at=local_time(datetime.now(UTC)), lang=lang))}</footer>")
    return _page(html.escape(t("page.source.title", source=label, lang=lang)), body, lang)


def write_source_page(data_dir: Path, source: Source, ledger: Ledger, lang: str | None = None) -> Path:
    """Write the source's page from its ledger records, linking each file's page where there is one."""
    data_dir = Path(data_dir)
    page = source_page_path(data_dir, source.id)
    records = ledger.counted(source.id)
    hrefs = {}
    for r in records.to_dict("records"):
        own = r.get("steward_page") or ""
        if own and (data_dir / own).is_file():
            hrefs[str(r["file_sha256"])] = _href(data_dir / own, page)
    return atomic.write_text(page, render_source_page(source, records, hrefs, lang), root=data_dir)
