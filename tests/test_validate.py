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
    page = re.sub(r"\d{4}-?\d\d-?\d\d[T ]\d\d:?\d\d:?\d\d(\.\d+)?(Z|\+00:00)?", "<time>", _render(result))
    return faults, document, page


@pytest.mark.parametrize("dataset", sorted(FRAMES))
def test_memoised_gx_gives_the_same_faults_results_and_pages(dataset, monkeypatch):
    assert gx_memo.active(), "GX is the version gx_memo was checked against (else it must stay off)"
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


def test_another_gx_version_is_left_as_shipped(monkeypatch):
    import great_expectations
    from great_expectations.expectations.expectation import Expectation

    before = Expectation.__dict__["configuration"]
    monkeypatch.setattr(great_expectations, "__version__", "9.9.9")
    assert gx_memo._install() is False
    assert Expectation.__dict__["configuration"] is before
