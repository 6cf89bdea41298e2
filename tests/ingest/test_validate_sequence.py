"""GX's work kept across the files of a process (gx_memo.PER_PROCESS) changes no fault, result or page.

A process validates many small files one after another, each with its own period and
municipalities (the suite's parameters) and its own faulty rows; every file is compared with
GX as shipped on the same frame.
"""

from __future__ import annotations

import pickle
import re

import pytest
from gx_frames import deliveries

from transforms.ingest import gx_memo
from transforms.ingest import validate as validate_module
from transforms.ingest.data_docs import _render
from transforms.ingest.validate import validate

FILES = 10
TIME = re.compile(r"\d{4}-?\d\d-?\d\d[T ]\d\d:?\d\d:?\d\d(\.\d+)?(Z|\+00:00)?")


def _outcomes(dataset: str, memo: bool, monkeypatch) -> list[tuple]:
    monkeypatch.setattr(validate_module, "GX_MEMO", memo)
    out = []
    for i, (frame, parameters) in enumerate(deliveries(dataset, FILES)):
        period = parameters["period_list"][0]
        faults, result = validate(frame, dataset, parameters, f"s{i}__{dataset}__{period}__abc")
        document = result.to_json_dict()
        for key in ("run_id", "validation_time", "batch_markers"):  # the load time and run time differ by nature
            document["meta"].pop(key)
        page = TIME.sub("<time>", _render(result, {"file": f"{dataset}_{period}.csv", "source": f"s{i}",
                                                   "dataset": dataset, "period": period}, {}))
        out.append((faults, document, page))
    return out


def _kept_state(dataset: str) -> dict[bytes, bytes]:
    state = {key: pickle.dumps((e.configuration, [(m.left, m.right) for m in e.graph.graph.edges],
                                list(e.dependencies.values()))) for key, e in gx_memo._graphs.items()}
    suite = validate_module._validator().definitions[dataset].suite
    assert all(gx_memo._templates[id(e)][1] is not None for e in suite.expectations), "suite configurations kept"
    return state | {b"templates": pickle.dumps([held[1] for held in gx_memo._templates.values()])}


@pytest.mark.parametrize("dataset", ["activities", "attendance", "participants", "survey"])
def test_graphs_kept_across_files_give_what_gx_as_shipped_gives(dataset, monkeypatch):
    gx_memo.install()  # GxVersionError on another GX version, rather than compare shipped with shipped
    monkeypatch.setattr(gx_memo, "PER_PROCESS", True)
    gx_memo.forget()
    kept = _outcomes(dataset, True, monkeypatch)
    rules = len(validate_module._validator().definitions[dataset].suite.expectations)
    assert rules < len(gx_memo._graphs) < rules * FILES / 2, "rules without parameters are kept once"
    entries = _kept_state(dataset)
    again = _outcomes(dataset, True, monkeypatch)  # every graph now comes from the process's store
    assert _kept_state(dataset) == entries, "nothing GX keeps across files is changed by a later file"
    shipped = _outcomes(dataset, False, monkeypatch)
    failing = {f["rule"] for faults, _, _ in shipped for f in faults}
    assert len(failing) >= 4, "the files break several rules"
    assert any(not faults for faults, _, _ in shipped) and all(
        not r["exception_info"]["raised_exception"] for _, document, _ in shipped for r in document["results"])
    for i, (ours, theirs, twice) in enumerate(zip(kept, shipped, again, strict=True)):
        assert ours[0] == theirs[0] == twice[0], f"faults of file {i}"
        assert ours[1] == theirs[1] == twice[1], f"result of file {i}"
        assert ours[2] == theirs[2] == twice[2], f"page of file {i}"


def test_a_fresh_validation_per_file_gives_the_same_as_graphs_kept(monkeypatch):
    """The memo within one file only (PER_PROCESS off) and kept across files answer alike."""
    monkeypatch.setattr(gx_memo, "PER_PROCESS", False)
    gx_memo.forget()
    fresh = _outcomes("attendance", True, monkeypatch)
    assert not gx_memo._graphs
    monkeypatch.setattr(gx_memo, "PER_PROCESS", True)
    assert _outcomes("attendance", True, monkeypatch) == fresh


def test_the_store_keeps_at_most_graphs_kept_entries(monkeypatch):
    monkeypatch.setattr(gx_memo, "PER_PROCESS", True)
    monkeypatch.setattr(gx_memo, "GRAPHS_KEPT", 5)
    gx_memo.forget()
    first = _outcomes("survey", True, monkeypatch)
    assert len(gx_memo._graphs) == len(gx_memo._by_configuration) == 5
    assert len(gx_memo._by_domain_obj) <= 5
    monkeypatch.setattr(gx_memo, "GRAPHS_KEPT", 4096)
    gx_memo.forget()
    assert _outcomes("survey", True, monkeypatch) == first
    assert not gx_memo._local.memo
