"""A Data Docs page rendered by the view kept for the process is the page a fresh GX view renders."""

from __future__ import annotations

import copy
import re

from deliveries import participant, people, write_csv

from transforms.config.sources import parse_sources
from transforms.ingest import data_docs
from transforms.ingest.file_context import FileContext
from transforms.ingest.pipeline import evaluate_file

KEY = b"data-docs-test-key-0123456789abcdef"
PERIOD = "2025-01"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NOW = re.compile(r"\?d=\d{8}T\d{6}\.\d{6}Z")  # GX stamps its own links with the time of rendering


def _fresh_view():
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView()


def test_the_kept_view_renders_what_a_fresh_one_does(tmp_path, monkeypatch):
    src = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                      "delivery": {"folder": str(tmp_path / "in")}}]}, tmp_path).get("s1")
    rows = [participant(p) for p in people(30, seed=5)]
    rows[1]["programme"], rows[2]["gender"] = "<b>x</b>", "?"
    rows[4]["entry_date"] = "2024-13-40"
    path = write_csv(tmp_path / f"participants_{PERIOD}.csv", rows)
    result = evaluate_file(path, FileContext(src, "participants", PERIOD, path.name, "c" * 64), KEY, None)
    assert result.validation is not None and result.rows_quarantined
    facts = {"file": path.name, "source": "s1", "dataset": "participants", "period": PERIOD}
    delivered = data_docs._delivered(result.quarantine)
    pages = []
    for view in (data_docs._view, _fresh_view):
        monkeypatch.setattr(data_docs, "_view", view)
        for _ in range(2):  # the second page from a view that has rendered one already
            page = data_docs._render(copy.deepcopy(result.validation), facts, delivered)
            pages.append(_NOW.sub("", _UUID.sub("<uuid>", page)))
    assert data_docs._view is _fresh_view and pages[0].count("<uuid>") > 3
    assert pages[0] == pages[1] == pages[2] == pages[3]
