"""harmonise converts each distinct cell value once: the same values, types and faults as cell by cell."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from deliveries import make_pnr

from transforms.config.sources import parse_sources
from transforms.ingest import harmonise as h
from transforms.ingest.file_context import FileContext

# Workbook cells mix types: True == 1 == 1.0 and "1" differ from each other only by type.
MIXED = [True, False, 1, 0, 1.0, 0.0, 2, 2.5, 1e20, "1", " 1 ", "1,5", "\uff12", "2025-03", "2025-3", "ja", "x",
         "T1", "t02", None, float("nan"), datetime(2025, 3, 1), date(2025, 3, 2), "2025-03-02", 1, True, None]
KINDS = [("date", "answered_on"), ("number", "hours"), ("integer", "scheduled_min"), ("boolean", "qualification"),
         ("month", "month"), ("wave", "wave"), ("code", "programme"), ("kommunkod", "kommunkod")]


def _ctx(tmp_path):
    config = parse_sources({"sources": [{"id": "s", "name": "S", "municipalities": ["1489"],
                                         "delivery": {"folder": "landing"}}]}, tmp_path)
    return FileContext(config.get("s"), "attendance", "2025-03", "f.csv", "0" * 64)


def _seen(value):
    """A converted value with its type; an empty one alike whether None or NaN (a code column's dtype is
    inferred from all its values, as ``Series.map`` infers it)."""
    return ("empty",) if value is None or (isinstance(value, float) and value != value) else (type(value), value)


@pytest.mark.parametrize("kind, column", KINDS)
@pytest.mark.parametrize("decimal", [".", ","])
def test_a_column_converts_as_its_cells_one_by_one(tmp_path, kind, column, decimal):
    ctx = _ctx(tmp_path)
    column_values, column_faults = h._convert_column(pd.Series(MIXED, dtype=object), kind, column, ctx, decimal)
    for position, value in enumerate(MIXED):
        one, one_faults = h._convert_column(pd.Series([value], dtype=object), kind, column, ctx, decimal)
        assert _seen(column_values.iloc[position]) == _seen(one.iloc[0]), (kind, value)
        fault, alone = column_faults.get(position), one_faults.get(0)
        assert (fault and (fault.rule, fault.message, fault.params)) == (alone and (alone.rule, alone.message,
                                                                                     alone.params)), (kind, value)


def test_person_ids_of_every_cell_type_are_parsed_once_each(tmp_path):
    ctx = _ctx(tmp_path)
    number = make_pnr(date(2007, 2, 28), 473)
    cells = [number, int(number), float(number), " " + number, number, True, 1, None, float("nan"), "x", number]
    header = ["person_id", "month", "scheduled_min", "attended_min", "absence_valid_min", "absence_invalid_min"]
    table = h.RawTable(header=header, rows=[[c, "2025-03", "60", "60", "0", "0"] for c in cells],
                       row_numbers=list(range(2, 2 + len(cells))))
    result = h.harmonise(table, ctx, b"k" * 32)
    persons = result.frame["person"].tolist()
    hashed = {p for p in persons if p is not None}
    assert len(hashed) == 1 and [p is not None for p in persons] == [True] * 5 + [False] * 5 + [True]
    faulty = [f["source_row"] for f in result.faults if f["rule"] == "invalid_personnummer"]
    assert faulty == [2 + i for i in (5, 6, 8, 9)]  # True, 1, NaN ("nan") and "x"; None is an empty cell


def test_ages_in_bulk_are_age_on_of_each_row():
    from transforms.privacy.personnummer import age_on

    births = [date(2007, 2, 28), date(2008, 2, 29), date(2008, 2, 29), None, date(1999, 12, 31), date(2007, 3, 1)]
    entries = [date(2025, 2, 28), date(2025, 2, 28), date(2025, 3, 1), date(2025, 1, 1), None, date(2025, 2, 28)]
    ages = h._ages(np.array(births, dtype="datetime64[D]"), pd.Series(entries, dtype=object))
    assert ages == [age_on(b, e) if b and e else None for b, e in zip(births, entries, strict=True)]
    assert ages == [18, 16, 17, None, None, 17] and all(type(a) in (int, type(None)) for a in ages)
