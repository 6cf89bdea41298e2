"""Data Docs: one static HTML page per validation, kept for good, and an index of every page.

GX's own site builder cleans pages its process's store does not know and loads
its CSS/JS from public CDNs (as of GX 1.24). Here each validation result is rendered
with GX's renderer and view into its own file (never touched again), made safe
and self-contained, and the index lists the pages on disk (``build_index``):

* safe: every value from the data is HTML-escaped (GX inserts them raw: stored
  XSS) and anything that could be a personnummer is masked first, in the values
  GX is given and once more over the whole rendered page;
* offline: no external script, stylesheet, image or font, no newsletter footer;
  a small inline style lays the page out in one column (GX's navigation needs
  its scripts) under a line naming the file, its source and period;
* a value that did not convert (a date 2024-13-04) reaches GX as null: the page
  shows the value as delivered (masked) beside its rule instead.
"""

from __future__ import annotations

import fcntl
import html
import json
import numbers
import os
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from transforms import atomic
from transforms.clock import local_time
from transforms.messages import catalogue, language, t
from transforms.names import shown
from transforms.privacy.personnummer import MASK, mask_in_text

PAGES = "validations"
_lock = threading.Lock()
_EXTERNAL = [
    re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I),  # CDN libraries and the inline code needing them
    re.compile(r"<link\b[^>]*>", re.I),  # CDN stylesheets, a favicon outside the site
    re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.I),
    re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.I),
    re.compile(r"<footer\b.*?</footer>", re.S | re.I),  # GX's newsletter banner ("Subscribe")
    re.compile(r"<title>[^<]*</title>", re.I),  # GX's two titles: the page gets its own
]
_CHARSET = '<meta charset="UTF-8">'  # as GX's template writes it
ROW_ID = "source_row"  # validate.ROW_ID, without importing GX's side here
_SHOWN_VALUES = 20  # GX's partial_unexpected_count: the values a table lists
STYLE = """<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212529;background:#fff;font-size:15px}
.container-fluid{padding:0 1rem}.row{display:flex;flex-wrap:wrap}.col-12{width:100%}
[class*="col-md-"],[class*="col-lg-"]{flex:1 1 20rem;min-width:0;padding:0 .5rem}
.d-none,.ge-navigation-sidebar-container,.navbar,.sticky,#ge-cta-footer{display:none!important}
.card{border:1px solid #dee2e6;border-radius:.3rem;margin:.6rem 0}.card-header{background:#f1f3f5;padding:.4rem .8rem;
font-weight:600}.card-body{padding:.6rem .8rem}table{border-collapse:collapse;margin:.3rem 0}
.table td,.table th{border-top:1px solid #dee2e6;padding:.25rem .5rem;text-align:left;vertical-align:top}
.table-bordered td,.table-bordered th{border:1px solid #dee2e6}.badge{display:inline-block;padding:.1rem .4rem;
border-radius:.25rem;background:#e9ecef;font-size:85%}.alert{padding:.4rem .7rem;border-radius:.25rem;background:#f1f3f5}
.text-danger{color:#b02a37}.text-success{color:#146c43}.fa-check-circle::before,.fa-check::before{content:"\\2714 "}
.fa-times::before,.fa-times-circle::before{content:"\\2718 "}.show-scrollbars{max-height:20rem;overflow:auto}
h1,h2,h3,h4,h5,h6{margin:.6rem 0 .3rem}a{color:#0b5ed7}code,pre{font-size:90%;white-space:pre-wrap}
.samla-index td,.samla-index th{padding:.25rem .6rem;border-bottom:1px solid #dee2e6;text-align:left}
body>.container-fluid>.row{display:block}body>.container-fluid>.row>div{width:auto;max-width:none}
.samla-title{padding:.8rem 1rem .2rem}.samla-title h1{font-size:1.4rem}.samla-title p{margin:.2rem 0}
</style>"""


def _safe(value: Any) -> Any:
    """Values from the data, masked then escaped; structure (dicts, lists, numbers) kept. A number
    holding a personnummer (typed into a numeric column) becomes the masked text: GX would print it."""
    if isinstance(value, str):
        return html.escape(mask_in_text(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        shown = mask_in_text(str(value))
        return value if shown == str(value) else html.escape(shown)
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_safe(v) for v in value)
    return value


@cache
def _view():
    from great_expectations.render.view import DefaultJinjaPageView

    view = DefaultJinjaPageView()  # its Jinja environment compiles the templates once
    # and, without this, asks the file system whether each was changed every time one is used: a
    # page uses a few hundred (a template per table, cell and header), and GX's files never change.
    view.env.auto_reload = False
    return view


def _render(result, facts: Mapping[str, str], delivered: Mapping[tuple[int, str], tuple[str | None, str]]) -> str:
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    for outcome in result.results:  # the data only ever reaches a page through these
        if delivered and outcome.expectation_config.type == "expect_column_values_to_not_be_null":
            _show_delivered(outcome.result or {}, outcome.expectation_config.kwargs.get("column"), delivered)
        outcome.result = _safe(outcome.result or {})
        if outcome.exception_info:
            outcome.exception_info = _safe(outcome.exception_info)
    content = ValidationResultsPageRenderer().render(result)
    page = _view().render(content, data_context_id=None, show_how_to_buttons=False)
    for pattern in _EXTERNAL:
        page = pattern.sub("", page)
    page = _run_time_for_people(page, result)
    head, body = _head_and_title(facts)
    # After GX's charset line: a browser looks for it in a page's first 1 024 bytes.
    page = page.replace("<html>", '<html lang="en">', 1).replace(_CHARSET, _CHARSET + head, 1)
    page = page.replace("</head>", STYLE + "</head>", 1).replace("<body>", "<body>" + body, 1)
    # Whatever GX printed from elsewhere (kwargs, meta): no personnummer anywhere on the page.
    return mask_in_text(page, mask=html.escape(MASK))


def _head_and_title(facts: Mapping[str, str]) -> tuple[str, str]:
    """The page's title and its ``samla-*`` meta lines (the index reads them), and the line on top of
    its body naming the file, its source, dataset and period, with a link to the index."""
    file = mask_in_text(shown(facts["file"]))
    title = t("data_docs.title", file=file)
    dataset = facts["dataset"]
    named = _word("dataset.name", dataset)
    meta = "".join(f'<meta name="samla-{k}" content="{html.escape(v)}">' for k, v in
                   (("file", file), ("source", facts["source"]), ("dataset", dataset), ("period", facts["period"])))
    head = f"{meta}<title>{html.escape(title)}</title>"
    body = (f'<header class="samla-title" lang="{language()}"><h1>{html.escape(title)}</h1>'
            f'<p>{html.escape(t("data_docs.facts", source=facts["source"], dataset=named, period=facts["period"] or "–"))}'
            f'</p><p>{html.escape(t("data_docs.technical"))} <a href="../../../../index.html">'
            f'{html.escape(t("data_docs.all_pages"))}</a></p></header>')
    return head, body


def _word(kind: str, key: str) -> str:
    """The steward's word for a dataset or rule (``dataset.name.<key>``, ``rule.title.<key>``); the key without one."""
    return t(f"{kind}.{key}") if f"{kind}.{key}" in catalogue() else key


def _delivered(faults) -> dict[tuple[int, str], tuple[str | None, str]]:
    """(row, column) -> (value as delivered, masked; rule) of each cell that did not convert, from the
    file's quarantine rows. GX saw those cells as null. ``person`` never matches (the quarantine names
    that column person_id): the page keeps its null rather than an invalid personnummer's digits."""
    if faults is None or len(faults) == 0:
        return {}
    found: dict[tuple[int, str], tuple[str | None, str]] = {}
    for row, column, rule, value in faults[[ROW_ID, "column", "rule", "value"]].itertuples(index=False, name=None):
        if isinstance(column, str) and "," not in column and rule != "required":
            found.setdefault((int(row), column), (value if isinstance(value, str) else None, rule))
    return found


def _show_delivered(result: dict, column: str | None, delivered: Mapping[tuple[int, str], tuple[str | None, str]]):
    """In a not-null result, each null that was a delivered value GX never saw becomes that value and its
    rule, and the counts GX's table groups by are counted again (GX lists at most 20 values)."""
    rows = result.get("unexpected_index_list") or []
    if not column or not all(isinstance(entry, dict) and ROW_ID in entry for entry in rows):
        return
    values = []
    for entry in rows:
        found = delivered.get((int(entry[ROW_ID]), column))
        if found:
            value, rule = found
            title = _word("rule.title", rule)
            entry[column] = (t("data_docs.delivered", value=value, rule=title) if value is not None
                             else t("data_docs.not_read", rule=title))
        values.append(entry.get(column))
    if not any(isinstance(v, str) for v in values):
        return
    if len(result.get("unexpected_list") or []) == len(values):
        result["unexpected_list"] = values
    result["partial_unexpected_list"] = values[:_SHOWN_VALUES]
    counts = Counter(values).most_common()
    result["partial_unexpected_counts"] = [{"value": v, "count": n} for v, n in counts[:_SHOWN_VALUES]]


def _run_time_for_people(page: str, result) -> str:
    """GX writes the run time as UTC stamps (title with microseconds, run info): Swedish time instead."""
    run_time = getattr(result.meta.get("run_id"), "run_time", None)
    if run_time is None:
        return page
    shown = html.escape(t("clock.at", at=local_time(run_time)))
    for stamp in (f"{run_time:%Y-%m-%dT%H:%M:%S.%fZ}", f"{run_time:%Y-%m-%dT%H:%M:%SZ}"):
        page = page.replace(stamp, shown)
    return page


# The validation's UTC time in a page name, its microseconds after the Z: written as one run of twelve
# digits (hhmmss + microseconds), an evening's time could read as a personnummer and be masked in a link.
PAGE_TIME = "%Y%m%dT%H%M%SZ%f"
OLD_PAGE_TIME = "%Y%m%dT%H%M%S%fZ"  # pages written before: still named in older ledger records


def page_path(site_dir: Path, source: str, dataset: str, period: str, sha256: str, when: datetime) -> Path:
    """Unique per validation: a re-check of the same file gets a page of its own."""
    return site_dir / PAGES / source / dataset / (period or "_") / f"{sha256[:12]}-{when.strftime(PAGE_TIME)}.html"


def write_page(site_dir: Path, result, source: str, dataset: str, period: str, sha256: str,
               file_name: str = "", faults=None) -> Path:
    """Render one validation result to its own page (written atomically); returns its path.

    ``faults`` is the file's quarantine frame: the values that did not convert are shown from it."""
    path = page_path(site_dir, source, dataset, period, sha256, datetime.now(UTC))
    facts = {"file": file_name or sha256[:12], "source": source, "dataset": dataset, "period": period}
    delivered = _delivered(faults)
    with _lock:  # GX renderers are not known to be thread-safe
        text = _render(result, facts, delivered)
    return atomic.write_text(path, text, root=site_dir)


def _folders(path: str | Path) -> list[os.DirEntry]:
    try:
        return [e for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def _source_pages(source: os.DirEntry) -> Iterator[tuple[str, str, str]]:
    """(dataset, period, file name) of every page of one source: plain scandir, as the index lists
    thousands of pages (pathlib's glob cost ten times more)."""
    for dataset in _folders(source.path):
        for period in _folders(dataset.path):
            for page in os.scandir(period.path):
                if page.name.endswith(".html") and not page.name.startswith("."):
                    yield dataset.name, period.name, page.name


def _validated_at(stamp: str) -> str:
    """A page name's UTC stamp (``page_path``) in Swedish time; a name not written by it as it is."""
    for written in (PAGE_TIME, OLD_PAGE_TIME):
        try:
            return local_time(datetime.strptime(stamp, written).replace(tzinfo=UTC))
        except ValueError:
            continue
    return stamp


_FACT = re.compile(r'<meta name="samla-(file|source|dataset|period)" content="([^"]*)">')
_HEAD_BYTES = 4096  # the meta lines are near the top of a page


def _page_facts(path: str) -> dict[str, str]:
    """The ``samla-*`` meta lines of a page (unescaped); none for a page written before they were."""
    try:
        with open(path, "rb") as page:
            head = page.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return {}
    return {k: html.unescape(v) for k, v in _FACT.findall(head)}


KEPT = ".index.json"  # beside index.html: the words its rows were written in (``_kept_key``)
_KEPT_VERSION = 1


def _kept_key() -> str:
    """What the index's rows were made with: rows are rendered again when their words would differ."""
    words = sorted((k, t(k)) for k in catalogue() if k.startswith("dataset.name."))
    return json.dumps([_KEPT_VERSION, language(), words], ensure_ascii=False)


def _source_rows(site_dir: Path, source: os.DirEntry) -> list[str]:
    """The index's rows of one source's pages: the newest period first and, within it, the newest
    validation first (ties in the order the folder lists them)."""
    pages = []
    for dataset, period, name in _source_pages(source):
        sha, _, stamp = name.removesuffix(".html").partition("-")
        link = f"{PAGES}/{source.name}/{dataset}/{period}/{name}"
        facts = _page_facts(str(site_dir / link))
        pages.append((period, stamp, dataset, link, facts.get("file") or sha))
    pages.sort(key=lambda p: (p[0], p[1]), reverse=True)
    return [f"<tr><td><a href=\"{html.escape(link)}\">{html.escape(mask_in_text(shown(file)))}</a></td>"
            f"<td>{html.escape(source.name)}</td><td>{html.escape(_word('dataset.name', dataset))}</td>"
            f"<td>{html.escape(period)}</td><td>{html.escape(_validated_at(stamp))}</td></tr>"
            for period, stamp, dataset, link, file in pages]


def _around_rows(n: int) -> tuple[str, str]:
    """The index's text before and after its ``n`` rows."""
    title = html.escape(t("data_docs.index.title"))
    heads = "".join(f"<th>{html.escape(t(k))}</th>" for k in (
        "data_docs.index.file", "data_docs.index.source", "data_docs.index.dataset", "data_docs.index.period",
        "clock.validated"))
    return (f'<!doctype html><html lang="{language()}"><head><meta charset="utf-8"><title>{title}</title>{STYLE}'
            f'</head><body><div class="container-fluid"><h1>{title}</h1>'
            f"<p>{html.escape(t('data_docs.index.pages', n=n))}</p><table class=\"samla-index\">"
            f"<tr>{heads}</tr>"), "</table></div></body></html>"


def _kept_rows(site_dir: Path, key: str) -> dict[str, list[str]] | None:
    """Each source's rows in the index as last written (by its name as the index shows it), read back
    from the index; None unless ``KEPT`` says they were written with ``key`` and every row reads back."""
    try:
        if json.loads((site_dir / KEPT).read_text(encoding="utf-8")) != {"key": key}:
            return None
        text = (site_dir / "index.html").read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    before, after = _around_rows(0)
    heads = before[before.rindex("<tr>"):]
    start = text.find(heads) + len(heads)
    rows = text[start:len(text) - len(after)].split("</tr>")[:-1]
    if not (text.startswith(_around_rows(len(rows))[0]) and text.endswith(after)):
        return None
    found: dict[str, list[str]] = {}
    link = f'<tr><td><a href="{PAGES}/'
    for row in rows:
        end = row.find("/", len(link))
        if not row.startswith(link) or end < 0:
            return None
        found.setdefault(row[len(link):end], []).append(row + "</tr>")
    return found


def build_index(site_dir: Path, changed: Collection[str] | None = None) -> Path:
    """``index.html`` listing every page on disk by file name, source, dataset and period: per source,
    the newest period first and, within it, the newest validation first.

    ``changed``: the sources whose pages were written since the index was; only their folders are
    listed again, every other source's rows are read back from the index, so a source task's cost
    does not grow with the project's pages. A source folder the index does not list yet is listed
    either way. Without ``changed``, or when the index was written in other words (the language,
    ``KEPT``) or does not read back, every folder is listed again: the index from scratch (also the
    way to drop pages removed by hand).

    Parallel source tasks take turns (flock): each lists its own folder after its pages are
    written, so the last index written knows every page.
    """
    site_dir.mkdir(parents=True, exist_ok=True)
    index = site_dir / "index.html"
    with _lock, open(site_dir / ".index.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        key = _kept_key()
        kept = _kept_rows(site_dir, key) if changed is not None else None
        rows: list[str] = []
        for source in sorted(_folders(site_dir / PAGES), key=lambda e: e.name):
            own = None if kept is None or source.name in (changed or ()) else kept.get(html.escape(source.name))
            rows += _source_rows(site_dir, source) if own is None else own
        before, after = _around_rows(len(rows))
        if kept is None:  # KEPT goes first and comes back last: an index in other words is never read back
            (site_dir / KEPT).unlink(missing_ok=True)
        atomic.write_text(index, before + "".join(rows) + after, root=site_dir)
        if kept is None:
            atomic.write_json(site_dir / KEPT, {"key": key}, root=site_dir)
    return index
