"""The Data Docs index kept per source: built after one source's pages == built from scratch == the
one-pass listing it replaced, in either language and with two processes writing at once."""

from __future__ import annotations

import html
import multiprocessing
import os
from datetime import UTC, datetime, timedelta

import pytest

from transforms.clock import local_time
from transforms.ingest import data_docs
from transforms.ingest.data_docs import PAGES, build_index, page_path
from transforms.messages import t
from transforms.names import shown
from transforms.privacy.personnummer import mask_in_text

START = datetime(2026, 12, 7, 20, 15, 54, 258005, tzinfo=UTC)


def _page(site, source: str, dataset: str, period: str, n: int, name: str | None = None) -> None:
    """A page as write_page leaves it, as far as the index reads one (its samla-* meta lines)."""
    path = page_path(site, source, dataset, period, f"{n:064x}", START + timedelta(minutes=n))
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = "" if name is None else f'<meta name="samla-file" content="{html.escape(name)}">'
    path.write_text(f'<html><head><meta charset="UTF-8">{meta}</head></html>', encoding="utf-8")


def _one_pass_index(site_dir) -> str:
    """The index as the one-pass listing of every page wrote it (the reference for the kept rows)."""
    pages = []
    root = site_dir / PAGES
    for source in os.scandir(root):
        for dataset in os.scandir(source.path):
            for period in os.scandir(dataset.path):
                for page in os.scandir(period.path):
                    if page.name.endswith(".html") and not page.name.startswith("."):
                        sha, _, stamp = page.name.removesuffix(".html").partition("-")
                        link = f"{PAGES}/{source.name}/{dataset.name}/{period.name}/{page.name}"
                        facts = data_docs._page_facts(str(site_dir / link))
                        pages.append((source.name, period.name, stamp, dataset.name, link, facts.get("file") or sha))
    pages.sort(key=lambda p: (p[1], p[2]), reverse=True)
    pages.sort(key=lambda p: p[0])
    rows = [f"<tr><td><a href=\"{html.escape(link)}\">{html.escape(mask_in_text(shown(file)))}</a></td>"
            f"<td>{html.escape(source)}</td><td>{html.escape(data_docs._word('dataset.name', dataset))}</td>"
            f"<td>{html.escape(period)}</td><td>{html.escape(data_docs._validated_at(stamp))}</td></tr>"
            for source, period, stamp, dataset, link, file in pages]
    title = html.escape(t("data_docs.index.title"))
    heads = "".join(f"<th>{html.escape(t(k))}</th>" for k in (
        "data_docs.index.file", "data_docs.index.source", "data_docs.index.dataset", "data_docs.index.period",
        "clock.validated"))
    return (f'<!doctype html><html lang="{data_docs.language()}"><head><meta charset="utf-8"><title>{title}</title>'
            f'{data_docs.STYLE}</head><body><div class="container-fluid"><h1>{title}</h1>'
            f"<p>{html.escape(t('data_docs.index.pages', n=len(rows)))}</p><table class=\"samla-index\">"
            f"<tr>{heads}</tr>" + "".join(rows) + "</table></div></body></html>")


def _from_scratch(site) -> str:
    return build_index(site).read_text(encoding="utf-8")


def test_index_after_one_source_equals_index_from_scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    site = tmp_path / "docs"
    n = 0
    sources = ["0101", "0102", "_unknown", "s-ä"]
    for month, period in enumerate(("2024-09", "2024-10", "2024-11")):
        for source in sources:
            for dataset in ("participants", "enrolments", "activities"):
                n += 1
                _page(site, source, dataset, period, n, f"{dataset} {source} <{period}>.csv" if n % 5 else None)
            if month == 1 and source == "0102":  # the same file again: a re-check's page of its own
                _page(site, source, "participants", period, n, "again.csv")
            index = build_index(site, {source}).read_text(encoding="utf-8")
            assert "<b>" not in index
            assert index == _one_pass_index(site) == _from_scratch(site), (period, source)
    assert index.count("<tr>") == 1 + n + 1
    assert local_time(START).split()[0] in index


def test_an_index_in_other_words_or_not_read_back_is_made_from_scratch(tmp_path, monkeypatch):
    site = tmp_path / "docs"
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    for n, source in enumerate(("a", "b", "c")):
        _page(site, source, "participants", "2024-09", n, f"{source}.csv")
        build_index(site, {source})
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    _page(site, "b", "enrolments", "2024-09", 9, "b2.csv")
    english = build_index(site, {"b"}).read_text(encoding="utf-8")
    assert "<td>participants</td>" in english and "<td>deltagare</td>" not in english
    assert english == _one_pass_index(site) == _from_scratch(site)
    kept = site / data_docs.KEPT
    _page(site, "d", "enrolments", "2024-10", 10, "d.csv")  # a folder the index does not list yet
    _page(site, "c", "enrolments", "2024-10", 11, "c2.csv")  # a page written by a task that did not finish
    index = build_index(site, {"b"}).read_text(encoding="utf-8")
    assert "d.csv" in index and "c2.csv" not in index, "c's rows are read back, d's folder listed"
    assert index == _one_pass_index(site).replace(_row(site, "c2.csv"), "").replace("6 pages", "5 pages")
    for spoil in (lambda: kept.write_text("{torn", encoding="utf-8"), kept.unlink,
                  lambda: kept.write_text('{"key": "[1, \\"sv\\", []]"}', encoding="utf-8"),
                  lambda: (site / "index.html").write_text("<html>", encoding="utf-8"),
                  lambda: _edit(site / "index.html", '<a href="validations/', '<a href="elsewhere/')):
        build_index(site, {"b"})
        spoil()
        assert build_index(site, {"b"}).read_text(encoding="utf-8") == _one_pass_index(site)


def _edit(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _row(site, file_name: str) -> str:
    """The row of ``file_name`` in the index from scratch."""
    return next(r + "</tr>" for r in _one_pass_index(site).split("</tr>") if f">{file_name}</a>" in r)


def _task(site, source: str, rounds: int, start, barrier) -> None:
    barrier.wait()
    for n in range(rounds):
        _page(site, source, "participants", f"2024-{n % 12 + 1:02d}", start + n, f"{source}-{n}.csv")
        build_index(site, {source})


@pytest.mark.parametrize("processes", [3])
def test_source_tasks_at_once_lose_no_row(tmp_path, processes):
    """Each process adds its source's pages and updates the index from its own folder: the last index
    written lists every page of every process, as one from scratch does."""
    site = tmp_path / "docs"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    workers = [context.Process(target=_task, args=(site, f"s{i}", 12, 100 * i, barrier)) for i in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * processes
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr>") == 1 + 12 * processes
    assert index == _one_pass_index(site)
    assert not [p for p in site.rglob("*.tmp")], "a temporary file left behind"
