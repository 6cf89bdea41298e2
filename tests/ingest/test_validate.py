"""transforms.ingest.validate: the GX speed-ups (gx_memo) change no result, fault or Data Docs page."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from transforms.ingest import gx_memo
from transforms.ingest import validate as validate_module
from transforms.ingest.data_docs import _render
from transforms.ingest.validate import parameters_for, validate

PERIOD = "2025-01"
PARAMS = parameters_for(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31"), PERIOD, ["1489", "1480"])
N = 16


def _column(kind: str, good, bad) -> pd.Series:
    """Every row ``good`` but row 1 missing and row 2 ``bad`` (a rule's fault either way)."""
    values = [good] * N
    values[1], values[2] = None, bad
    return pd.Series(values, dtype=kind)


def _frame(columns: dict[str, tuple[str, object, object]]) -> pd.DataFrame:
    frame = pd.DataFrame({name: _column(*spec) for name, spec in columns.items()})
    frame["person"] = pd.Series([f"p{i % (N - 2)}" for i in range(N)], dtype=object)  # two persons twice
    frame.loc[3, "person"] = None
    frame["kommunkod"] = pd.Series(["1489"] * (N - 1) + ["9999"], dtype="str")
    frame["source_row"] = pd.Series(range(2, N + 2), dtype="int64")
    return frame


DATE = "datetime64[s]"
FRAMES = {
    "participants": _frame({
        "programme": ("str", "IMA", "XYZ"), "gender": ("str", "female", "?"),
        "entry_date": (DATE, pd.Timestamp("2024-10-01"), pd.Timestamp("2026-01-01")),
        "exit_date": (DATE, pd.Timestamp("2024-12-01"), pd.Timestamp("2024-01-01")),
        "exit_status": ("object", "employed", "elsewhere"), "qualification": ("boolean", True, False),
        "track": ("str", "none", "x"), "labour_status": ("str", "inactive", "x"),
        "newly_arrived": ("boolean", False, True), "foreign_background": ("boolean", True, False),
        "disability": ("str", "no", "x"), "age_at_entry": ("Int64", 17, 99),
        "period": ("str", PERIOD, PERIOD)}),
    "attendance": _frame({
        "month": ("object", PERIOD, "2024-12"), "scheduled_min": ("Int64", 1000, 30000),
        "attended_min": ("Int64", 900, -5), "absence_valid_min": ("Int64", 50, -1),
        "absence_invalid_min": ("Int64", 50, 4000)}),
    "survey": _frame({
        "wave": ("object", "T1", "wave one"), "answered_on": (DATE, pd.Timestamp("2025-01-10"), pd.Timestamp("2025-02-10")),
        "motivation": ("Float64", 3.0, 7.5), "future_hope": ("Float64", 4.0, 0.0), "wellbeing": ("Float64", 2.0, None)}),
    "activities": _frame({
        "activity": ("str", "mi", "Friluftsdag"), "date": (DATE, pd.Timestamp("2025-01-05"), pd.Timestamp("2024-12-31")),
        "hours": ("Float64", 2.0, 0.0)}),
}
FRAMES["participants"].loc[5, "exit_date"] = pd.NaT  # no exit date, yet a status and a qualification
FRAMES["participants"].loc[6, ["exit_status", "qualification"]] = [None, pd.NA]  # exit date without them


def _outcome(dataset: str, memo: bool, monkeypatch) -> tuple:
    """Faults, the result as JSON and the Data Docs page, run ids and times taken out."""
    monkeypatch.setattr(validate_module, "GX_MEMO", memo)
    faults, result = validate(FRAMES[dataset].copy(), dataset, PARAMS, f"s1__{dataset}__{PERIOD}__abc")
    document = result.to_json_dict()
    for key in ("run_id", "validation_time", "batch_markers"):  # the load time and run time differ by nature
        document["meta"].pop(key)
    page = re.sub(r"\d{4}-?\d\d-?\d\d[T ]\d\d:?\d\d:?\d\d(\.\d+)?(Z|\+00:00)?", "<time>",
                  _render(result, {"file": f"{dataset}_{PERIOD}.csv", "source": "s1", "dataset": dataset, "period": PERIOD}, {}))
    return faults, document, page


@pytest.mark.parametrize("dataset", sorted(FRAMES))
def test_memoised_gx_gives_the_same_faults_results_and_pages(dataset, monkeypatch):
    gx_memo.install()  # GxVersionError on another GX version, rather than compare shipped with shipped
    shipped = _outcome(dataset, False, monkeypatch)
    memoised = _outcome(dataset, True, monkeypatch)
    assert len(shipped[0]) >= 6, "the frame has row faults of several rules"
    assert not any(r["exception_info"]["raised_exception"] for r in shipped[1]["results"])
    assert memoised[0] == shipped[0]
    assert memoised[1] == shipped[1]
    assert memoised[2] == shipped[2]


def test_memo_is_let_go_after_the_run_and_gx_is_as_shipped_outside(monkeypatch):
    _outcome("participants", True, monkeypatch)
    assert getattr(gx_memo._local, "memo", None) is None
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    config = ExpectationConfiguration(type="expect_column_values_to_not_be_null", kwargs={"column": "person"})
    assert config.to_domain_obj() is not config.to_domain_obj()  # outside a run: a new object each time


def _faults_and_document(frame: pd.DataFrame, dataset: str, memo: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(validate_module, "GX_MEMO", memo)
    faults, result = validate(frame.copy(), dataset, PARAMS, f"s1__{dataset}__{PERIOD}__abc")
    document = result.to_json_dict()
    for key in ("run_id", "validation_time", "batch_markers"):
        document["meta"].pop(key)
    return faults, document


def test_range_checks_on_pandas3_dtypes_run_vectorised_with_the_same_faults(monkeypatch):
    """pandas 3 gives dates as datetime64[s]/[us] and numbers as Int64/Float64, which GX 1.24 range-checks
    with a Python call per row; inside the memo they take GX's vectorised comparison, with the same faults
    and values as delivered (30000, not 30000.0)."""
    from great_expectations.expectations.metrics.column_map_metrics.column_values_between import (
        ColumnValuesBetween,
    )

    vectorised = ColumnValuesBetween._pandas_vectorized.__func__
    seen: list[tuple[str, str]] = []

    def spy(cls, column, *args):
        seen.append((column.name, str(column.dtype)))
        return vectorised(cls, column, *args)

    monkeypatch.setattr(ColumnValuesBetween, "_pandas_vectorized", classmethod(spy))
    frames = {"attendance": FRAMES["attendance"], "activities": FRAMES["activities"].copy()}
    frames["activities"]["date"] = frames["activities"]["date"].astype("datetime64[us]")
    faults = {}
    for dataset, frame in frames.items():
        before = len(seen)
        shipped = _faults_and_document(frame, dataset, False, monkeypatch)
        assert len(seen) == before, "as shipped, GX checks these dtypes row by row"
        memoised = _faults_and_document(frame, dataset, True, monkeypatch)
        assert memoised == shipped
        faults[dataset] = {(f["column"], f["rule"]): f["value"] for f in memoised[0]
                           if f["expectation"] == "expect_column_values_to_be_between"}
    assert {("scheduled_min", "Int64"), ("attended_min", "Int64"), ("absence_excess_min", "Float64"),
            ("date", "datetime64[us]"), ("hours", "Float64")} <= set(seen)
    assert "30000" in faults["attendance"].values() and "-5" in faults["attendance"].values()
    assert {"2024-12-31", "0.0"} <= set(faults["activities"].values())


def _range_cases():
    numbers = [-5, 0, 1, 5, 12, 20000, 20001, 2 ** 53]
    reals = [-0.5, 0.0, 0.5, 1.0, 5.0, 5.000001, 12.0, 1e300]
    days = ["1024-03-01", "2024-12-31", "2025-01-01", "2025-01-15", "2025-01-31", "2025-02-01", "3024-01-01"]
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31")
    columns = [pd.Series(numbers, dtype="Int64"), pd.Series(reals, dtype="Float64")]
    columns += [pd.Series(pd.to_datetime(days).as_unit("s")).astype(f"datetime64[{u}]") for u in ("s", "ms", "us")]
    for column in columns:
        if column.dtype.kind == "M":
            bounds = [(start, end), (None, end), (start, None), (start, start), (start.as_unit("s"), end.as_unit("ms"))]
        else:
            bounds = [(0.0, 20000.0), (None, 0.0), (0, None), (1, 5), (1.0, 5.0), (0.0, 12.0), (5, 5)]
        for low, high in bounds:
            for strict in ((False, False), (True, False), (False, True), (True, True)):
                yield pytest.param(column, low, high, *strict, id=f"{column.dtype}-{low}-{high}-{strict}")


@pytest.mark.parametrize(("column", "low", "high", "strict_min", "strict_max"), list(_range_cases()))
def test_vectorised_range_check_answers_as_gx_row_by_row(column, low, high, strict_min, strict_max):
    import inspect

    from great_expectations.expectations.metrics.column_map_metrics.column_values_between import (
        ColumnValuesBetween,
    )

    gx_memo.install()
    shipped = inspect.unwrap(ColumnValuesBetween._pandas)
    kwargs = {"min_value": low, "max_value": high, "strict_min": strict_min, "strict_max": strict_max}
    expected = shipped(ColumnValuesBetween, column, **kwargs)
    assert gx_memo._comparable(column, low, high) is not None, "this case takes the vectorised step"
    with gx_memo.memoised():
        answer = gx_memo._vectorised_between(shipped)(ColumnValuesBetween, column, **kwargs)
    pd.testing.assert_series_equal(answer, expected)


@pytest.mark.parametrize(("column", "low", "high"), [
    (pd.Series([1, None], dtype="Int64"), 0, 5),  # NA left: GX's per-row path (and its error)
    (pd.Series([2 ** 53 + 1], dtype="Int64"), 0.0, None),  # not exact as a float64
    (pd.Series([1.5], dtype="Float64"), 0, 2 ** 60),
    (pd.Series([1], dtype="Int64"), True, None),
    (pd.Series([1], dtype="Int64"), "0", "5"),
    (pd.Series([1], dtype="Int64"), 5, 0),  # min above max: GX raises
    (pd.Series([1], dtype="Int64"), None, None),
    (pd.Series([], dtype="Int64"), 0, 5),
    (pd.Series([1, 2], dtype="object"), 0, 5),
    (pd.Series(pd.to_datetime(["2025-01-02"]).as_unit("s")), pd.Timestamp("2025-01-01 00:00:00.5"), None),
    (pd.Series(pd.to_datetime(["2025-01-02"]).as_unit("s")), pd.Timestamp("2025-01-01", tz="UTC"), None),
    (pd.Series(pd.to_datetime(["2025-01-02"]).as_unit("s")), "2025-01-01", None),
    (pd.Series(pd.to_datetime(["2025-01-02"]).as_unit("s")), pd.Timestamp("2025-01-01").date(), None),
    (pd.Series(pd.to_datetime(["2025-01-02", None]).as_unit("s")), pd.Timestamp("2025-01-01"), None),
])
def test_range_checks_the_vectorised_step_might_answer_otherwise_run_as_shipped(column, low, high):
    assert gx_memo._comparable(column, low, high) is None


@pytest.mark.parametrize("dataset", sorted(FRAMES))
def test_a_frame_without_faults_gives_the_same_empty_answers(dataset, monkeypatch):
    """Every rule passes: the unexpected rows and values are answered empty without filtering the frame."""
    clean = FRAMES[dataset].drop(index=[1, 2, 3, 5, 6, N - 2, N - 1]).reset_index(drop=True)
    shipped = _faults_and_document(clean, dataset, False, monkeypatch)
    memoised = _faults_and_document(clean, dataset, True, monkeypatch)
    assert shipped[0] == [] and memoised == shipped
    assert all(r["success"] and r["result"].get("unexpected_index_list") == [] for r in memoised[1]["results"]
               if "unexpected_index_list" in r["result"])


@pytest.mark.parametrize("mask, asked", [([False, False], False), ([False, True], True),
                                          ([False, None], True), ([], False)])
def test_nothing_unexpected_is_answered_only_for_a_mask_without_a_true_or_na(mask, asked):
    calls = []

    def shipped(**kwargs):
        calls.append(kwargs)
        return ["as shipped"]

    answer = gx_memo._unless_nothing_unexpected(shipped)
    metrics = {"unexpected_condition": (pd.Series(mask, dtype="boolean"), {}, {})}
    with gx_memo.memoised():
        assert answer(metrics=metrics) == (["as shipped"] if asked else [])
    assert len(calls) == asked
    assert answer(metrics=metrics) == ["as shipped"]  # outside a run: as shipped
