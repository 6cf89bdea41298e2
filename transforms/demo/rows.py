"""The canonical rows of the four datasets for one source and period, from the population.

``participants`` and ``survey`` only read the plans; ``attendance`` and
``activities`` draw from the population's generator, so the order in which
sources, periods and datasets are asked for is part of the seed's output.
"""

from __future__ import annotations

from datetime import date

from transforms.config.sources import Source
from transforms.demo.population import (
    Enrolment,
    Population,
    months_between,
    school_days,
    weighted,
)
from transforms.period import Period

HOURS = {
    "mi": [0.5, 0.75, 1.0],
    "life_skills": [1.0, 1.5, 2.0],
    "study_skills": [1.0, 1.5, 2.0],
    "health": [1.0, 1.5, 2.0, 3.0],
    "guidance": [0.5, 1.0, 1.5],
    "study_visit": [2.0, 3.0, 4.5, 6.0],
    "fair": [3.0, 4.0, 5.0],
    "participation": [1.0, 1.5],
    "labour_market_course": [2.0, 3.0, 4.0],
    "vocational_course": [3.0, 4.0, 6.0],
    "internship": [4.0, 6.0, 7.5, 8.0],
    "apl": [4.0, 6.0, 7.5, 8.0],
}
ACTIVITY_WEIGHTS = {
    "mi": 20, "life_skills": 12, "study_skills": 15, "health": 10, "guidance": 12,
    "study_visit": 6, "fair": 3, "participation": 8, "labour_market_course": 5,
}


def participants(pop: Population, source: Source, period: Period) -> list[dict]:
    """The snapshot: everyone enrolled by the period's end; exits as far as reported by then."""
    style = pop.style(source.id)
    rows = []
    enrolments = sorted(pop.of_source(source.id), key=lambda e: (e.entry, e.kommunkod, e.person.serial))
    for e in enrolments:
        if e.entry > period.last_day:
            continue
        known = e.exit_known(period)
        rows.append(
            {
                "kommunkod": e.kommunkod,
                "person_id": e.person.number(style),
                "programme": e.programme,
                "gender": e.person.gender,
                "entry_date": e.entry,
                "exit_date": e.exit if known else None,
                "exit_status": e.exit_status if known else None,
                "qualification": e.qualification if known else None,
                "track": e.track,
                "labour_status": e.labour_status,
                "newly_arrived": e.person.newly_arrived,
                "foreign_background": e.person.foreign_background,
                "disability": e.person.disability,
            }
        )
    return rows


def _active_days(pop: Population, e: Enrolment, period: Period) -> tuple[date, ...]:
    lo = max(period.first_day, e.entry)
    hi = min(period.last_day, e.exit) if e.exit else period.last_day
    return pop.days(lo, hi, e.kommunkod) if lo <= hi else ()


def attendance(pop: Population, source: Source, period: Period) -> list[dict]:
    """Scheduled minutes from school days, attended from the person's habit and trend."""
    rng, style = pop.rng, pop.style(source.id)
    rows = []
    for e in pop.of_source(source.id):
        if not e.active(period):
            continue
        scheduled = len(_active_days(pop, e, period)) * e.daily_min
        if scheduled:
            scheduled = max(0, scheduled + rng.choice([0, 0, 0, -60, -30, 30]))
        months = months_between(Period.of(e.entry), period)
        share = min(
            1.0, max(0.05, e.person.attendance + e.person.trend * months + rng.gauss(0, 0.05))
        )
        attended = min(scheduled, int(round(scheduled * share / 5.0)) * 5)
        missing = scheduled - attended
        valid = int(round(missing * rng.uniform(0.25, 0.75)))
        invalid = missing - valid
        if invalid and rng.random() < 0.2:  # registers that do not add up to the minute
            invalid = max(0, invalid + rng.choice([-3, -2, -1, 1, 2, 3]))
        rows.append(
            {
                "kommunkod": e.kommunkod,
                "person_id": e.person.number(style),
                "month": str(period),
                "scheduled_min": scheduled,
                "attended_min": attended,
                "absence_valid_min": valid,
                "absence_invalid_min": invalid,
            }
        )
    rows.sort(key=lambda r: (r["kommunkod"], r["person_id"]))
    return rows


def survey(pop: Population, source: Source, period: Period) -> list[dict]:
    """The planned survey answers that fall in the period."""
    style = pop.style(source.id)
    rows = [
        {
            "kommunkod": e.kommunkod,
            "person_id": e.person.number(style),
            "wave": wave,
            "answered_on": day,
            "motivation": motivation,
            "future_hope": hope,
            "wellbeing": wellbeing,
        }
        for e in pop.of_source(source.id)
        for wave, day, (motivation, hope, wellbeing) in e.waves
        if Period.of(day) == period
    ]
    rows.sort(key=lambda r: (r["answered_on"], r["person_id"]))
    return rows


def activities(pop: Population, source: Source, period: Period) -> list[dict]:
    """A few activities per active pupil, more for a full month; internships on work tracks."""
    rng, style = pop.rng, pop.style(source.id)
    # The month's length in school days, on one calendar for all (a month, not a federation's).
    all_days = len(school_days(period.first_day, period.last_day, "GR")) or 1
    rows = []
    for e in pop.of_source(source.id):
        if not e.active(period):
            continue
        days = _active_days(pop, e, period)
        if not days:
            continue
        weights = dict(ACTIVITY_WEIGHTS)
        if e.programme == "IMY" or e.track == "vocational":
            weights["vocational_course"] = 10
        count = round(rng.choice([1, 2, 2, 3, 3, 4, 5]) * len(days) / all_days)
        chosen = [weighted(rng, weights) for _ in range(max(1, count))]
        if e.track in ("worklife", "vocational") and rng.random() < 0.45:
            kind = "internship" if e.track == "worklife" else "apl"
            chosen += [kind] * rng.randint(2, 6)
        for activity in chosen:
            rows.append(
                {
                    "kommunkod": e.kommunkod,
                    "person_id": e.person.number(style),
                    "activity": activity,
                    "date": rng.choice(days),
                    "hours": rng.choice(HOURS[activity]),
                }
            )
    rows.sort(key=lambda r: (r["date"], r["person_id"], r["activity"]))
    return rows


DATASET_ROWS = {
    "participants": participants,
    "attendance": attendance,
    "survey": survey,
    "activities": activities,
}
