"""Data Docs: one static HTML page per validation, kept for good, and an index of every page.

GX's own site builder cleans pages its process's store does not know and loads
its CSS/JS from public CDNs (as of GX 1.24). Here each validation result is rendered
with GX's renderer and view into its own file (never touched again), made safe
and self-contained, and the index is rebuilt from the pages on disk:

* safe: every value from the data is HTML-escaped (GX inserts them raw: stored
  XSS) and anything that could be a personnummer is masked first;
* offline: no external script, stylesheet, image or font; a small inline style.
"""

from __future__ import annotations

import fcntl
import html
import numbers
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from transforms import atomic
from transforms.clock import local_time
from transforms.messages import t
from transforms.privacy.personnummer import mask_in_text

PAGES = "validations"
_lock = threading.Lock()
_EXTERNAL = [
    re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I),  # CDN libraries and the inline code needing them
    re.compile(r"<link\b[^>]*>", re.I),  # CDN stylesheets, a favicon outside the site
    re.compile(r"<img\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>", re.I),
    re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.I),
]
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

    return DefaultJinjaPageView()  # its Jinja environment compiles the templates once


def _render(result) -> str:
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    for outcome in result.results:  # the data only ever reaches a page through these
        outcome.result = _safe(outcome.result or {})
        if outcome.exception_info:
            outcome.exception_info = _safe(outcome.exception_info)
    content = ValidationResultsPageRenderer().render(result)
    page = _view().render(content, data_context_id=None, show_how_to_buttons=False)
    for pattern in _EXTERNAL:
        page = pattern.sub("", page)
    return _run_time_for_people(page, result).replace("</head>", STYLE + "</head>", 1)


def _run_time_for_people(page: str, result) -> str:
    """GX writes the run time as UTC stamps (title with microseconds, run info): Swedish time instead."""
    run_time = getattr(result.meta.get("run_id"), "run_time", None)
    if run_time is None:
        return page
    shown = html.escape(t("clock.at", at=local_time(run_time)))
    for stamp in (f"{run_time:%Y-%m-%dT%H:%M:%S.%fZ}", f"{run_time:%Y-%m-%dT%H:%M:%SZ}"):
        page = page.replace(stamp, shown)
    return page


def page_path(site_dir: Path, source: str, dataset: str, period: str, sha256: str, when: datetime) -> Path:
    """Unique per validation: a re-check of the same file gets a page of its own."""
    return site_dir / PAGES / source / dataset / (period or "_") / f"{sha256[:12]}-{when:%Y%m%dT%H%M%S%fZ}.html"


def write_page(site_dir: Path, result, source: str, dataset: str, period: str, sha256: str) -> Path:
    """Render one validation result to its own page (written atomically); returns its path."""
    path = page_path(site_dir, source, dataset, period, sha256, datetime.now(UTC))
    with _lock:  # GX renderers are not known to be thread-safe
        text = _render(result)
    return atomic.write_text(path, text, root=site_dir)


def _pages(root: Path) -> Iterator[tuple[str, str, str, str]]:
    """(source, dataset, period, file name) of every page: plain scandir, as the index lists
    thousands of pages (pathlib's glob cost ten times more)."""
    def folders(path) -> list[os.DirEntry]:
        try:
            return [e for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return []

    for source in folders(root):
        for dataset in folders(source.path):
            for period in folders(dataset.path):
                for page in os.scandir(period.path):
                    if page.name.endswith(".html") and not page.name.startswith("."):
                        yield source.name, dataset.name, period.name, page.name


def _validated_at(stamp: str) -> str:
    """A page name's UTC stamp (``page_path``) in Swedish time; a name not written by it as it is."""
    try:
        return local_time(datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC))
    except ValueError:
        return stamp


def build_index(site_dir: Path) -> Path:
    """``index.html`` listing every page on disk, newest first per source/dataset/period.

    Parallel source tasks take turns (flock): each lists the folder after its own
    pages are written, so the last index written knows every page.
    """
    site_dir.mkdir(parents=True, exist_ok=True)
    index = site_dir / "index.html"
    with _lock, open(site_dir / ".index.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        rows = []
        for source, dataset, period, name in sorted(_pages(site_dir / PAGES), reverse=True):
            sha, _, stamp = name.removesuffix(".html").partition("-")
            when = html.escape(_validated_at(stamp))
            link = html.escape(f"{PAGES}/{source}/{dataset}/{period}/{name}")
            rows.append(f"<tr><td>{html.escape(source)}</td><td>{html.escape(dataset)}</td>"
                        f"<td>{html.escape(period)}</td><td><a href=\"{link}\">{html.escape(sha)}</a></td>"
                        f"<td>{when}</td></tr>")
        rows.sort(key=lambda r: r.split("</td>")[:3])  # by source, dataset, period; newest first within
        text = ("<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Samla – valideringar"
                f"</title>{STYLE}</head><body><div class=\"container-fluid\"><h1>Samla – valideringar / "
                f"validations</h1><p>{len(rows)} sidor / pages</p><table class=\"samla-index\"><tr><th>källa / "
                "source</th><th>dataset</th><th>period</th><th>fil / file (sha256)</th><th>"
                f"{t('clock.validated')}</th></tr>" + "".join(rows) + "</table></div></body></html>")
        atomic.write_text(index, text, root=site_dir)
    return index
