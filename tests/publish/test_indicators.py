"""transforms.publish.indicators: hand-computed cases for every indicator of indicators.md,
the person/enrolment rules, staleness, and a cross-check against a plain
loop-per-person reference implementation on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transforms.config.project import current_project
from transforms.config.schema import GENDERS, curated_columns
from transforms.period import month_range
from transforms.publish.indicators import (
    INDICATOR_CODES,
    INDICATORS,
    RESTRICTED_COLUMNS,
    IndicatorInputs,
    areas,
    catalogue,
    compute,
    published_periods,
    source_status,
)

PROJECT = current_project()  # the default project file: Fokus IM
MUNICIPALITIES, REGION_CODE, federation_of = PROJECT.municipalities, PROJECT.region_code, PROJECT.federation_of
KFV = {"1488", "1487"}


def source_of(kommunkod: str) -> str:
    return "kfv" if kommunkod in KFV else kommunkod


# ---------------------------------------------------------------- builders


def enrol(person, kommunkod, period, entry, *, exit=None, status=None, qual=None, gender="female",
          age=16, labour="inactive", disability="no", foreign=False, track="none", source=None):
    """One curated participants row of the snapshot for ``period``."""
    return {
        "person": person, "programme": "IMS", "gender": gender,
        "entry_date": pd.Timestamp(entry), "exit_date": pd.Timestamp(exit) if exit else pd.NaT,
        "exit_status": status, "qualification": qual, "track": track, "labour_status": labour,
        "newly_arrived": False, "foreign_background": foreign, "disability": disability,
        "age_at_entry": age, "kommunkod": kommunkod, "period": period,
        "source": source or source_of(kommunkod), "file_sha256": "0" * 64, "source_row": 2,
    }


def snapshot(period, *rows):
    """The same enrolments restated in the snapshot of ``period``."""
    return [{**r, "period": period} for r in rows]


def att(person, kommunkod, month, scheduled, attended):
    return {"person": person, "month": month, "scheduled_min": scheduled, "attended_min": attended,
            "absence_valid_min": None, "absence_invalid_min": None, "kommunkod": kommunkod,
            "period": month, "source": source_of(kommunkod), "file_sha256": "0" * 64, "source_row": 2}


def srv(person, kommunkod, wave, answered_on, motivation=None, future_hope=None, wellbeing=None):
    return {"person": person, "wave": wave, "answered_on": pd.Timestamp(answered_on),
            "motivation": motivation, "future_hope": future_hope, "wellbeing": wellbeing,
            "kommunkod": kommunkod, "period": answered_on[:7], "source": source_of(kommunkod),
            "file_sha256": "0" * 64, "source_row": 2}


def act(person, kommunkod, activity, date):
    return {"person": person, "activity": activity, "date": pd.Timestamp(date), "hours": 2.0,
            "kommunkod": kommunkod, "period": date[:7], "source": source_of(kommunkod),
            "file_sha256": "0" * 64, "source_row": 2}


def frame(rows, dataset):
    df = pd.DataFrame(list(rows), columns=curated_columns(dataset))
    for col in ("scheduled_min", "attended_min", "absence_valid_min", "absence_invalid_min", "age_at_entry"):
        if col in df.columns:
            df[col] = df[col].astype("Int64")
    for col in ("motivation", "future_hope", "wellbeing", "hours"):
        if col in df.columns:
            df[col] = df[col].astype("Float64")
    for col in ("qualification", "newly_arrived", "foreign_background"):
        if col in df.columns:
            df[col] = df[col].astype("boolean")
    return df


def make(participants=(), attendance=(), survey=(), activities=(), sources=None):
    part = frame(participants, "participants")
    return IndicatorInputs(
        participants=part,
        attendance=frame(attendance, "attendance"),
        survey=frame(survey, "survey"),
        activities=frame(activities, "activities"),
        sources=list(sources) if sources is not None else sorted(set(part["source"])),
    )


def level_of(area):
    if area == REGION_CODE:
        return "region"
    return "municipality" if area in MUNICIPALITIES else "federation"


def cell(table, period, area, indicator, gender="all"):
    hit = table[(table["period"] == period) & (table["area_code"] == area)
                & (table["area_level"] == level_of(area)) & (table["indicator"] == indicator)
                & (table["gender"] == gender)]
    assert len(hit) == 1, (period, area, indicator, gender)
    row = hit.iloc[0]
    return {k: (None if pd.isna(row[k]) else row[k]) for k in ("numerator", "denominator", "value", "persons")}


def count(table, period, area, indicator, gender="all"):
    c = cell(table, period, area, indicator, gender)
    assert c["denominator"] is None and c["value"] == c["numerator"] == c["persons"]
    return c["numerator"]


def rate(table, period, area, indicator, gender="all"):
    """(numerator, denominator, value, persons) of a rate cell."""
    c = cell(table, period, area, indicator, gender)
    return c["numerator"], c["denominator"], c["value"], c["persons"]


# ---------------------------------------------------------------- participant counts


def test_entry_attribute_counts_eeco():
    rows = [
        enrol("a", "1480", "2024-11", "2024-09-10", gender="female", age=16, foreign=True),
        enrol("b", "1480", "2024-11", "2024-10-02", gender="male", age=18, labour="unemployed", disability="yes"),
        enrol("c", "1480", "2024-11", "2024-10-20", gender="nonbinary", age=29, labour="long_term_unemployed",
              disability="unknown"),
        enrol("d", "1480", "2024-11", "2024-11-05", gender="male", age=30, labour="employed"),
        enrol("e", "1480", "2024-11", "2024-09-01", gender="female", age=17),
    ]
    table, _ = compute(make(rows), ["2024-09", "2024-10", "2024-11"])
    expected_oct = {"EECO01": 4, "EECO02": 2, "EECO03": 1, "EECO04": 2, "EECO05": 0,
                    "EECO06": 2, "EECO07": 2, "EECO12": 1, "EECO14": 1}
    for area in ("1480", "GR", "FOKUS"):
        for code, n in expected_oct.items():
            assert count(table, "2024-10", area, code) == n, (area, code)
    assert count(table, "2024-09", "1480", "EECO01") == 2
    assert count(table, "2024-11", "1480", "EECO01") == 5
    assert count(table, "2024-11", "1480", "EECO05") == 1
    assert count(table, "2024-11", "1480", "EECO07") == 2  # 30 is not "18 to 29"
    assert count(table, "2024-10", "1480", "EECO01", "female") == 2
    assert count(table, "2024-10", "1480", "EECO01", "male") == 1
    assert count(table, "2024-10", "1480", "EECO01", "nonbinary") == 1
    assert count(table, "2024-10", "1480", "EECO02", "female") == 0
    assert count(table, "2024-10", "1489", "EECO01") == 0
    assert count(table, "2024-10", "SKARABORG", "EECO01") == 0


def _flows_inputs():
    s = "2024-12"
    return make([
        enrol("f", "1496", s, "2024-09-05", exit="2024-10-15", status="job_seeking", qual=False),
        enrol("g", "1496", s, "2024-09-05", exit="2024-11-03", status="studies_national", qual=False),
        enrol("h", "1496", s, "2024-10-01", exit="2024-11-30", status="studies_other", qual=True, gender="male"),
        enrol("i", "1496", s, "2024-09-20", exit="2024-12-01", status="employed", qual=False),
        enrol("j", "1496", s, "2024-11-11"),
        enrol("k", "1496", s, "2024-09-01", exit="2024-09-30", status="other", qual=True),
    ])


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2024-09", {"ENTRANTS": 4, "EXITS": 1, "ACTIVE": 4, "EECR01": 0, "EECR02": 0, "EECR03": 1,
                     "EECR04": 0, "EECO01": 4}),
        ("2024-10", {"ENTRANTS": 1, "EXITS": 1, "ACTIVE": 4, "EECR01": 1, "EECR02": 0, "EECR03": 1,
                     "EECR04": 0, "EECO01": 5}),
        ("2024-11", {"ENTRANTS": 1, "EXITS": 2, "ACTIVE": 4, "EECR01": 1, "EECR02": 2, "EECR03": 2,
                     "EECR04": 0, "EECO01": 6}),
        ("2024-12", {"ENTRANTS": 0, "EXITS": 1, "ACTIVE": 2, "EECR01": 1, "EECR02": 2, "EECR03": 2,
                     "EECR04": 1, "EECO01": 6}),
    ],
)
def test_flows_and_results_eecr(period, expected):
    table, _ = compute(_flows_inputs(), month_range("2024-09", "2024-12"))
    for area in ("1496", "SKARABORG", "FOKUS"):
        for code, n in expected.items():
            assert count(table, period, area, code) == n, (area, code)


def test_completion():
    table, _ = compute(_flows_inputs(), month_range("2024-09", "2024-12"))
    # k leaves with a qualification; f job seeking; g national programme; h qualification; i employed
    assert rate(table, "2024-09", "1496", "COMPLETION") == (1, 1, 1.0, 1)
    assert rate(table, "2024-10", "1496", "COMPLETION") == (1, 2, 0.5, 2)
    assert rate(table, "2024-11", "1496", "COMPLETION") == (3, 4, 0.75, 4)
    assert rate(table, "2024-12", "SKARABORG", "COMPLETION") == (3, 5, 0.6, 5)
    assert rate(table, "2024-11", "1496", "COMPLETION", "male") == (1, 1, 1.0, 1)
    # no leavers at all: denominator 0, value empty
    assert rate(table, "2024-11", "1480", "COMPLETION") == (0, 0, None, 0)


# ---------------------------------------------------------------- enrolments in two municipalities


def _movers():
    s = "2025-03"
    return make([
        # m moves from Göteborg to Alingsås (both GR): attributes differ between the enrolments
        enrol("m", "1480", s, "2024-09-10", exit="2025-01-20", status="other", qual=False,
              gender="female", age=17),
        enrol("m", "1489", s, "2025-02-03", gender="male", age=18, labour="unemployed"),
        # n moves from Göteborg (GR) to Skövde (SKARABORG)
        enrol("n", "1480", s, "2024-10-01", exit="2024-12-15", status="studies_other", qual=False, gender="male"),
        enrol("n", "1496", s, "2025-01-10", exit="2025-02-20", status="employed", qual=False, gender="male"),
        # t: two enrolments with the same entry date: attributes from the lowest kommunkod
        # (1402, male), exit from the highest (1480, still open)
        enrol("t", "1480", s, "2024-09-01", gender="female"),
        enrol("t", "1402", s, "2024-09-01", exit="2024-10-05", status="job_seeking", qual=False, gender="male"),
    ])


def test_person_in_two_municipalities_counts_once():
    table, _ = compute(_movers(), month_range("2024-09", "2025-03"))
    p = "2025-03"
    assert count(table, p, "1480", "EECO01") == 3
    assert count(table, p, "1489", "EECO01") == 1
    assert count(table, p, "1402", "EECO01") == 1
    assert count(table, p, "1496", "EECO01") == 1
    assert count(table, p, "GR", "EECO01") == 3  # m, n, t once each
    assert count(table, p, "SKARABORG", "EECO01") == 1
    assert count(table, p, "FOKUS", "EECO01") == 3


def test_attributes_from_earliest_enrolment():
    table, _ = compute(_movers(), month_range("2024-09", "2025-03"))
    p = "2025-03"
    # m at Alingsås: male, 18, unemployed; in GR: female, 17, inactive (Göteborg enrolment)
    assert count(table, p, "1489", "EECO01", "male") == 1
    assert count(table, p, "1489", "EECO07") == 1
    assert count(table, p, "1489", "EECO02") == 1
    assert count(table, p, "GR", "EECO02") == 0
    assert count(table, p, "GR", "EECO06") == 3
    assert count(table, p, "GR", "EECO01", "female") == 1  # m
    assert count(table, p, "GR", "EECO01", "male") == 2  # n, t (t from Partille: lowest kommunkod)
    assert count(table, p, "1480", "EECO01", "female") == 2  # m and t at Göteborg
    # entry is the earliest entry: m did not enter GR in 2025-02
    assert count(table, "2025-02", "1489", "ENTRANTS") == 1
    assert count(table, "2025-02", "GR", "ENTRANTS") == 0
    assert count(table, "2024-09", "GR", "ENTRANTS") == 2  # m, t
    assert count(table, "2024-10", "FOKUS", "ENTRANTS") == 1  # n


def test_exit_from_latest_enrolment():
    table, _ = compute(_movers(), month_range("2024-09", "2025-03"))
    # m left Göteborg in 2025-01 but not GR (the Alingsås enrolment is open), even before it began
    assert count(table, "2025-01", "1480", "EXITS") == 1
    assert count(table, "2025-01", "GR", "EXITS") == 0
    assert count(table, "2025-01", "GR", "ACTIVE") == 2  # m, t; n left GR in 2024-12
    # n left GR in 2024-12 (studies_other) but the region only in 2025-02 (employed)
    assert count(table, "2024-12", "GR", "EECR02") == 1
    assert count(table, "2024-12", "GR", "EXITS") == 1
    assert count(table, "2024-12", "FOKUS", "EXITS") == 0
    assert count(table, "2024-12", "FOKUS", "EECR02") == 0
    assert count(table, "2025-02", "FOKUS", "EXITS") == 1
    assert count(table, "2025-02", "FOKUS", "EECR04") == 1
    assert count(table, "2025-01", "FOKUS", "ACTIVE") == 3
    # t: same entry date; exit from the highest kommunkod (1480, open)
    assert count(table, "2024-10", "1402", "EECR01") == 1
    assert count(table, "2024-10", "GR", "EECR01") == 0
    assert count(table, "2024-11", "GR", "ACTIVE") == 3
    assert rate(table, "2025-03", "FOKUS", "COMPLETION") == (0, 1, 0.0, 1)


def test_same_entry_date_ties_go_by_kommunkod_not_source():
    s = "2024-10"
    inputs = make([
        enrol("r", "1496", s, "2024-09-02", exit="2024-10-10", status="employed", qual=False, gender="female"),
        enrol("r", "1488", s, "2024-09-02", gender="male", age=19),  # source kfv sorts after 1496
    ])
    table, _ = compute(inputs, ["2024-09", "2024-10"])
    assert count(table, "2024-10", "FOKUS", "EECO01", "male") == 1  # attributes: 1488
    assert count(table, "2024-10", "FOKUS", "EECO07") == 1
    assert count(table, "2024-10", "FOKUS", "EXITS") == 1  # exit: 1496
    assert count(table, "2024-10", "FOKUS", "EECR04") == 1
    assert count(table, "2024-10", "FYRBODAL", "EXITS") == 0


# ---------------------------------------------------------------- snapshots


def test_late_correction_restates_earlier_periods():
    q_oct = enrol("q", "1480", "2024-10", "2024-10-03")
    r_oct = enrol("r", "1480", "2024-10", "2024-10-04", gender="male")
    q_nov = enrol("q", "1480", "2024-11", "2024-09-20")  # entry corrected a month earlier
    inputs = make([*snapshot("2024-10", q_oct, r_oct), q_nov])  # r quarantined in the newest
    table, status = compute(inputs, month_range("2024-09", "2024-11"))
    assert count(table, "2024-09", "1480", "ENTRANTS") == 1
    assert count(table, "2024-10", "1480", "ENTRANTS") == 0
    assert count(table, "2024-09", "1480", "EECO01") == 1
    # r's enrolment is quarantined in the newest snapshot: left out of every period
    assert count(table, "2024-10", "1480", "EECO01") == 1
    assert count(table, "2024-10", "1480", "EECO01", "male") == 0
    assert not status["stale"].any()


def test_quarantined_enrolment_left_out_other_enrolment_counts():
    older = [
        enrol("v", "1480", "2024-10", "2024-09-05", gender="female", age=16),
        enrol("v", "1489", "2024-10", "2024-09-02", gender="male", age=19),
    ]
    newest = [enrol("v", "1480", "2024-11", "2024-09-05", gender="female", age=16)]  # 1489 row quarantined
    also_1489 = [enrol("w", "1489", "2024-11", "2024-10-01", gender="male", age=19)]
    table, _ = compute(make([*older, *newest, *also_1489]), month_range("2024-09", "2024-11"))
    assert count(table, "2024-11", "1489", "EECO01") == 1  # w only
    assert count(table, "2024-11", "GR", "EECO01", "female") == 1  # v, attributes from 1480
    assert count(table, "2024-11", "GR", "EECO07") == 1  # w; v is 16 by its 1480 enrolment
    assert count(table, "2024-09", "GR", "ENTRANTS") == 1


def test_stale_source_and_source_status():
    inputs = make(
        [
            enrol("a", "1480", "2024-09", "2024-09-01"),
            *snapshot("2024-10", enrol("a", "1480", "2024-09", "2024-09-01")),
            *snapshot("2024-11", enrol("a", "1480", "2024-09", "2024-09-01")),
            enrol("b", "1496", "2024-09", "2024-09-03"),  # Skövde never delivers again
            enrol("c", "1488", "2024-09", "2024-09-04"),  # kfv skips 2024-10
            *snapshot("2024-11", enrol("c", "1488", "2024-09", "2024-09-04")),
        ],
        sources=["1480", "1496", "kfv", "1463"],  # Mark never delivered
    )
    periods = month_range("2024-09", "2024-11")
    table, status = compute(inputs, periods)
    assert list(status.columns) == ["period", "source", "stale", "snapshot_period"]
    got = {(r.period, r.source): (bool(r.stale), None if pd.isna(r.snapshot_period) else r.snapshot_period)
           for r in status.itertuples()}
    assert got == {
        ("2024-09", "1463"): (True, None), ("2024-10", "1463"): (True, None), ("2024-11", "1463"): (True, None),
        ("2024-09", "1480"): (False, "2024-11"), ("2024-10", "1480"): (False, "2024-11"),
        ("2024-11", "1480"): (False, "2024-11"),
        ("2024-09", "1496"): (False, "2024-09"), ("2024-10", "1496"): (True, "2024-09"),
        ("2024-11", "1496"): (True, "2024-09"),
        ("2024-09", "kfv"): (False, "2024-11"), ("2024-10", "kfv"): (False, "2024-11"),
        ("2024-11", "kfv"): (False, "2024-11"),
    }
    # the stale source's newest snapshot stands in
    assert count(table, "2024-11", "1496", "EECO01") == 1
    assert count(table, "2024-11", "FOKUS", "EECO01") == 3
    assert source_status(inputs, periods).equals(status)


def test_published_periods():
    inputs = make(
        [enrol("a", "1480", "2024-10", "2024-09-01")],
        activities=[act("a", "1480", "mi", "2025-01-15")],
    )
    assert published_periods(inputs) == month_range("2024-09", "2025-01")
    assert published_periods(make()) == []


# ---------------------------------------------------------------- attendance


def _attendance_inputs():
    s = "2024-11"
    participants = [
        enrol("v", "1480", s, "2024-09-01", gender="female"),
        enrol("w", "1480", s, "2024-09-01", gender="male"),
        enrol("x", "1480", s, "2024-09-01", gender="nonbinary"),
        enrol("y", "1480", s, "2024-09-01", gender="female"),
        enrol("u", "1480", s, "2024-09-01", exit="2024-10-15", status="other", qual=False, gender="male"),
        enrol("u", "1489", s, "2024-10-16", gender="male"),
    ]
    attendance = [
        att("v", "1480", "2024-09", 0, 0),
        att("v", "1480", "2024-10", 1000, 900),
        att("v", "1480", "2024-11", 1000, 950),
        att("w", "1480", "2024-09", 1000, 600),
        att("w", "1480", "2024-10", 1000, 500),
        att("w", "1480", "2024-11", 1000, 600),
        att("x", "1480", "2024-10", 0, 0),
        att("y", "1480", "2024-09", 1000, 500),
        att("y", "1480", "2024-11", 800, 500),
        att("u", "1480", "2024-09", 1000, 500),
        att("u", "1480", "2024-10", 400, 400),
        att("u", "1489", "2024-10", 600, 300),
        att("u", "1489", "2024-11", 500, 500),
        att("ghost", "1480", "2024-10", 1000, 0),  # not a participant: never counts
    ]
    return make(participants, attendance)


def test_attendance_rate():
    table, _ = compute(_attendance_inputs(), month_range("2024-09", "2024-11"))
    assert rate(table, "2024-10", "1480", "ATTENDANCE_RATE") == (1800, 2400, 0.75, 3)
    assert rate(table, "2024-10", "1480", "ATTENDANCE_RATE", "female") == (900, 1000, 0.9, 1)
    assert rate(table, "2024-10", "1480", "ATTENDANCE_RATE", "nonbinary") == (0, 0, None, 0)
    assert rate(table, "2024-10", "1489", "ATTENDANCE_RATE") == (300, 600, 0.5, 1)
    # the mover's rows of both municipalities are summed once at federation level
    assert rate(table, "2024-10", "GR", "ATTENDANCE_RATE") == (2100, 3000, 0.7, 3)
    assert rate(table, "2024-10", "GR", "ATTENDANCE_RATE", "male") == (1200, 2000, 0.6, 2)
    assert rate(table, "2024-10", "FOKUS", "ATTENDANCE_RATE") == (2100, 3000, 0.7, 3)
    assert rate(table, "2024-09", "1480", "ATTENDANCE_RATE") == (1600, 3000, 1600 / 3000, 3)
    assert rate(table, "2024-10", "1496", "ATTENDANCE_RATE") == (0, 0, None, 0)


def test_attendance_improved():
    table, _ = compute(_attendance_inputs(), month_range("2024-09", "2024-11"))
    # 1480, 2024-10: w (0.5 vs 0.6) and u (1.0 vs 0.5) have an earlier month; v starts in 10
    assert rate(table, "2024-09", "1480", "ATTENDANCE_IMPROVED") == (0, 0, None, 0)
    assert rate(table, "2024-10", "1480", "ATTENDANCE_IMPROVED") == (1, 2, 0.5, 2)
    # 2024-11: v 0.95 > 0.9, w 0.6 = 0.6 (not greater), y 0.625 > 0.5 (no minutes in 10)
    assert rate(table, "2024-11", "1480", "ATTENDANCE_IMPROVED") == (2, 3, 2 / 3, 3)
    assert rate(table, "2024-11", "1480", "ATTENDANCE_IMPROVED", "female") == (2, 2, 1.0, 2)
    # u at Alingsås starts in 10 (0.5), improves in 11 (1.0)
    assert rate(table, "2024-10", "1489", "ATTENDANCE_IMPROVED") == (0, 0, None, 0)
    assert rate(table, "2024-11", "1489", "ATTENDANCE_IMPROVED") == (1, 1, 1.0, 1)
    # GR: u's first month is 09 at Göteborg (0.5); 10 summed over both (700/1000)
    assert rate(table, "2024-10", "GR", "ATTENDANCE_IMPROVED") == (1, 2, 0.5, 2)
    assert rate(table, "2024-11", "GR", "ATTENDANCE_IMPROVED") == (3, 4, 0.75, 4)


# ---------------------------------------------------------------- survey


def _survey_inputs():
    s = "2024-11"
    participants = [enrol(p, "1480", s, "2024-09-01") for p in ("s1", "s2", "s3", "s4")]
    participants += [
        enrol("s5", "1480", s, "2024-09-01"), enrol("s5", "1489", s, "2024-10-01"),
        enrol("s6", "1480", s, "2024-09-01", gender="male"), enrol("s6", "1489", s, "2024-10-01", gender="male"),
    ]
    survey = [
        srv("s1", "1480", "T0", "2024-09-10", motivation=3, future_hope=4),
        srv("s1", "1480", "T1", "2024-11-10", motivation=4, future_hope=4, wellbeing=3),
        srv("s2", "1480", "T1", "2024-10-10", motivation=5),  # no T0
        srv("s3", "1480", "T0", "2024-09-10", motivation=2, wellbeing=2),
        srv("s3", "1480", "T1", "2024-10-10", motivation=1),
        srv("s3", "1480", "T2", "2024-11-10", wellbeing=4),  # latest motivation stays T1's
        srv("s4", "1480", "T0", "2024-09-10", motivation=3),
        srv("s4", "1480", "T1", "2024-10-10", motivation=2),
        srv("s4", "1480", "T1", "2024-11-05", motivation=4),  # answered again: replaces from 2024-11
        srv("s5", "1480", "T0", "2024-09-10", motivation=3),
        srv("s5", "1480", "T1", "2024-10-05", motivation=2),
        srv("s5", "1489", "T1", "2024-10-20", motivation=5),  # later answered_on wins in GR
        srv("s6", "1480", "T0", "2024-09-10", motivation=3),
        srv("s6", "1480", "T1", "2024-10-20", motivation=4),
        srv("s6", "1489", "T1", "2024-10-20", motivation=2),  # same day: higher kommunkod wins
    ]
    return make(participants, survey=survey)


def test_motivation_improved():
    table, _ = compute(_survey_inputs(), month_range("2024-09", "2024-11"))
    code = "MOTIVATION_IMPROVED"
    assert rate(table, "2024-09", "1480", code) == (0, 0, None, 0)
    # 1480: s3 (1<2), s4 (2<3), s5 (2<3 at Göteborg), s6 (4>3 at Göteborg)
    assert rate(table, "2024-10", "1480", code) == (1, 4, 0.25, 4)
    assert rate(table, "2024-10", "1480", code, "male") == (1, 1, 1.0, 1)
    # + s1 (4>3); s4's T1 re-answered 4>3
    assert rate(table, "2024-11", "1480", code) == (3, 5, 0.6, 5)
    # 1489 has no T0 of its own
    assert rate(table, "2024-11", "1489", code) == (0, 0, None, 0)
    # GR: s5's later T1 (5) wins; s6's tie goes to 1489 (2)
    assert rate(table, "2024-10", "GR", code) == (1, 4, 0.25, 4)
    assert rate(table, "2024-10", "GR", code, "male") == (0, 1, 0.0, 1)
    assert rate(table, "2024-11", "GR", code) == (3, 5, 0.6, 5)
    assert rate(table, "2024-11", "FOKUS", code) == (3, 5, 0.6, 5)


def test_future_hope_and_wellbeing_improved():
    table, _ = compute(_survey_inputs(), month_range("2024-09", "2024-11"))
    # s1: 4 -> 4 is not an improvement
    assert rate(table, "2024-10", "1480", "FUTURE_HOPE_IMPROVED") == (0, 0, None, 0)
    assert rate(table, "2024-11", "1480", "FUTURE_HOPE_IMPROVED") == (0, 1, 0.0, 1)
    # s1 has no T0 wellbeing; s3: 2 -> 4 at T2
    assert rate(table, "2024-10", "1480", "WELLBEING_IMPROVED") == (0, 0, None, 0)
    assert rate(table, "2024-11", "1480", "WELLBEING_IMPROVED") == (1, 1, 1.0, 1)
    assert rate(table, "2024-11", "GR", "WELLBEING_IMPROVED") == (1, 1, 1.0, 1)


def test_wave_replaced_across_periods_only_for_later_periods():
    participants = [enrol("p", "1442", "2024-12", "2024-09-01")]
    survey = [
        srv("p", "1442", "T0", "2024-09-10", motivation=3),
        srv("p", "1442", "T1", "2024-10-10", motivation=4),
        srv("p", "1442", "T0", "2024-11-10", motivation=5),  # T0 answered again
    ]
    table, _ = compute(make(participants, survey=survey), month_range("2024-09", "2024-12"))
    assert rate(table, "2024-10", "1442", "MOTIVATION_IMPROVED") == (1, 1, 1.0, 1)
    assert rate(table, "2024-11", "1442", "MOTIVATION_IMPROVED") == (0, 1, 0.0, 1)
    assert rate(table, "2024-12", "SJUHARAD", "MOTIVATION_IMPROVED") == (0, 1, 0.0, 1)


# ---------------------------------------------------------------- activities


def test_work_placement():
    s = "2024-11"
    participants = [
        enrol("z1", "1463", s, "2024-09-02", track="worklife"),
        enrol("z2", "1463", s, "2024-10-02", track="vocational", gender="male"),
        enrol("z3", "1463", s, "2024-09-02", track="none"),
        enrol("z4", "1463", s, "2024-11-01", track="vocational"),
    ]
    activities = [
        act("z1", "1463", "internship", "2024-10-05"),
        act("z2", "1463", "mi", "2024-10-05"),
        act("z3", "1463", "apl", "2024-09-05"),
        act("z4", "1463", "apl", "2024-11-20"),
    ]
    table, _ = compute(make(participants, activities=activities), month_range("2024-09", "2024-11"))
    assert rate(table, "2024-09", "1463", "WORK_PLACEMENT") == (0, 1, 0.0, 1)
    assert rate(table, "2024-10", "1463", "WORK_PLACEMENT") == (1, 2, 0.5, 2)
    assert rate(table, "2024-11", "1463", "WORK_PLACEMENT") == (2, 3, 2 / 3, 3)
    assert rate(table, "2024-11", "SJUHARAD", "WORK_PLACEMENT", "male") == (0, 1, 0.0, 1)
    assert rate(table, "2024-11", "1442", "WORK_PLACEMENT") == (0, 0, None, 0)


# ---------------------------------------------------------------- table shape


def test_every_cell_exists_zeros_included():
    periods = month_range("2024-09", "2024-11")
    table, _ = compute(_flows_inputs(), periods)
    assert list(table.columns) == RESTRICTED_COLUMNS
    n_areas = len(MUNICIPALITIES) + len(PROJECT.federations) + 1
    assert len(table) == len(periods) * n_areas * len(GENDERS) * len(INDICATOR_CODES)
    assert not table.duplicated(["period", "area_level", "area_code", "gender", "indicator"]).any()
    assert set(table["indicator"]) == set(INDICATOR_CODES)
    assert str(table["numerator"].dtype) == "Int64"
    assert str(table["denominator"].dtype) == "Int64"
    assert str(table["persons"].dtype) == "Int64"
    assert table["numerator"].notna().all() and table["persons"].notna().all()
    counts = table[~table["indicator"].isin([i.code for i in INDICATORS if i.kind == "rate"])]
    assert counts["denominator"].isna().all()
    assert (counts["value"] == counts["numerator"]).all()
    rates = table[table["indicator"].isin([i.code for i in INDICATORS if i.kind == "rate"])]
    assert rates["denominator"].notna().all()
    assert rates.loc[rates["denominator"] == 0, "value"].isna().all()
    assert rates.loc[rates["denominator"] > 0, "value"].notna().all()
    # zero-person cells: a municipality without participants
    assert count(table, "2024-10", "1498", "EECO01") == 0
    assert rate(table, "2024-10", "1498", "ATTENDANCE_RATE") == (0, 0, None, 0)
    # deterministic order
    levels = {"municipality": 0, "federation": 1, "region": 2}
    key = table.assign(lv=table["area_level"].map(levels), g=table["gender"].map(GENDERS.index),
                       i=table["indicator"].map(INDICATOR_CODES.index))
    assert key.sort_values(["period", "lv", "area_code", "g", "i"]).index.equals(table.index)


def test_gender_cells_add_up_to_all():
    table, _ = compute(_movers(), month_range("2024-09", "2025-03"))
    k = ["period", "area_level", "area_code", "indicator"]
    parts = table[table["gender"] != "all"].groupby(k)[["numerator", "persons"]].sum()
    total = table[table["gender"] == "all"].set_index(k)[["numerator", "persons"]]
    assert parts.sort_index().equals(total.sort_index())


def test_empty_inputs_and_no_periods():
    table, status = compute(make(sources=["1480"]), ["2024-09"])
    assert (table["numerator"] == 0).all()
    assert bool(status["stale"].iloc[0]) and pd.isna(status["snapshot_period"].iloc[0])
    table, status = compute(make(), [])
    assert table.empty and list(table.columns) == RESTRICTED_COLUMNS and status.empty


def test_rejects_bad_period_and_unknown_kommunkod():
    with pytest.raises(ValueError, match="ÅÅÅÅ-MM|YYYY-MM"):
        compute(make(), ["2024-13"])
    with pytest.raises(ValueError, match="kommunkod"):
        compute(make([enrol("a", "9999", "2024-09", "2024-09-01", source="x")]), ["2024-09"])


def test_indicator_metadata():
    meta = catalogue()
    assert list(meta.columns) == ["code", "name_sv", "name_en", "definition", "kind"]
    assert list(meta["code"]) == list(INDICATOR_CODES)
    assert set(meta["kind"]) == {"count", "rate"}
    assert meta["code"].is_unique and meta.notna().all().all()
    assert set(meta.loc[meta["kind"] == "rate", "code"]) == {
        "ATTENDANCE_RATE", "ATTENDANCE_IMPROVED", "MOTIVATION_IMPROVED", "FUTURE_HOPE_IMPROVED",
        "WELLBEING_IMPROVED", "WORK_PLACEMENT", "COMPLETION",
    }
    assert len(areas()) == 15


# ---------------------------------------------------------------- cross-check with a plain reference


def _in_area(level, code, kommunkod):
    if level == "municipality":
        return kommunkod == code
    if level == "federation":
        return federation_of(kommunkod) == code
    return True


def _m(ts):
    return None if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m")


def reference(inputs: IndicatorInputs, periods: list[str]) -> dict:
    """indicators.md read literally, one person at a time (slow, obvious)."""
    part = inputs.participants
    snap = part[part["period"] == part.groupby("source")["period"].transform("max")]
    enrolments = snap.to_dict("records")
    attendance = inputs.attendance.to_dict("records")
    survey = inputs.survey.to_dict("records")
    activities = inputs.activities.to_dict("records")
    out = {}
    for level, code in areas():
        by_person = {}
        for e in enrolments:
            if _in_area(level, code, e["kommunkod"]):
                by_person.setdefault(e["person"], []).append(e)
        info = {}
        for person, es in by_person.items():
            first = min(es, key=lambda e: (e["entry_date"], e["kommunkod"], e["source"]))
            last = max(es, key=lambda e: (e["entry_date"], e["kommunkod"], e["source"]))
            info[person] = {
                "gender": first["gender"], "entry": _m(first["entry_date"]), "age": first["age_at_entry"],
                "labour": first["labour_status"], "disability": first["disability"],
                "foreign": bool(first["foreign_background"]), "track": first["track"],
                "exit": _m(last["exit_date"]), "status": last["exit_status"],
                "qual": last["qualification"] is True,
            }

        def mine(rows, info=info, level=level, code=code):
            return [r for r in rows if _in_area(level, code, r["kommunkod"]) and r["person"] in info]

        a_rows, s_rows, c_rows = mine(attendance), mine(survey), mine(activities)
        for p in periods:
            cells = {}

            def add(person, indicator, num, den, persons, cells=cells, info=info):
                for g in ("all", info[person]["gender"]):
                    n0, d0, p0 = cells.get((g, indicator), (0, 0, 0))
                    cells[(g, indicator)] = (n0 + num, d0 + den, p0 + persons)

            for person, i in info.items():
                entered = i["entry"] <= p
                exited = entered and i["exit"] is not None and i["exit"] <= p
                flags = {
                    "EECO01": entered,
                    "EECO02": entered and i["labour"] in ("unemployed", "long_term_unemployed"),
                    "EECO03": entered and i["labour"] == "long_term_unemployed",
                    "EECO04": entered and i["labour"] == "inactive",
                    "EECO05": entered and i["labour"] == "employed",
                    "EECO06": entered and i["age"] < 18,
                    "EECO07": entered and 18 <= i["age"] <= 29,
                    "EECO12": entered and i["disability"] == "yes",
                    "EECO14": entered and i["foreign"],
                    "EECR01": exited and i["status"] == "job_seeking",
                    "EECR02": exited and i["status"] in ("studies_national", "studies_other"),
                    "EECR03": exited and i["qual"],
                    "EECR04": exited and i["status"] == "employed",
                    "ENTRANTS": i["entry"] == p,
                    "EXITS": i["exit"] == p,
                    "ACTIVE": entered and (i["exit"] is None or i["exit"] >= p),
                }
                for k, flag in flags.items():
                    add(person, k, int(flag), 0, int(flag))
                # attendance
                months = {}
                for r in a_rows:
                    if r["person"] == person and r["month"] <= p:
                        s, a = months.get(r["month"], (0, 0))
                        months[r["month"]] = (s + r["scheduled_min"], a + r["attended_min"])
                s_p, a_p = months.get(p, (0, 0))
                add(person, "ATTENDANCE_RATE", a_p, s_p, int(s_p > 0))
                positive = sorted(m for m, (s, _) in months.items() if s > 0)
                if s_p > 0 and positive[0] < p:
                    s0, a0 = months[positive[0]]
                    add(person, "ATTENDANCE_IMPROVED", int(a_p / s_p > a0 / s0), 1, 1)
                # survey
                waves = {}
                for r in s_rows:
                    if r["person"] == person and r["period"] <= p and _m(r["answered_on"]) <= p:
                        n = int(r["wave"][1:])
                        if n not in waves or (r["answered_on"], r["kommunkod"]) > (
                                waves[n]["answered_on"], waves[n]["kommunkod"]):
                            waves[n] = r
                for measure, indicator in (("motivation", "MOTIVATION_IMPROVED"),
                                           ("future_hope", "FUTURE_HOPE_IMPROVED"),
                                           ("wellbeing", "WELLBEING_IMPROVED")):
                    scored = {n: r[measure] for n, r in waves.items() if not pd.isna(r[measure])}
                    later = [n for n in scored if n >= 1]
                    if 0 in scored and later:
                        add(person, indicator, int(scored[max(later)] > scored[0]), 1, 1)
                # activities, completion
                if entered and i["track"] in ("worklife", "vocational"):
                    placed = any(r["person"] == person and r["activity"] in ("internship", "apl")
                                 and r["period"] <= p and _m(r["date"]) <= p for r in c_rows)
                    add(person, "WORK_PLACEMENT", int(placed), 1, 1)
                if exited:
                    add(person, "COMPLETION", int(i["status"] == "studies_national" or i["qual"]), 1, 1)
            for (g, indicator), v in cells.items():
                out[(p, level, code, g, indicator)] = v
    return out


def random_inputs(seed: int, n_persons: int = 45, last_period: str = "2025-03") -> tuple[IndicatorInputs, list[str]]:
    """Random but contract-valid curated data: movers, late corrections, quarantined
    rows, stale and skipping sources, re-answered waves, ties on entry dates and
    survey dates across sources."""
    rng = np.random.default_rng(seed)
    periods = month_range("2024-09", last_period)
    sources = {"1480": ["1480"], "1489": ["1489"], "1496": ["1496"], "kfv": ["1488", "1487"], "1463": ["1463"]}
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731

    def day(month_index):
        return pd.Timestamp(f"{periods[month_index]}-{pick([1, 1, 10, 20, 28]):02d}")

    last = {s: int(rng.integers(2, len(periods))) for s in sources}
    enrolments = []
    for i in range(n_persons):
        for s in rng.choice(list(sources), size=pick([1, 1, 1, 2, 2, 3]), replace=False):
            s = str(s)
            k = pick(sources[s])
            e_i = int(rng.integers(0, last[s] + 1))
            entry = day(e_i)
            x_i = e_i + int(rng.integers(0, 4))
            leaves = rng.random() < 0.5 and x_i <= last[s]
            exit_ = max(entry, day(x_i)) if leaves else pd.NaT
            enrolments.append(dict(
                person=f"p{i:03d}", source=s, kommunkod=k, entry=entry, exit=exit_,
                status=pick(["studies_national", "studies_other", "employed", "job_seeking", "other", "unknown"])
                if leaves else None,
                qual=bool(rng.random() < 0.4) if leaves else None,
                gender=pick(["female", "male", "nonbinary"]), age=int(rng.integers(15, 32)),
                labour=pick(["inactive", "unemployed", "long_term_unemployed", "employed"]),
                disability=pick(["yes", "no", "unknown"]), foreign=bool(rng.random() < 0.5),
                track=pick(["none", "worklife", "vocational"]),
            ))
    participants = []
    for s in sources:
        for j in range(last[s] + 1):
            if j < last[s] and rng.random() < 0.3:
                continue  # skipped period
            p = periods[j]
            for e in enrolments:
                if e["source"] != s or _m(e["entry"]) > p:
                    continue
                if j == last[s] and rng.random() < 0.08:
                    continue  # quarantined in the newest snapshot
                closed = not pd.isna(e["exit"]) and _m(e["exit"]) <= p
                row = enrol(e["person"], e["kommunkod"], p, e["entry"], exit=e["exit"] if closed else None,
                            status=e["status"] if closed else None, qual=e["qual"] if closed else None,
                            gender=e["gender"], age=e["age"], labour=e["labour"], disability=e["disability"],
                            foreign=e["foreign"], track=e["track"], source=s)
                if j < last[s] and rng.random() < 0.3:  # an older snapshot says something else
                    row.update(gender=pick(["female", "male"]), labour="employed", age=40,
                               entry_date=day(min(j, int(rng.integers(0, j + 1)))))
                participants.append(row)
    attendance, survey, activities = [], [], []
    for e in enrolments:
        e_i = periods.index(_m(e["entry"]))
        x_i = periods.index(_m(e["exit"])) if not pd.isna(e["exit"]) else len(periods) - 1
        for j in range(e_i, x_i + 1):
            src = {"source": e["source"], "kommunkod": e["kommunkod"]}
            if rng.random() < 0.85:
                sched = 0 if rng.random() < 0.1 else int(rng.integers(100, 2000))
                attendance.append({**att(e["person"], e["kommunkod"], periods[j], sched,
                                         int(rng.integers(0, sched + 1))), **src})
            if (j - e_i) % 2 == 0 and rng.random() < 0.85:
                wave = f"T{(j - e_i) // 2}"
                for jj in [j] + ([j + 1] if j + 1 < len(periods) and rng.random() < 0.2 else []):
                    scores = {m: (float(rng.integers(1, 6)) if rng.random() < 0.8 else None)
                              for m in ("motivation", "future_hope", "wellbeing")}
                    when = f"{periods[jj]}-{pick([10, 20])}"
                    survey.append({**srv(e["person"], e["kommunkod"], wave, when, **scores), **src})
            if rng.random() < 0.4:
                when = day(j).strftime("%Y-%m-%d")
                activities.append({**act(e["person"], e["kommunkod"], pick(["mi", "internship", "apl", "guidance"]),
                                         when), **src})
    attendance.append(att("ghost", "1480", periods[1], 500, 400))
    inputs = make(participants, attendance, survey, activities, sources=[*sources, "1498"])
    return inputs, periods


@pytest.mark.parametrize("seed", range(6))
def test_matches_plain_reference(seed):
    inputs, periods = random_inputs(seed)
    table, _ = compute(inputs, periods)
    expected = reference(inputs, periods)
    got = {}
    for r in table.itertuples(index=False):
        num, den, persons = int(r.numerator), r.denominator, int(r.persons)
        got[(r.period, r.area_level, r.area_code, r.gender, r.indicator)] = (
            num, 0 if pd.isna(den) else int(den), persons)
    nonzero = {k: v for k, v in got.items() if v != (0, 0, 0)}
    assert nonzero == {k: v for k, v in expected.items() if v != (0, 0, 0)}
    rates = table[table["denominator"].notna() & (table["denominator"] > 0)]
    assert np.allclose(rates["value"].astype(float), rates["numerator"] / rates["denominator"])


def test_505_persons_over_36_periods_give_every_cell_once():
    # No time is asserted here (project rule): the speed of compute() is measured by
    # `make benchmark` (benchmarks/run_benchmark.py, the "publication" seconds of
    # `samla run`, as a ratio to the I/O floor; see benchmarks/README.md).
    inputs, periods = random_inputs(7, n_persons=505, last_period="2027-08")
    table, _ = compute(inputs, periods)
    assert len(periods) == 36
    assert len(table) == 36 * 15 * 4 * len(INDICATOR_CODES)
    assert not table.duplicated(["period", "area_level", "area_code", "gender", "indicator"]).any()
