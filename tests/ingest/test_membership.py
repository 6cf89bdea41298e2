"""exports.md: a row's person must be an accepted participant of the source, enrolled in the row's
kommunkod. ``membership_faults`` (vectorised) against the rule written out row by row."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ingest.pipeline import membership_faults

PEOPLE = [f"p{i}" for i in range(8)] + [None]
CODES = ["1480", "1489", None]


def reference(typed: pd.DataFrame, snapshot: pd.DataFrame, multi: bool) -> list[tuple]:
    persons = set(snapshot["person"].dropna())
    enrolled = set(zip(snapshot["person"], snapshot["kommunkod"], strict=True))
    rows = list(zip(typed["source_row"], typed["person"], typed["kommunkod"], strict=True))
    unknown = [(r, "person_not_in_participants", p) for r, p, _ in rows if isinstance(p, str) and p not in persons]
    wrong = [(r, "kommunkod_differs_from_enrolment", k) for r, p, k in rows
             if multi and isinstance(p, str) and p in persons and (p, k) not in enrolled]
    return unknown + wrong


def frame(pairs, dtype) -> pd.DataFrame:
    return pd.DataFrame({"person": pd.Series([p for p, _ in pairs], dtype=dtype),
                         "kommunkod": pd.Series([k for _, k in pairs], dtype="str")})


pairs = st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(CODES)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(rows=pairs, enrolments=pairs, multi=st.booleans(), dtype=st.sampled_from(["str", object]))
def test_membership_faults_follow_the_rule_row_by_row(rows, enrolments, multi, dtype):
    typed = frame(rows, dtype).assign(source_row=range(2, len(rows) + 2))
    snapshot = frame([(p, k) for p, k in enrolments if p is not None and k is not None], dtype)
    found = membership_faults(typed, snapshot, multi)
    got = [(f["source_row"], f["rule"], f["value"]) for f in found]
    want = reference(typed, snapshot, multi)
    assert [(r, rule) for r, rule, _ in got] == [(r, rule) for r, rule, _ in want]
    assert [v if isinstance(v, str) else None for _, _, v in got] == \
           [v if isinstance(v, str) else None for _, _, v in want]
    assert all(type(f["source_row"]) is int for f in found)
