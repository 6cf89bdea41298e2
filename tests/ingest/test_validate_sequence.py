"""GX's work kept across the files of a process (gx_memo.PER_PROCESS) changes no fault, result or page.

A process validates many small files one after another, each with its own period and
municipalities (the suite's parameters) and its own faulty rows; every file is compared with
GX as shipped on the same frame.
"""

from __future__ import annotations

import inspect
import pickle
import re

import pandas as pd
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
    assert all(len(e.dependencies) == 1 for e in gx_memo._graphs.values()), "one answer per rule, not its bases'"
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
    """The memo within one file only (PER_PROCESS, ROW_MASKS off: before) and kept across files answer alike."""
    for dataset in ("attendance", "participants"):
        monkeypatch.setattr(gx_memo, "PER_PROCESS", False)
        monkeypatch.setattr(gx_memo, "ROW_MASKS", False)
        gx_memo.forget()
        fresh = _outcomes(dataset, True, monkeypatch)
        assert not gx_memo._graphs
        monkeypatch.setattr(gx_memo, "PER_PROCESS", True)
        monkeypatch.setattr(gx_memo, "ROW_MASKS", True)
        assert _outcomes(dataset, True, monkeypatch) == fresh


def test_the_store_keeps_at_most_graphs_kept_entries(monkeypatch):
    monkeypatch.setattr(gx_memo, "PER_PROCESS", True)
    monkeypatch.setattr(gx_memo, "GRAPHS_KEPT", 5)
    gx_memo.forget()
    first = _outcomes("survey", True, monkeypatch)
    assert len(gx_memo._graphs) == len(gx_memo._by_configuration) == 5
    assert len(gx_memo._by_domain_obj) <= 5
    monkeypatch.setattr(gx_memo, "GRAPHS_KEPT", 256)
    gx_memo.forget()
    assert _outcomes("survey", True, monkeypatch) == first
    assert not gx_memo._local.memo


NULLS = {
    "exit_date": pd.Series(pd.to_datetime(["2025-01-02", None, "2025-01-03", None]).as_unit("s")),
    "status": pd.Series(["a", None, "b", None], dtype="object"),
    "code": pd.Series(["a", None, "b", "c"], dtype="str"),
    "hours": pd.Series([1.0, None, float("nan"), 2.0], dtype="Float64"),
    "flag": pd.Series([True, None, False, None], dtype="boolean"),
    "count": pd.Series([1, None, 3, 4], dtype="Int64"),
    "from": pd.Series([None, 1.0, 2.0, None]),  # a keyword: query needs backticks, left to GX
}


@pytest.mark.parametrize("column", sorted(NULLS))
@pytest.mark.parametrize("is_null", [True, False])
def test_a_nullity_row_condition_as_a_mask_gives_the_rows_query_gives(column, is_null):
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    gx_memo.install()
    engine = PandasExecutionEngine()
    frame = pd.DataFrame(NULLS).set_axis([5, 3, 9, 1])
    condition = {"column": {"name": column}, "is_null": is_null, "type": "nullity"}
    shipped = inspect.unwrap(PandasExecutionEngine._apply_row_condition_filter)
    expected = shipped(engine, frame, condition, {})
    assert gx_memo._plain_column(frame, column) == (column != "from")
    with gx_memo.memoised():
        answer = gx_memo._nullity_by_mask(shipped)(engine, frame, condition, {})
    pd.testing.assert_frame_equal(answer, expected)
    assert 0 < len(answer) < len(frame), "some rows kept, some not"


def test_a_column_query_would_not_read_as_itself_is_left_to_query():
    frame = pd.DataFrame({"a": [1, None], "b": [None, 2]}).set_index("a", drop=False)
    assert not gx_memo._plain_column(frame, "a")  # an index level of that name too
    assert not gx_memo._plain_column(pd.concat([frame, frame], axis=1), "b")  # twice
    assert not gx_memo._plain_column(frame, "x y") and not gx_memo._plain_column(frame, "missing")


def test_the_engine_keeps_no_metric_values_of_past_files(monkeypatch):
    """GX's pandas engine is shared by every file; a rule with the source's municipalities gave it new
    metric ids, and values, with every source."""
    monkeypatch.setattr(validate_module, "GX_MEMO", True)
    frame, parameters = next(deliveries("survey", 1))
    validate(frame, "survey", parameters, "s0")
    engine = validate_module._validator().context.data_sources.get("samla").get_execution_engine()
    assert engine._metric_cache == {}
    monkeypatch.setattr(validate_module, "GX_MEMO", False)
    validate(frame, "survey", parameters, "s0")
    assert engine._metric_cache, "as shipped, it keeps them"
    engine._metric_cache.clear()
