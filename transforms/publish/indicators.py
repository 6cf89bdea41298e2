"""Indicators: curated rows -> the restricted indicator table (indicators.md).

Flow step curated -> published, before disclosure control. ``compute`` turns
every accepted curated row into one row per period × level × area × gender ×
indicator with the raw numbers (the project office's restricted table);
``transforms.publish.disclosure.suppress`` turns that into the published table.

Everything is computed from best current knowledge (indicators.md, "Units and
levels"): participants come from each source's newest snapshot, so a late
correction restates every earlier period. Person-level logic is vectorised:
one row per person and area is built once, then crossed with the periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from transforms.config.project import current_project
from transforms.config.schema import CELL_KEY, GENDERS, curated_columns
from transforms.period import Period, month_range

KEYS = list(CELL_KEY)
RESTRICTED_COLUMNS = [*KEYS, "numerator", "denominator", "value", "persons"]
SOURCE_STATUS_COLUMNS = ["period", "source", "stale", "snapshot_period"]

_OPEN = "9999-12"  # month string standing for "no exit / never": sorts after every period
_AREA = ["area_level", "area_code"]
_PERSON_AREA = [*_AREA, "person"]


@dataclass(frozen=True)
class Indicator:
    """One indicator of indicators.md, for the dimension table and the definitions sheet."""

    code: str
    name_sv: str
    name_en: str
    definition: str
    kind: str  # "count" or "rate"


_AMONG = "Among persons of the area whose entry is on or before the end of the period: "
_EXITED = "persons whose exit is on or before the end of the period"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("EECO01", "Totalt antal deltagare", "Total number of participants",
              _AMONG + "all (cumulative).", "count"),
    Indicator("EECO02", "Arbetslösa, inklusive långtidsarbetslösa",
              "Unemployed, including long-term unemployed",
              _AMONG + "labour status at entry unemployed or long-term unemployed.", "count"),
    Indicator("EECO03", "Långtidsarbetslösa", "Long-term unemployed",
              _AMONG + "labour status at entry long-term unemployed.", "count"),
    Indicator("EECO04", "Personer utanför arbetskraften", "Inactive",
              _AMONG + "labour status at entry inactive (in education, the normal case).", "count"),
    Indicator("EECO05", "Anställda, inklusive egenföretagare", "Employed, including self-employed",
              _AMONG + "labour status at entry employed.", "count"),
    Indicator("EECO06", "Barn under 18 år", "Children below 18 years of age",
              _AMONG + "age at entry (whole years) below 18.", "count"),
    Indicator("EECO07", "Unga i åldern 18–29 år", "Young people between 18 and 29 years of age",
              _AMONG + "age at entry (whole years) 18 to 29, both included.", "count"),
    Indicator("EECO12", "Deltagare med funktionsnedsättning", "Participants with disabilities",
              _AMONG + "self-reported disability yes.", "count"),
    Indicator("EECO14", "Deltagare med utländsk bakgrund", "Participants of foreign origin",
              _AMONG + "born abroad, or both parents born abroad.", "count"),
    Indicator("EECR01", "Deltagare som söker arbete när de lämnar insatsen",
              "Participants engaged in job searching upon leaving",
              _AMONG + "exit on or before the end of the period with exit status job seeking.",
              "count"),
    Indicator("EECR02", "Deltagare i utbildning när de lämnar insatsen",
              "Participants in education or training upon leaving",
              _AMONG + "exit on or before the end of the period with exit status studies "
              "(national upper-secondary programme, or other education or training).", "count"),
    Indicator("EECR03", "Deltagare som erhåller en kvalifikation när de lämnar insatsen",
              "Participants gaining a qualification upon leaving",
              _AMONG + "exit on or before the end of the period with a qualification gained.",
              "count"),
    Indicator("EECR04", "Deltagare i anställning, inklusive egenföretagare, när de lämnar insatsen",
              "Participants in employment, including self-employment, upon leaving",
              _AMONG + "exit on or before the end of the period with exit status employed.",
              "count"),
    Indicator("ENTRANTS", "Nya deltagare under månaden", "New participants in the month",
              "Persons of the area whose entry lies in the period (not cumulative).", "count"),
    Indicator("EXITS", "Avslutade deltagare under månaden", "Participants leaving in the month",
              "Persons of the area whose exit lies in the period (not cumulative).", "count"),
    Indicator("ACTIVE", "Aktiva deltagare under månaden", "Active participants in the month",
              "Persons of the area whose entry is on or before the end of the period and whose "
              "exit is empty or on or after its first day.", "count"),
    Indicator("ATTENDANCE_RATE", "Närvarograd", "Attendance rate",
              "Attended minutes divided by scheduled minutes, summed over the area's attendance "
              "rows for the month (minute-weighted).", "rate"),
    Indicator("ATTENDANCE_IMPROVED", "Andel med förbättrad närvaro", "Share with improved attendance",
              "Of the persons with scheduled minutes in the month and in at least one earlier "
              "month: those whose attendance share in the month is greater than in their first "
              "month with scheduled minutes.", "rate"),
    Indicator("MOTIVATION_IMPROVED", "Andel med ökad motivation", "Share with increased motivation",
              "Of the persons with a T0 motivation score and a later wave's score answered by the "
              "end of the period: those whose latest wave's score is greater than at T0.", "rate"),
    Indicator("FUTURE_HOPE_IMPROVED", "Andel med ökad framtidstro",
              "Share with increased hope for the future",
              "Of the persons with a T0 future-hope score and a later wave's score answered by the "
              "end of the period: those whose latest wave's score is greater than at T0.", "rate"),
    Indicator("WELLBEING_IMPROVED", "Andel med ökat välbefinnande", "Share with improved wellbeing",
              "Of the persons with a T0 wellbeing score and a later wave's score answered by the "
              "end of the period: those whose latest wave's score is greater than at T0.", "rate"),
    Indicator("WORK_PLACEMENT", "Andel på studiespår med praktik eller APL",
              "Share on work-oriented tracks with an internship or APL",
              "Of the persons on the worklife or vocational track whose entry is on or before the "
              "end of the period: those with at least one internship or APL activity dated on or "
              "before the end of the period.", "rate"),
    Indicator("COMPLETION", "Andel som fullföljer studierna", "Share of leavers completing studies",
              "Of the " + _EXITED + ": those leaving for a national upper-secondary programme or "
              "with a qualification gained.", "rate"),
)
_BLAND = "Bland områdets personer med start senast periodens sista dag: "
_AVSLUT = "avslut senast periodens sista dag"
_ENKAT = ("Av personerna med ett {m}svar vid T0 och ett senare svar senast periodens sista dag: "
          "de vars senaste svar är högre än vid T0.")
# The definitions in Swedish (reporting staff read Swedish first), same rules as above.
DEFINITIONS_SV: dict[str, str] = {
    "EECO01": _BLAND + "alla (kumulativt).",
    "EECO02": _BLAND + "arbetslösa eller långtidsarbetslösa vid start.",
    "EECO03": _BLAND + "långtidsarbetslösa vid start.",
    "EECO04": _BLAND + "utanför arbetskraften vid start (i utbildning, det vanliga fallet).",
    "EECO05": _BLAND + "anställda vid start.",
    "EECO06": _BLAND + "ålder vid start (hela år) under 18.",
    "EECO07": _BLAND + "ålder vid start (hela år) 18 till 29, båda inräknade.",
    "EECO12": _BLAND + "uppgiven funktionsnedsättning.",
    "EECO14": _BLAND + "född utomlands eller båda föräldrarna födda utomlands.",
    "EECR01": _BLAND + _AVSLUT + " som arbetssökande.",
    "EECR02": _BLAND + _AVSLUT + " till studier (nationellt gymnasieprogram eller annan utbildning).",
    "EECR03": _BLAND + _AVSLUT + " med erhållen kvalifikation.",
    "EECR04": _BLAND + _AVSLUT + " till anställning.",
    "ENTRANTS": "Områdets personer som startade under perioden (inte kumulativt).",
    "EXITS": "Områdets personer som avslutade under perioden (inte kumulativt).",
    "ACTIVE": "Områdets personer med start senast periodens sista dag och inget avslut, "
              "eller avslut tidigast periodens första dag.",
    "ATTENDANCE_RATE": "Närvarande minuter delat med schemalagda minuter, summerat över områdets "
                       "närvarorader för månaden (viktat med minuter).",
    "ATTENDANCE_IMPROVED": "Av personerna med schemalagda minuter i månaden och i minst en tidigare "
                           "månad: de vars närvaroandel i månaden är högre än i deras första månad "
                           "med schemalagda minuter.",
    "MOTIVATION_IMPROVED": _ENKAT.format(m="motivations"),
    "FUTURE_HOPE_IMPROVED": _ENKAT.format(m="framtidstro"),
    "WELLBEING_IMPROVED": _ENKAT.format(m="välbefinnande"),
    "WORK_PLACEMENT": "Av personerna på arbetslivs- eller yrkesspår med start senast periodens sista "
                      "dag: de med minst en praktik eller APL daterad senast periodens sista dag.",
    "COMPLETION": "Av personerna med " + _AVSLUT + ": de som gick vidare till ett nationellt "
                  "gymnasieprogram eller fick en kvalifikation.",
}
INDICATOR_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS)
INDICATOR_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
RATE_CODES = frozenset(i.code for i in INDICATORS if i.kind == "rate")
# indicators.md, disclosure rule 1: the minute-weighted rate is judged on persons only.
MINUTE_WEIGHTED = "ATTENDANCE_RATE"

SURVEY_MEASURES = {
    "motivation": "MOTIVATION_IMPROVED",
    "future_hope": "FUTURE_HOPE_IMPROVED",
    "wellbeing": "WELLBEING_IMPROVED",
}
# The curated columns the indicators read; publication loads no others.
USED_COLUMNS: dict[str, tuple[str, ...]] = {
    "participants": ("person", "kommunkod", "period", "source", "entry_date", "exit_date", "qualification",
                     "foreign_background", "age_at_entry", "gender", "labour_status", "disability", "track",
                     "exit_status"),
    "attendance": ("person", "kommunkod", "period", "month", "scheduled_min", "attended_min"),
    "survey": ("person", "kommunkod", "period", "source", "wave", "answered_on", *SURVEY_MEASURES),
    "activities": ("person", "kommunkod", "period", "activity", "date"),
}


def catalogue() -> pd.DataFrame:
    """INDICATORS as a table (dimension table, Excel definitions sheet)."""
    return pd.DataFrame(
        [(i.code, i.name_sv, i.name_en, i.definition, i.kind) for i in INDICATORS],
        columns=["code", "name_sv", "name_en", "definition", "kind"],
    )


def areas() -> list[tuple[str, str]]:
    """Every (area_level, area_code) of the project file, in publication order."""
    return current_project().areas()


@dataclass
class IndicatorInputs:
    """Curated rows that count (exports.md column names, see schema.curated_columns).

    participants: every accepted participants snapshot of every source and period.
    attendance, survey, activities: the accepted rows of the newest accepted
    delivery per source, dataset and period.
    sources: every configured source id, also those that never delivered.
    """

    participants: pd.DataFrame
    attendance: pd.DataFrame
    survey: pd.DataFrame
    activities: pd.DataFrame
    sources: list[str]


# ---------------------------------------------------------------- periods


def published_periods(inputs: IndicatorInputs) -> list[str]:
    """The project's first period through the latest period with an accepted delivery in any dataset."""
    latest = None
    for frame in (inputs.participants, inputs.attendance, inputs.survey, inputs.activities):
        if frame is not None and "period" in frame.columns and frame["period"].notna().any():
            top = str(frame["period"].dropna().max())
            latest = top if latest is None else max(latest, top)
    if latest is None:
        return []
    first, last = current_project().window
    return month_range(first, min(Period.parse(latest), last))


def _check_periods(periods: list[str]) -> list[str]:
    return [str(p) for p in sorted({Period.parse(str(p)) for p in periods})]


# ---------------------------------------------------------------- helpers


def _frame(df: pd.DataFrame | None, dataset: str) -> pd.DataFrame:
    """The dataset's columns that count (missing ones added empty), so empty inputs just work."""
    cols = [c for c in curated_columns(dataset) if c in USED_COLUMNS[dataset]]
    if df is None:
        df = pd.DataFrame(columns=cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        df = df.assign(**{c: pd.Series(pd.NA, index=df.index, dtype="object") for c in missing})
    df = df.reset_index(drop=True)
    for column in ("kommunkod", "period", "person"):
        df[column] = shared_strings(df[column])
    unknown = sorted(set(df["kommunkod"].dropna()) - set(current_project().municipalities))
    if unknown or df["kommunkod"].isna().any():
        raise ValueError(f"{dataset}: kommunkod not of a project municipality: {unknown or ['<empty>']}")
    return df


def shared_strings(values: pd.Series) -> pd.Series:
    """The column as Python strings (missing: ``pd.NA``), one string object per distinct value.

    The joins and sorts below are quickest on Python strings, but one object per row (a 64-character
    pseudonym is 113 bytes) made these three columns the largest part of publication's memory."""
    codes, uniques = pd.factorize(values)
    shared = np.empty(len(uniques) + 1, dtype=object)
    shared[:-1] = pd.Series(uniques).astype("string").astype(object).to_numpy()
    shared[-1] = pd.NA  # code -1
    return pd.Series(shared.take(codes), index=values.index, dtype=object, name=values.name)


def _month(values: pd.Series) -> pd.Series:
    """'YYYY-MM' of a date column (any date representation); missing -> _OPEN."""
    dates = pd.to_datetime(values, errors="coerce")
    return dates.dt.strftime("%Y-%m").astype(object).where(dates.notna(), _OPEN)


def _month_index(months: pd.Series) -> np.ndarray:
    """'YYYY-MM' -> months since year 0, for integer comparison and sorting."""
    text = months.astype(str)
    return (text.str.slice(0, 4).astype(np.int64) * 12 + text.str.slice(5, 7).astype(np.int64) - 1).to_numpy()


def _true(values: pd.Series) -> pd.Series:
    return values.astype("boolean").fillna(False).astype(bool)


def _by_area(df: pd.DataFrame) -> pd.DataFrame:
    """Each row once per level, with the area it lies in (by its kommunkod)."""
    project = current_project()
    fed = df["kommunkod"].map({k: m.federation for k, m in project.municipalities.items()})
    return pd.concat(
        [
            df.assign(area_level="municipality", area_code=df["kommunkod"]),
            df.assign(area_level="federation", area_code=fed),
            df.assign(area_level="region", area_code=project.region_code),
        ],
        ignore_index=True,
    )


def _area_rows(df: pd.DataFrame, pa: pd.DataFrame) -> pd.DataFrame:
    """indicators.md: an area's rows are those whose kommunkod lies in the area,
    of persons who are participants of the area. Adds the person's gender there."""
    if df.empty:
        return df.assign(area_level=pd.Series(dtype=object), area_code=pd.Series(dtype=object),
                         gender=pd.Series(dtype=object))
    return _by_area(df).merge(pa[[*_PERSON_AREA, "gender"]], on=_PERSON_AREA, how="inner")


def _aggregate(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Sum ``cols`` per period, area and gender, plus the gender 'all'."""
    by = ["period", *_AREA]
    per_gender = frame.groupby([*by, "gender"], sort=False)[cols].sum().reset_index()
    total = frame.groupby(by, sort=False)[cols].sum().reset_index().assign(gender="all")
    return pd.concat([per_gender, total], ignore_index=True)


def _long(agg: pd.DataFrame, counts: dict[str, str], rates: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Wide sums -> long rows. counts: code -> column; rates: code -> (num, den, persons)."""
    base = agg[["period", *_AREA, "gender"]]
    parts = []
    for code, col in counts.items():
        parts.append(base.assign(indicator=code, numerator=agg[col].to_numpy(), denominator=np.nan,
                                 persons=agg[col].to_numpy()))
    for code, (num, den, persons) in rates.items():
        parts.append(base.assign(indicator=code, numerator=agg[num].to_numpy(),
                                 denominator=agg[den].to_numpy(), persons=agg[persons].to_numpy()))
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------- participants


def newest_snapshots(participants: pd.DataFrame) -> pd.DataFrame:
    """Each source's newest accepted participants snapshot (highest period)."""
    if participants.empty:
        return participants
    newest = participants.groupby("source")["period"].transform("max")
    return participants[participants["period"] == newest].reset_index(drop=True)


def person_areas(snapshots: pd.DataFrame) -> pd.DataFrame:
    """One row per area and person of the area (indicators.md, "Units and levels").

    Attributes and entry from the enrolment with the earliest entry_date (tie:
    lowest kommunkod); exit from the one with the latest entry_date (tie:
    highest kommunkod). Every known enrolment in the area takes part, also
    ones beginning after a period. Months are 'YYYY-MM', _OPEN for no exit.
    """
    attrs = ["gender", "entry_m", "age", "labour_status", "disability", "foreign", "track"]
    exits = ["exit_m", "exit_status", "qualified"]
    # Only what is used goes through the three levels, the sort and the de-duplication: the
    # snapshots' other columns (file checksums, lineage) were a third of publication's peak memory.
    df = snapshots[["person", "kommunkod", "source", "entry_date", "exit_date", "qualification",
                    "foreign_background", "age_at_entry", "gender", "labour_status", "disability", "track",
                    "exit_status"]].copy()
    df["entry_ts"] = pd.to_datetime(df["entry_date"], errors="coerce")
    df["entry_m"] = _month(df["entry_date"])
    df["exit_m"] = _month(df["exit_date"])
    df["qualified"] = _true(df["qualification"])
    df["foreign"] = _true(df["foreign_background"])
    df["age"] = pd.to_numeric(df["age_at_entry"], errors="coerce")
    long = _by_area(df).sort_values(
        [*_PERSON_AREA, "entry_ts", "kommunkod", "source"], kind="mergesort", na_position="last"
    )
    first = long.drop_duplicates(_PERSON_AREA, keep="first")
    last = long.drop_duplicates(_PERSON_AREA, keep="last")
    pa = first[[*_PERSON_AREA, *attrs]].merge(last[[*_PERSON_AREA, *exits]], on=_PERSON_AREA)
    pa["gender"] = pa["gender"].astype(object)
    return pa.reset_index(drop=True)


def _first_placement(activities: pd.DataFrame, pa: pd.DataFrame) -> pd.DataFrame:
    """Per person and area, the first period for which an internship/APL activity counts:
    dated on or before end(P) and delivered for a period <= P."""
    act = activities.loc[activities["activity"].isin(["internship", "apl"]), ["person", "kommunkod", "date", "period"]]
    rows = _area_rows(act, pa)
    if rows.empty:
        return pd.DataFrame(columns=[*_PERSON_AREA, "placement_m"])
    dated = _month(rows["date"])
    # counts for P when dated on or before end(P) and delivered for a period <= P
    rows = rows.assign(placement_m=dated.where(dated >= rows["period"], rows["period"]))
    # The earliest month per person and area. Sorting the "YYYY-MM" text does it in Arrow: a
    # groupby min over Arrow text runs Python per group, a visible share of a national publication.
    first = rows.dropna(subset=_PERSON_AREA).sort_values("placement_m", kind="stable")  # no month: last
    first = first.drop_duplicates(_PERSON_AREA)[[*_PERSON_AREA, "placement_m"]]
    return first.sort_values(_PERSON_AREA, kind="stable").reset_index(drop=True)


def _person_indicators(pa: pd.DataFrame, placement: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    df = pa.merge(placement, on=_PERSON_AREA, how="left")
    df["placement_m"] = df["placement_m"].fillna(_OPEN)
    # One period at a time, summed at once: memory stays persons x areas whatever the number of
    # periods (a cross join with the periods held persons x areas x periods x 20 flags).
    agg = pd.concat([_person_sums(df, p) for p in periods], ignore_index=True)
    counts = {k: k for k in agg.columns if k not in ("period", *_AREA, "gender") and "_" not in k}
    rates = {"WORK_PLACEMENT": ("WP_num", "WP_den", "WP_den"), "COMPLETION": ("CO_num", "CO_den", "CO_den")}
    return _long(agg, counts, rates)


def _person_sums(df: pd.DataFrame, p: str) -> pd.DataFrame:
    """Per area and gender (and 'all'), the persons counted by each flag in period ``p``."""
    entered = df["entry_m"] <= p
    exited = entered & (df["exit_m"] <= p)
    labour, status, age = df["labour_status"], df["exit_status"], df["age"]
    on_track = entered & df["track"].isin(["worklife", "vocational"])
    completed = exited & (status.eq("studies_national").fillna(False) | df["qualified"])
    flags = {
        "EECO01": entered,
        "EECO02": entered & labour.isin(["unemployed", "long_term_unemployed"]),
        "EECO03": entered & labour.eq("long_term_unemployed").fillna(False),
        "EECO04": entered & labour.eq("inactive").fillna(False),
        "EECO05": entered & labour.eq("employed").fillna(False),
        "EECO06": entered & (age < 18).fillna(False),
        "EECO07": entered & ((age >= 18) & (age <= 29)).fillna(False),
        "EECO12": entered & df["disability"].eq("yes").fillna(False),
        "EECO14": entered & df["foreign"],
        "EECR01": exited & status.eq("job_seeking").fillna(False),
        "EECR02": exited & status.isin(["studies_national", "studies_other"]),
        "EECR03": exited & df["qualified"],
        "EECR04": exited & status.eq("employed").fillna(False),
        "ENTRANTS": df["entry_m"] == p,
        "EXITS": df["exit_m"] == p,
        "ACTIVE": entered & (df["exit_m"] >= p),
        "WP_den": on_track,
        "WP_num": on_track & (df["placement_m"] <= p),
        "CO_den": exited,
        "CO_num": completed,
    }
    wide = df[[*_AREA, "gender"]].assign(period=p, **{k: v.astype(np.int64) for k, v in flags.items()})
    return _aggregate(wide, list(flags))


# ---------------------------------------------------------------- attendance


def _attendance_indicators(attendance: pd.DataFrame, pa: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    attendance = pd.DataFrame({
        "person": attendance["person"], "kommunkod": attendance["kommunkod"],
        "month": attendance["month"].astype(object),
        "sched": pd.to_numeric(attendance["scheduled_min"]).fillna(0).astype(np.int64),
        "att": pd.to_numeric(attendance["attended_min"]).fillna(0).astype(np.int64),
    })
    rows = _area_rows(attendance[attendance["month"] <= periods[-1]], pa)
    if rows.empty:
        return pd.DataFrame(columns=[*KEYS, "numerator", "denominator", "persons"])
    # A person's share in a month sums their rows of the area (both municipalities at federation level).
    pm = rows.groupby([*_PERSON_AREA, "gender", "month"], as_index=False, dropna=False)[["sched", "att"]].sum()
    pm = pm.rename(columns={"month": "period"})
    pm["pos"] = (pm["sched"] > 0).astype(np.int64)
    wanted = pm["period"].isin(periods)

    rate = _aggregate(pm[wanted], ["att", "sched", "pos"])

    # First month with scheduled minutes > 0; improvement compares month P with it.
    pos = pm[pm["sched"] > 0].sort_values([*_PERSON_AREA, "period"])
    first = pos.drop_duplicates(_PERSON_AREA)[[*_PERSON_AREA, "period", "sched", "att"]]
    first = first.rename(columns={"period": "m0", "sched": "s0", "att": "a0"})
    later = pos[pos["period"].isin(periods)].merge(first, on=_PERSON_AREA)
    later = later[later["period"] > later["m0"]]
    # att/sched > a0/s0, exactly, in integers
    later = later.assign(
        den=np.int64(1), num=(later["att"] * later["s0"] > later["a0"] * later["sched"]).astype(np.int64)
    )
    improved = _aggregate(later, ["num", "den"])
    return pd.concat(
        [
            _long(rate, {}, {"ATTENDANCE_RATE": ("att", "sched", "pos")}),
            _long(improved, {}, {"ATTENDANCE_IMPROVED": ("num", "den", "den")}),
        ],
        ignore_index=True,
    )


# ---------------------------------------------------------------- survey


def _survey_indicators(survey: pd.DataFrame, pa: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    cols = {code: (f"{m}_num", f"{m}_den", f"{m}_den") for m, code in SURVEY_MEASURES.items()}
    wave = survey["wave"].astype("string").str.strip().str.upper()
    survey = pd.DataFrame({
        "person": survey["person"], "kommunkod": survey["kommunkod"], "source": survey["source"],
        "wave_n": pd.to_numeric(wave.str.slice(1), errors="coerce"),
        "ans_ts": pd.to_datetime(survey["answered_on"], errors="coerce"),
        "ans_m": _month(survey["answered_on"]),
        "src_period": survey["period"],
        **{m: pd.to_numeric(survey[m], errors="coerce").astype(float) for m in SURVEY_MEASURES},
    })
    survey = survey[survey["wave_n"].notna() & survey["src_period"].notna() & (survey["src_period"] <= periods[-1])]
    rows = _area_rows(survey, pa)
    if rows.empty:
        return pd.DataFrame(columns=[*KEYS, "numerator", "denominator", "persons"])
    # Integer arrays from here on: every row is crossed with the periods it counts for.
    groups = rows.groupby([*_PERSON_AREA, "gender"], dropna=False)
    pid = groups.ngroup().to_numpy(np.int64)  # one id per area and person
    lookup = groups.size().reset_index()[[*_PERSON_AREA, "gender"]]
    n_pid = len(lookup)
    target = _month_index(pd.Series(periods))
    # A row counts for P when delivered for a period <= P and answered on or before end(P).
    eff = np.maximum(_month_index(rows["src_period"]), _month_index(rows["ans_m"]))
    first = np.searchsorted(target, eff, side="left")
    n = len(target) - first
    rep = np.repeat(np.arange(len(rows)), n)
    tgt = np.repeat(first, n) + (np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n))
    key = tgt * n_pid + pid[rep]  # (period, area, person)
    wave = rows["wave_n"].to_numpy(np.int64)[rep]
    # One answer per wave: a later period's answer replaces the earlier; across sources the
    # later answered_on wins, tie higher kommunkod (indicators.md). The last of each wave wins.
    order = np.lexsort((
        pd.factorize(rows["source"], sort=True)[0][rep],
        rows["kommunkod"].astype(np.int64).to_numpy()[rep],
        rows["ans_ts"].to_numpy("datetime64[ns]").view(np.int64)[rep],
        _month_index(rows["src_period"])[rep],
        wave,
        key,
    ))
    key, wave, rep = key[order], wave[order], rep[order]
    last = np.ones(len(key), dtype=bool)
    last[:-1] = (key[1:] != key[:-1]) | (wave[1:] != wave[:-1])
    key, wave, rep = key[last], wave[last], rep[last]  # winners, sorted by key and wave

    result = pd.DataFrame({"key": np.unique(key)})
    for measure in SURVEY_MEASURES:
        score = rows[measure].to_numpy(dtype=float, na_value=np.nan)[rep]
        scored = ~np.isnan(score)
        t0 = scored & (wave == 0)
        later = scored & (wave >= 1)
        k_later, s_later = key[later], score[later]
        is_latest = np.ones(len(k_later), dtype=bool)  # highest wave number with a score
        is_latest[:-1] = k_later[1:] != k_later[:-1]
        both, i0, i1 = np.intersect1d(key[t0], k_later[is_latest], assume_unique=True, return_indices=True)
        improved = s_later[is_latest][i1] > score[t0][i0]
        result = result.merge(
            pd.DataFrame({"key": both, f"{measure}_den": np.int64(1), f"{measure}_num": improved.astype(np.int64)}),
            on="key", how="left",
        )
    value_cols = [c for m in SURVEY_MEASURES for c in (f"{m}_num", f"{m}_den")]
    result[value_cols] = result[value_cols].fillna(0).astype(np.int64)
    keys = result["key"].to_numpy()
    person_area = lookup.iloc[keys % n_pid].reset_index(drop=True)
    result = pd.concat(
        [person_area, result[value_cols].reset_index(drop=True)], axis=1
    ).assign(period=np.array(periods, dtype=object)[keys // n_pid])
    return _long(_aggregate(result, value_cols), {}, cols)


# ---------------------------------------------------------------- public


def source_status(inputs: IndicatorInputs, periods: list[str]) -> pd.DataFrame:
    """Per period and source: the snapshot used (the newest) and whether it is stale.

    indicators.md: a source with no accepted snapshot for P or any later period
    is stale for P; one that never delivered is stale with snapshot_period empty.
    """
    periods = _check_periods(periods)
    part = inputs.participants
    newest: dict[str, str] = {}
    if part is not None and not part.empty:
        newest = {str(k): str(v) for k, v in part.groupby("source")["period"].max().items()}
    sources = sorted(set(map(str, inputs.sources)) | set(newest))
    rows = [
        (p, s, s not in newest or newest[s] < p, newest.get(s))
        for p in periods
        for s in sources
    ]
    out = pd.DataFrame(rows, columns=SOURCE_STATUS_COLUMNS)
    out["stale"] = out["stale"].astype(bool)
    return out


def compute(inputs: IndicatorInputs, periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The restricted indicator table and source_status for ``periods``.

    Restricted table: one row per period × area_level × area_code × gender ×
    indicator (all of them, zeros included) with numerator, denominator (NA for
    counts), value (NA for a rate with denominator 0) and persons (contributing
    persons, used by disclosure control). Sorted by period, level
    (municipality, federation, region), area code, gender (all, female, male,
    nonbinary) and indicator (INDICATORS order).
    """
    periods = _check_periods(periods)
    status = source_status(inputs, periods)
    if not periods:
        return _empty_restricted(), status
    participants = _frame(inputs.participants, "participants")
    attendance = _frame(inputs.attendance, "attendance")
    survey = _frame(inputs.survey, "survey")
    activities = _frame(inputs.activities, "activities")

    pa = person_areas(newest_snapshots(participants))
    parts = [
        _person_indicators(pa, _first_placement(activities, pa), periods),
        _attendance_indicators(attendance, pa, periods),
        _survey_indicators(survey, pa, periods),
    ]
    parts = [p for p in parts if not p.empty]
    computed = pd.concat(parts, ignore_index=True) if parts else _empty_restricted()
    computed = computed[computed["period"].isin(periods) & computed["gender"].isin(GENDERS)]

    grid = _grid(periods)
    table = grid.merge(computed, on=KEYS, how="left", validate="one_to_one")
    is_rate = table["indicator"].isin(RATE_CODES).to_numpy()
    num = table["numerator"].fillna(0).astype("int64")
    den = table["denominator"].fillna(0).astype("int64")
    table["numerator"] = num.astype("Int64")
    table["denominator"] = den.astype("Int64").where(is_rate, pd.NA)
    table["persons"] = table["persons"].fillna(0).astype("int64").astype("Int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den.to_numpy() > 0, num.to_numpy() / np.maximum(den.to_numpy(), 1), np.nan)
    value = np.where(is_rate, ratio, num.to_numpy().astype(float))
    table["value"] = pd.array(value, dtype="Float64")  # NaN -> NA
    return table[RESTRICTED_COLUMNS], status


def _grid(periods: list[str]) -> pd.DataFrame:
    """Every period × area × gender × indicator, in publication order."""
    area_list = areas()
    n_p, n_a, n_g, n_i = len(periods), len(area_list), len(GENDERS), len(INDICATOR_CODES)
    levels = np.array([a[0] for a in area_list], dtype=object)
    codes = np.array([a[1] for a in area_list], dtype=object)
    area_ix = np.tile(np.repeat(np.arange(n_a), n_g * n_i), n_p)
    return pd.DataFrame(
        {
            "period": np.repeat(np.array(periods, dtype=object), n_a * n_g * n_i),
            "area_level": levels[area_ix],
            "area_code": codes[area_ix],
            "gender": np.tile(np.repeat(np.array(GENDERS, dtype=object), n_i), n_p * n_a),
            "indicator": np.tile(np.array(INDICATOR_CODES, dtype=object), n_p * n_a * n_g),
        }
    )


def _empty_restricted() -> pd.DataFrame:
    out = _grid([])
    out["numerator"] = pd.array([], dtype="Int64")
    out["denominator"] = pd.array([], dtype="Int64")
    out["value"] = pd.array([], dtype="Float64")
    out["persons"] = pd.array([], dtype="Int64")
    return out[RESTRICTED_COLUMNS]
