"""transforms.publish.disclosure: rules 1-3 of indicators.md "Disclosure control",
by hand-computed cases, against a plain cell-by-cell reference, and as
properties of random tables (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.config.project import current_project
from transforms.config.schema import GENDERS
from transforms.publish.disclosure import PUBLISHED_COLUMNS, suppress
from transforms.publish.indicators import INDICATOR_BY_CODE, RESTRICTED_COLUMNS, areas

PROJECT = current_project()  # the default project file: Fokus IM
MUNICIPALITIES, REGION_CODE, federation_of = PROJECT.municipalities, PROJECT.region_code, PROJECT.federation_of
MEMBERS = ("female", "male", "nonbinary")
MUNIS = sorted(MUNICIPALITIES)
FEDS = sorted(PROJECT.federations)


def level_of(code):
    if code == REGION_CODE:
        return "region"
    return "municipality" if code in MUNICIPALITIES else "federation"


def table(cells, period="2025-01"):
    """Restricted rows from {(area, gender, indicator): (numerator, denominator, persons)};
    for a count give just the count. Every other cell of every area is zero."""
    rows = []
    indicators = sorted({k[2] for k in cells})
    for _level, code in areas():
        for g in GENDERS:
            for ind in indicators:
                v = cells.get((code, g, ind), 0)
                rate = INDICATOR_BY_CODE[ind].kind == "rate"
                if rate:
                    num, den, persons = v if v else (0, 0, 0)
                    value = num / den if den else None
                else:
                    num, den, persons, value = v, None, v, float(v)
                rows.append((period, level_of(code), code, g, ind, num, den, value, persons))
    df = pd.DataFrame(rows, columns=RESTRICTED_COLUMNS)
    for c in ("numerator", "denominator", "persons"):
        df[c] = df[c].astype("Int64")
    df["value"] = df["value"].astype("Float64")
    return df


def suppressed_cells(published):
    hit = published[published["suppressed"]]
    return {(r.area_code, r.gender, r.indicator) for r in hit.itertuples()}


def with_totals(counts: dict, indicator="EECO01"):
    """Additive count cells: gender 'all', federations and region as sums."""
    cells = {}
    for (muni, g), n in counts.items():
        for area in (muni, federation_of(muni), REGION_CODE):
            for gg in (g, "all"):
                cells[(area, gg, indicator)] = cells.get((area, gg, indicator), 0) + n
    return cells


# ---------------------------------------------------------------- rule 1


def test_primary_counts():
    pub = suppress(table(with_totals({("1480", "female"): 3, ("1480", "male"): 12, ("1480", "nonbinary"): 5})), 5)
    s = {(a, g) for a, g, _ in suppressed_cells(pub)}
    # 1480 female primary; 1480 nonbinary (5 < 12) for the gender group; the nonbinary
    # municipality group of GR has no other non-zero cell: GR nonbinary, then FOKUS nonbinary
    assert s == {("1480", "female"), ("GR", "female"), ("FOKUS", "female"),
                 ("1480", "nonbinary"), ("GR", "nonbinary"), ("FOKUS", "nonbinary")}
    zero = pub[(pub["area_code"] == "1496")]
    assert not zero["suppressed"].any()
    assert (zero["numerator"] == 0).all() and (zero["value"] == 0).all() and zero["denominator"].isna().all()


@pytest.mark.parametrize(
    ("num", "den", "persons", "indicator", "suppressed"),
    [
        (10, 20, 20, "COMPLETION", False),
        (3, 20, 20, "COMPLETION", True),  # numerator 1..4
        (18, 20, 20, "COMPLETION", True),  # denominator − numerator 1..4
        (0, 20, 20, "COMPLETION", False),
        (20, 20, 20, "COMPLETION", False),
        (2, 4, 4, "WORK_PLACEMENT", True),  # persons 1..4
        (0, 0, 0, "COMPLETION", False),  # nobody: published empty, not suppressed
        (1000, 2000, 7, "ATTENDANCE_RATE", False),
        (1, 2000, 7, "ATTENDANCE_RATE", False),  # minutes are not persons
        (1999, 2000, 7, "ATTENDANCE_RATE", False),
        (1000, 2000, 4, "ATTENDANCE_RATE", True),
        (0, 0, 0, "ATTENDANCE_RATE", False),
    ],
)
def test_primary_rates(num, den, persons, indicator, suppressed):
    # one non-zero cell: its groups' totals are zero, so rule 2 has nothing to do
    cells = {("1480", "all", indicator): (num, den, persons)}
    pub = suppress(table(cells), 5)
    row = pub[(pub["area_code"] == "1480") & (pub["gender"] == "all")].iloc[0]
    assert bool(row["suppressed"]) is suppressed
    if suppressed:
        assert pd.isna(row["numerator"]) and pd.isna(row["denominator"]) and pd.isna(row["value"])
    else:
        assert row["numerator"] == num and row["denominator"] == den
        assert pd.isna(row["value"]) if den == 0 else row["value"] == pytest.approx(num / den)


def test_threshold_is_configuration():
    t = table(with_totals({("1480", "female"): 6, ("1480", "male"): 9}))
    assert not suppress(t, 5)["suppressed"].any()
    s = suppressed_cells(suppress(t, 7))
    assert ("1480", "female", "EECO01") in s
    assert not suppress(t, 1)["suppressed"].any()
    with pytest.raises(ValueError):
        suppress(t, 0)


# ---------------------------------------------------------------- rule 2


def test_gender_group_tie_break_female_male_nonbinary():
    cells = with_totals({("1480", "female"): 6, ("1480", "male"): 6, ("1480", "nonbinary"): 2})
    s = suppressed_cells(suppress(table(cells), 5))
    assert ("1480", "nonbinary", "EECO01") in s  # primary
    assert ("1480", "female", "EECO01") in s  # fewest persons 6, tie: female first
    assert ("1480", "male", "EECO01") not in s
    assert ("1480", "all", "EECO01") not in s


def test_gender_group_fewest_persons():
    cells = with_totals({("1480", "female"): 9, ("1480", "male"): 7, ("1480", "nonbinary"): 1})
    s = suppressed_cells(suppress(table(cells), 5))
    assert {("1480", "nonbinary", "EECO01"), ("1480", "male", "EECO01")} <= s
    assert ("1480", "female", "EECO01") not in s


def test_zero_cells_are_never_picked():
    # nonbinary 0 is skipped: male (8) goes with female (3)
    cells = with_totals({("1480", "female"): 3, ("1480", "male"): 8})
    s = suppressed_cells(suppress(table(cells), 5))
    assert ("1480", "male", "EECO01") in s and ("1480", "nonbinary", "EECO01") not in s


def test_municipality_group_tie_lower_area_code():
    # GR municipalities: 1384, 1402, 1480, 1489. 1402 small; 1384 and 1489 tie on 6.
    counts = {("1402", "female"): 2, ("1384", "female"): 6, ("1489", "female"): 6, ("1480", "female"): 20}
    counts |= {(m, "male"): 10 for m in ("1402", "1384", "1489", "1480")}
    published = suppress(table(with_totals(counts)), 5)
    s = suppressed_cells(published)
    assert ("1402", "female", "EECO01") in s
    # the gender group of 1402 takes 1402 male (10); the female municipality group takes 1384 (6 < 20,
    # tie with 1489 by text order)
    assert ("1384", "female", "EECO01") in s and ("1489", "female", "EECO01") not in s
    assert ("1402", "male", "EECO01") in s


def test_total_suppressed_when_no_other_nonzero_cell():
    # Non-additive on purpose (movers count once): municipality 3, federation 7.
    cells = {("1496", "all", "EECO02"): 3, ("SKARABORG", "all", "EECO02"): 7, ("FOKUS", "all", "EECO02"): 7}
    s = suppressed_cells(suppress(table(cells), 5))
    assert ("1496", "all", "EECO02") in s
    assert ("SKARABORG", "all", "EECO02") in s  # no other non-zero municipality
    assert ("FOKUS", "all", "EECO02") in s  # federation group: then the region


def test_total_zero_is_left_alone():
    # A mover: 1 at the municipality by its own attributes, 0 at federation level.
    cells = {("1496", "all", "EECO02"): 1}
    pub = suppress(table(cells), 5)
    assert suppressed_cells(pub) == {("1496", "all", "EECO02")}
    fed = pub[(pub["area_code"] == "SKARABORG") & (pub["gender"] == "all")].iloc[0]
    assert fed["numerator"] == 0 and not fed["suppressed"]


def test_cascade_across_group_kinds():
    counts = {("1480", "female"): 3, ("1480", "male"): 30, ("1402", "female"): 9,
              ("1489", "male"): 40, ("1384", "male"): 50}
    restricted = table(with_totals(counts))
    published = suppress(restricted, 5)
    s = {(a, g) for a, g, _ in suppressed_cells(published)}
    assert s == {
        ("1480", "female"),  # primary (3)
        ("1480", "male"),  # round 1, gender group of 1480
        ("1402", "female"),  # round 1, female municipality group of GR
        ("1489", "male"),  # round 1, male municipality group of GR: 40 < 50
        ("1402", "all"),  # round 2, gender groups with no other non-zero cell: their totals
        ("1489", "all"),  # (the 'all' municipality group of GR then has two)
    }
    check_properties(published, restricted, 5)


def test_federation_cells_of_a_gender_group():
    # GR female 3 is primary; the GR gender group then takes GR male, and so on upwards
    counts = {("1480", "female"): 3, ("1480", "male"): 30, ("1489", "male"): 40}
    published = suppress(table(with_totals(counts)), 5)
    s = {(a, g) for a, g, _ in suppressed_cells(published)}
    assert s == {("1480", "female"), ("GR", "female"), ("FOKUS", "female"),
                 ("1480", "male"), ("GR", "male"), ("FOKUS", "male")}


def test_suppressed_cells_carry_no_numbers_and_columns():
    cells = with_totals({("1480", "female"): 3, ("1480", "male"): 12})
    cells[("1480", "all", "COMPLETION")] = (2, 10, 10)
    pub = suppress(table(cells), 5)
    assert list(pub.columns) == PUBLISHED_COLUMNS
    assert str(pub["numerator"].dtype) == "Int64" and str(pub["denominator"].dtype) == "Int64"
    assert str(pub["value"].dtype) == "Float64" and pub["suppressed"].dtype == bool
    hidden = pub[pub["suppressed"]]
    assert len(hidden) >= 3
    assert hidden[["numerator", "denominator", "value"]].isna().all().all()


# ---------------------------------------------------------------- reference and properties


def reference(restricted: pd.DataFrame, threshold: int) -> set[int]:
    """Rules 1-2 cell by cell, group by group, in the same kind order."""
    rows = restricted.reset_index(drop=True)
    supp = set()
    for i, r in rows.iterrows():
        num, persons = int(r.numerator), int(r.persons)
        small = lambda x: 1 <= x < threshold  # noqa: E731
        if INDICATOR_BY_CODE[r.indicator].kind == "count":
            if small(num):
                supp.add(i)
        elif small(persons) or (r.indicator != "ATTENDANCE_RATE" and (small(num) or small(int(r.denominator) - num))):
            supp.add(i)
    index = {(r.period, r.area_code, r.gender, r.indicator): i for i, r in rows.iterrows()}
    groups = {"gender": [], "municipality": [], "federation": []}
    for p in rows["period"].unique():
        for ind in rows["indicator"].unique():
            for _level, code in areas():
                groups["gender"].append(([(index[(p, code, g, ind)], MEMBERS.index(g)) for g in MEMBERS],
                                         index[(p, code, "all", ind)]))
            for g in GENDERS:
                for fed in FEDS:
                    members = [(index[(p, m, g, ind)], m) for m in MUNIS if federation_of(m) == fed]
                    groups["municipality"].append((members, index[(p, fed, g, ind)]))
                groups["federation"].append(([(index[(p, f, g, ind)], f) for f in FEDS],
                                             index[(p, REGION_CODE, g, ind)]))
    persons = rows["persons"].astype(int).tolist()
    changed = True
    while changed:
        changed = False
        for kind in ("gender", "municipality", "federation"):
            for members, total in groups[kind]:
                hidden = [i for i, _ in members if i in supp]
                if len(hidden) != 1 or total in supp:
                    continue
                candidates = sorted((persons[i], tie, i) for i, tie in members if i not in supp and persons[i] >= 1)
                if candidates:
                    supp.add(candidates[0][2])
                    changed = True
                elif persons[total] >= 1:
                    supp.add(total)
                    changed = True
    return supp


def check_properties(published: pd.DataFrame, restricted: pd.DataFrame, threshold: int, *, additive=True):
    pub = published.reset_index(drop=True)
    res = restricted.reset_index(drop=True)
    assert list(pub.columns) == PUBLISHED_COLUMNS
    assert len(pub) == len(res)
    hidden = pub["suppressed"].to_numpy(bool)
    shown = pub[~hidden]
    # suppressed cells carry no numbers; published ones the restricted numbers
    assert pub.loc[hidden, ["numerator", "denominator", "value"]].isna().all().all()
    for col in ("numerator", "denominator", "value"):
        assert shown[col].equals(res.loc[~hidden, col])
    is_count = pub["indicator"].map(lambda c: INDICATOR_BY_CODE[c].kind == "count").to_numpy(bool)
    small = lambda s: (s >= 1) & (s < threshold)  # noqa: E731
    # no published count in 1..threshold-1
    counts = pub[~hidden & is_count]
    assert not small(counts["numerator"]).any()
    # no published rate cell resting on 1..threshold-1 persons (or numerator / remainder)
    rates = res[~hidden & ~is_count]
    assert not small(rates["persons"]).any()
    not_minutes = rates[rates["indicator"] != "ATTENDANCE_RATE"]
    assert not small(not_minutes["numerator"]).any()
    assert not small(not_minutes["denominator"] - not_minutes["numerator"]).any()
    # zero cells are published as zero, never suppressed
    assert not hidden[res["persons"].to_numpy() == 0].any()
    # no group with exactly one suppressed cell while its total is published
    # (non-additive tables: unless that total is zero, where the rule does nothing)
    frame = res.assign(hidden=hidden)
    frame["fed"] = frame["area_code"].map(lambda c: federation_of(c) if c in MUNICIPALITIES else None)
    key = ["period", "indicator"]
    g = frame[frame["gender"] != "all"].groupby([*key, "area_level", "area_code"])["hidden"].sum()
    tot = frame[frame["gender"] == "all"].set_index([*key, "area_level", "area_code"])
    bad = (g == 1) & ~tot["hidden"] & (additive | (tot["persons"] > 0))
    assert not bad.any(), bad[bad].index.tolist()
    m = frame[frame["area_level"] == "municipality"].groupby([*key, "gender", "fed"])["hidden"].sum()
    tot = frame[frame["area_level"] == "federation"].set_index([*key, "gender", "area_code"])
    tot.index = tot.index.set_names([*key, "gender", "fed"])
    bad = (m == 1) & ~tot["hidden"] & (additive | (tot["persons"] > 0))
    assert not bad.any(), bad[bad].index.tolist()
    f = frame[frame["area_level"] == "federation"].groupby([*key, "gender"])["hidden"].sum()
    tot = frame[frame["area_level"] == "region"].set_index([*key, "gender"])
    bad = (f == 1) & ~tot["hidden"] & (additive | (tot["persons"] > 0))
    assert not bad.any(), bad[bad].index.tolist()


small_counts = st.integers(0, 12)


@st.composite
def additive_tables(draw):
    """Counts and rates that add up: gender 'all' = sum, federation = sum, region = sum."""
    n_periods = draw(st.integers(1, 2))
    indicators = draw(st.lists(st.sampled_from(["EECO01", "EXITS", "COMPLETION", "ATTENDANCE_RATE"]),
                               min_size=1, max_size=3, unique=True))
    sparse = draw(st.floats(0, 0.9))
    rows = []
    for pi in range(n_periods):
        period = f"2025-{pi + 1:02d}"
        for ind in indicators:
            rate = INDICATOR_BY_CODE[ind].kind == "rate"
            base = {}
            for m in MUNIS:
                for g in MEMBERS:
                    zero = draw(st.floats(0, 1)) < sparse
                    persons = 0 if zero else draw(small_counts)
                    if ind == "ATTENDANCE_RATE":
                        den = persons * draw(st.integers(0, 900))
                        num = draw(st.integers(0, den))
                    elif rate:
                        den, num = persons, draw(st.integers(0, persons))
                    else:
                        den, num = None, persons
                    base[(m, g)] = (num, den, persons)
            sums = {}
            for (m, g), v in base.items():
                for area in (m, federation_of(m), REGION_CODE):
                    for gg in (g, "all"):
                        a = sums.get((area, gg), (0, 0, 0))
                        sums[(area, gg)] = (a[0] + v[0], a[1] + (v[1] or 0), a[2] + v[2])
            for _level, code in areas():
                for g in GENDERS:
                    num, den, persons = sums[(code, g)]
                    value = (num / den if den else None) if rate else float(num)
                    rows.append((period, level_of(code), code, g, ind, num, den if rate else None, value, persons))
    df = pd.DataFrame(rows, columns=RESTRICTED_COLUMNS)
    for c in ("numerator", "denominator", "persons"):
        df[c] = df[c].astype("Int64")
    df["value"] = df["value"].astype("Float64")
    return df


@st.composite
def arbitrary_tables(draw):
    """Cells drawn independently: groups need not add up (movers count once)."""
    ind = draw(st.sampled_from(["EECO02", "WORK_PLACEMENT", "ATTENDANCE_RATE"]))
    rate = INDICATOR_BY_CODE[ind].kind == "rate"
    rows = []
    for _level, code in areas():
        for g in GENDERS:
            persons = draw(small_counts)
            den = persons * draw(st.integers(0, 500)) if ind == "ATTENDANCE_RATE" else persons
            num = draw(st.integers(0, den)) if rate else persons
            value = (num / den if den else None) if rate else float(num)
            rows.append(("2025-03", level_of(code), code, g, ind, num, den if rate else None, value, persons))
    df = pd.DataFrame(rows, columns=RESTRICTED_COLUMNS)
    for c in ("numerator", "denominator", "persons"):
        df[c] = df[c].astype("Int64")
    df["value"] = df["value"].astype("Float64")
    return df


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(additive_tables(), st.integers(2, 8))
def test_properties_on_additive_tables(restricted, threshold):
    published = suppress(restricted, threshold)
    check_properties(published, restricted, threshold, additive=True)
    assert set(np.flatnonzero(published["suppressed"].to_numpy())) == reference(restricted, threshold)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arbitrary_tables(), st.integers(2, 8))
def test_properties_on_arbitrary_tables(restricted, threshold):
    published = suppress(restricted, threshold)
    check_properties(published, restricted, threshold, additive=False)
    assert set(np.flatnonzero(published["suppressed"].to_numpy())) == reference(restricted, threshold)


def test_row_order_and_input_index_are_irrelevant():
    t = table(with_totals({("1480", "female"): 3, ("1489", "male"): 2, ("1496", "female"): 7}))
    shuffled = t.sample(frac=1, random_state=1)
    a = suppress(t, 5)
    b = suppress(shuffled, 5)
    assert list(b["area_code"]) == list(shuffled["area_code"])  # input order kept
    key = ["period", "area_level", "area_code", "gender", "indicator"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True))
