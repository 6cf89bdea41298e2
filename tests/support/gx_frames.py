"""Small typed frames of every dataset, as the GX suites see them, one delivery after another.

A sequence mimics a process that validates many small files: each file has its own period (the
suite's parameters change with it), its own municipalities and its own faulty rows, every one
breaking another rule. Shared by the GX tests and benchmarks/ingest_benchmark.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

DATE = "datetime64[s]"
PERIODS = ("2025-01", "2025-02", "2025-03")
MUNICIPALITIES = (["1489", "1480"], ["0180"], ["1280", "1281", "1282"])


def _day(period: str, day: int) -> pd.Timestamp:
    return pd.Timestamp(f"{period}-{day:02d}")


def _before(period: str) -> str:
    return str(pd.Period(period, "M") - 1)


# Per dataset: column -> (dtype, good value, bad value), each value a function of the period.
Spec = dict[str, tuple[str, Callable[[str], Any], Callable[[str], Any]]]
COLUMNS: dict[str, Spec] = {
    "participants": {
        "programme": ("str", lambda p: "IMA", lambda p: "XYZ"),
        "gender": ("str", lambda p: "female", lambda p: "?"),
        "entry_date": (DATE, lambda p: pd.Timestamp("2024-10-01"), lambda p: _day(p, 1) + pd.DateOffset(years=1)),
        "exit_date": (DATE, lambda p: pd.Timestamp("2024-12-01"), lambda p: pd.Timestamp("2024-01-01")),
        "exit_status": ("object", lambda p: "employed", lambda p: "elsewhere"),
        "qualification": ("boolean", lambda p: True, lambda p: False),
        "track": ("str", lambda p: "none", lambda p: "x"),
        "labour_status": ("str", lambda p: "inactive", lambda p: "x"),
        "newly_arrived": ("boolean", lambda p: False, lambda p: True),
        "foreign_background": ("boolean", lambda p: True, lambda p: False),
        "disability": ("str", lambda p: "no", lambda p: "x"),
        "age_at_entry": ("Int64", lambda p: 17, lambda p: 99),
        "period": ("str", lambda p: p, lambda p: p),
    },
    "attendance": {
        "month": ("object", lambda p: p, _before),
        "scheduled_min": ("Int64", lambda p: 1000, lambda p: 30000),
        "attended_min": ("Int64", lambda p: 900, lambda p: -5),
        "absence_valid_min": ("Int64", lambda p: 50, lambda p: -1),
        "absence_invalid_min": ("Int64", lambda p: 50, lambda p: 4000),
    },
    "survey": {
        "wave": ("object", lambda p: "T1", lambda p: "wave one"),
        "answered_on": (DATE, lambda p: _day(p, 10), lambda p: _day(p, 10) + pd.DateOffset(months=1)),
        "motivation": ("Float64", lambda p: 3.0, lambda p: 7.5),
        "future_hope": ("Float64", lambda p: 4.0, lambda p: 0.0),
        "wellbeing": ("Float64", lambda p: 2.0, lambda p: None),
    },
    "activities": {
        "activity": ("str", lambda p: "mi", lambda p: "Friluftsdag"),
        "date": (DATE, lambda p: _day(p, 5), lambda p: _day(p, 1) - pd.Timedelta(days=1)),
        "hours": ("Float64", lambda p: 2.0, lambda p: 0.0),
    },
}


def frame(dataset: str, rows: int, period: str, municipality: str,
          faults: dict[int, tuple[str, str]] | None = None) -> pd.DataFrame:
    """``rows`` clean rows of ``dataset``; ``faults`` maps a row position to (column, "missing"|"bad")."""
    spec = COLUMNS[dataset]
    values = {name: [good(period)] * rows for name, (_, good, _) in spec.items()}
    people = [f"p{i}" for i in range(rows)]
    places = [municipality] * rows
    for row, (column, kind) in (faults or {}).items():
        if column == "person":
            people[row] = None if kind == "missing" else people[(row + 1) % rows]  # absent, or twice
        elif column == "kommunkod":
            places[row] = None if kind == "missing" else "9999"
        else:
            values[column][row] = None if kind == "missing" else spec[column][2](period)
    out = pd.DataFrame({name: pd.Series(values[name], dtype=kind) for name, (kind, _, _) in spec.items()})
    if dataset == "participants":  # a qualification and a status only with an exit date
        out.loc[out["exit_date"].isna(), ["exit_status", "qualification"]] = [None, pd.NA]
    out["person"] = pd.Series(people, dtype=object)
    out["kommunkod"] = pd.Series(places, dtype="str")
    out["source_row"] = pd.Series(range(2, rows + 2), dtype="int64")
    return out


def deliveries(dataset: str, files: int, rows: int = 138, faulty_rows: int = 2) -> Iterator[tuple[pd.DataFrame, dict]]:
    """``files`` frames of ``dataset`` with the parameters of each (validate.parameters_for's shape).

    File i has period PERIODS[i % 3], municipalities MUNICIPALITIES[i % 3] and ``faulty_rows``
    faulty rows, which rotate through every column (missing, then a bad value); every fourth file is clean.
    """
    from transforms.ingest.validate import parameters_for

    columns = ["person", "kommunkod", *COLUMNS[dataset]]
    for i in range(files):
        period = PERIODS[i % len(PERIODS)]
        places = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        faults = {} if i % 4 == 3 else {
            (7 * i + 11 * k) % rows: (columns[(i + k) % len(columns)], ("missing", "bad")[(i // len(columns) + k) % 2])
            for k in range(faulty_rows)}
        start = pd.Period(period, "M").start_time
        parameters = parameters_for(start, pd.Period(period, "M").end_time.normalize(), period, places)
        yield frame(dataset, rows, period, places[0], faults), parameters
