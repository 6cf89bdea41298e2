"""Harmonised rows -> row faults, by the Great Expectations suite of the dataset.

The suites are the JSON files in ``expectations/`` (one per dataset); their
``meta.rule``/``meta.description`` name the rule for stewards. GX only ever
sees pseudonymised rows (never a personnummer: Data Docs show samples).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

from transforms.config.project import current_project
from transforms.ingest import gx_memo
from transforms.ingest.harmonise import safe_value

ROW_ID = "source_row"
GX_MEMO = True  # gx_memo's patches while a suite runs; False runs GX as shipped (tests compare both)
_lock = threading.Lock()


class _Validator:
    """One ephemeral GX context per process, with a validation definition per dataset."""

    def __init__(self):
        # GX logs "Multiple declarations of metric …" and temporary docs-site lines at INFO
        # into every task log; only its warnings are worth an operator's eye.
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx

        logging.getLogger("great_expectations").setLevel(logging.WARNING)  # again: the import may reset it
        from great_expectations.core import ExpectationSuite
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("samla")
        self.definitions = {}
        for path in sorted((p for p in files("expectations").iterdir() if p.name.endswith(".json")),
                           key=lambda p: p.name):
            document = json.loads(path.read_text(encoding="utf-8"))
            suite = self.context.suites.add(ExpectationSuite(**document))
            gx_memo.keep_expectations(suite.expectations)
            dataset = path.name.removesuffix(".json")
            asset = source.add_dataframe_asset(dataset)
            batch = asset.add_batch_definition_whole_dataframe(dataset)
            self.definitions[dataset] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=dataset, data=batch, suite=suite)
            )

    def run(self, dataset: str, frame: pd.DataFrame, parameters: dict[str, Any], run_name: str | None):
        """What ``ValidationDefinition.run`` does, less its two costs per file that Samla does not use:
        the freshness check of the stores and keeping the result in the context's store (9 % of a
        small file's ingestion, measured). The result's ``meta`` is the same (Data Docs render it)."""
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.validator.v1_validator import Validator

        definition = self.definitions[dataset]
        validator = Validator(
            batch_definition=definition.batch_definition,
            batch_parameters={"dataframe": frame},
            # No unexpected_index_query: GX filters the whole frame once more per expectation to write
            # a pandas snippet (df.filter(items=[frame positions])) that Data Docs showed under "To
            # retrieve all unexpected values"; a steward has the rows by source_row beside it.
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID],
                           "return_unexpected_index_query": False},
        )
        with gx_memo.memoised(GX_MEMO):
            result = validator.validate_expectation_suite(definition.suite, parameters)
        if GX_MEMO:
            gx_memo.let_go_of_metrics(validator)
        run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
        result.meta.update({"validation_id": definition.id, "checkpoint_id": None, "run_id": run_id,
                            "validation_time": run_id.run_time, "batch_parameters": {"dataframe": "<DATAFRAME>"}})
        return result


@cache
def _validator() -> _Validator:
    return _Validator()


def parameters_for(period_start, period_end, period: str, municipalities) -> dict[str, Any]:
    return {
        "period_start": pd.Timestamp(period_start),
        "period_end": pd.Timestamp(period_end),
        "period_list": [period],
        "project_first_day": pd.Timestamp(current_project().first_day),
        "municipalities": list(municipalities),
    }


def validation_frame(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The typed frame plus the derived columns some rules need."""
    out = frame.copy()
    if dataset == "attendance":
        scheduled = out["scheduled_min"].astype("Float64")
        total = out["attended_min"] + out["absence_valid_min"] + out["absence_invalid_min"]
        tolerance = (scheduled * 0.01).where(scheduled * 0.01 > 5, 5)
        # exports.md: |attended + valid + invalid - scheduled| <= max(5 min, 1 % of scheduled),
        # only when both absence values are present (NA otherwise: the rule ignores it).
        out["absence_excess_min"] = ((total - scheduled).abs() - tolerance).astype("Float64")
    if dataset == "survey":
        out["score_count"] = out[["motivation", "future_hope", "wellbeing"]].notna().sum(axis=1)
    return out


def run_name_for(source: str, dataset: str, period: str, sha256: str) -> str:
    """A Data Docs folder name per delivery (GX keys may not contain '/')."""
    return f"{source}__{dataset}__{period}__{sha256[:12]}"


def validate(frame: pd.DataFrame, dataset: str, parameters: dict[str, Any], run_name: str | None = None):
    """Row faults found by the dataset's suite, and the GX result (for its Data Docs page)."""
    data = validation_frame(frame, dataset)
    with _lock:  # one GX context per process: keep runs serial
        result = _validator().run(dataset, data, parameters, run_name)
    faults: list[dict[str, Any]] = []
    by_row = data.set_index(ROW_ID)
    for outcome in result.results:
        config = outcome.expectation_config
        meta = config.meta or {}
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"GX expectation {config.type} on {dataset} failed to run: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        if outcome.success:
            continue
        kwargs = config.kwargs
        checked = kwargs.get("column") or kwargs.get("column_A") or kwargs.get("column_list", [None])[0]
        column = meta.get("column") or kwargs.get("column") or kwargs.get("column_A") or ",".join(kwargs["column_list"])
        value_column = checked if checked == "absence_excess_min" else column.split(",")[0]
        # A comparison shows the other value too (exit_date 2024-08-29 is before entry_date 2024-09-02).
        pair = [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
        other = next((c for c in pair if c != column), None)
        for item in outcome.result.get("unexpected_index_list") or []:
            row = int(item[ROW_ID])
            faults.append({
                "source_row": row,
                "column": column,
                "rule": meta.get("rule", config.type),
                "description": meta.get("description", config.type),
                "expectation": config.type,
                "value": _cell(by_row, row, value_column),
                **({"other_column": other, "other_value": _cell(by_row, row, other)} if other else {}),
            })
    return faults, result


def _cell(by_row: pd.DataFrame, row: int, column: str):
    """The row's value as delivered would read it (a date without a time part); None if absent."""
    if column not in by_row.columns:
        return None
    value = by_row.at[row, column]
    if isinstance(value, pd.Series):  # duplicated row ids cannot happen, but stay safe
        value = value.iloc[0]
    return safe_value(value)
