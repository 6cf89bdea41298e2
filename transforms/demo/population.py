"""The synthetic population: persons, their enrolments, and the canonical rows they produce.

Everything is drawn from one seeded ``random.Random`` in a fixed order, so a
seed gives the same pupils, the same numbers and (rendered) the same bytes.
The draws happen in this order: enrolments per municipality (``Population``),
exits, moves, survey plans; then, per source and period, the rows of the four
datasets (``dataset_rows``). Rows hold canonical columns and codes; the
rendering module writes them as each source would.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from transforms.config.sources import Source
from transforms.demo.synthetic_pnr import styled_pnr
from transforms.period import Period

# Participants per municipality over the default six months (~505 in all,
# roughly proportional to each municipality's upper-secondary population).
PARTICIPANTS: dict[str, int] = {
    "1480": 155, "1488": 60, "1496": 55, "1384": 50, "1487": 45,
    "1489": 40, "1463": 35, "1402": 30, "1498": 20, "1442": 15,
}
DEFAULT_SIZE = 25

# How each source writes personnummer (a choice of the export system, not of
# the contract: all of these are valid); see synthetic_pnr.STYLES.
PNR_STYLE = {
    "1480": "12-", "1489": "10-", "1384": "12", "1402": "12-", "1463": "10-",
    "1442": "10-", "1496": "12", "1498": "10", "kfv": "10-",
}
DEFAULT_STYLE = "12-"
# Pupils who move between municipalities (exit in one source, entry in another).
MOVES = (("1480", "1402"), ("1496", "1498"), ("1487", "1463"))


@functools.cache
def school_days(first: date, last: date, federation: str) -> tuple[date, ...]:
    """Weekdays outside the usual school breaks (höstlov, jullov, sportlov, påsklov, sommarlov)."""
    sportlov = 7 if federation == "GR" else 8
    days = []
    day = first
    while day <= last:
        week = day.isocalendar()[1]
        md = (day.month, day.day)
        on_break = (
            week in (44, sportlov, 15) or md >= (12, 21) or md <= (1, 7) or (6, 13) <= md <= (8, 18)
        )
        if day.weekday() < 5 and not on_break:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def weighted(rng: random.Random, options: Mapping[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def months_between(earlier: Period, later: Period) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def shift(period: Period, months: int) -> Period:
    """The period ``months`` later."""
    for _ in range(months):
        period = period.next()
    return period


# --------------------------------------------------------------------------- persons


@dataclass
class Person:
    birth: date
    serial: str  # three digits
    coordination: bool
    gender: str
    newly_arrived: bool
    foreign_background: bool
    disability: str
    scores: tuple[float, float, float]  # motivation, future_hope, wellbeing at T0
    gain: float
    attendance: float
    trend: float

    def number(self, style: str, check: str | None = None) -> str:
        return styled_pnr(self.birth, int(self.serial), style, coordination=self.coordination,
                          check=check)


@dataclass
class Enrolment:
    person: Person
    source: str
    kommunkod: str
    programme: str
    track: str
    labour_status: str
    entry: date
    daily_min: int
    exit: date | None = None
    exit_status: str | None = None
    qualification: bool | None = None
    exit_reported: Period | None = None  # the period whose snapshot first shows the exit
    waves: list[tuple[str, date, tuple[float | None, ...]]] = field(default_factory=list)

    def active(self, period: Period) -> bool:
        return self.entry <= period.last_day and (self.exit is None or self.exit >= period.first_day)

    def exit_known(self, period: Period) -> bool:
        return self.exit is not None and self.exit_reported is not None and self.exit_reported <= period


_AGES = ([15, 16, 17, 18, 19, 20, 21, 22], [5, 34, 30, 17, 8, 4, 1, 1])
_TRACK_SHARE = {"IMY": ("vocational", 0.75), "IMA": ("worklife", 0.35), "IMV": ("worklife", 0.15)}
_LABOUR = {"inactive": 0.78, "unemployed": 0.12, "long_term_unemployed": 0.04, "employed": 0.06}
_EXIT_STATUS = {
    "studies_national": 0.35, "studies_other": 0.2, "employed": 0.12,
    "job_seeking": 0.1, "other": 0.13, "unknown": 0.1,
}
EXIT_SHARE_PER_MONTH = 0.028


class Population:
    """Persons and enrolments of every municipality the sources deliver for, over ``periods``.

    ``federation_of`` maps a kommunkod to its federation code (school breaks
    differ by federation); ``sizes`` overrides participants per kommunkod;
    ``scale`` multiplies every size (the benchmark's larger populations);
    ``styles`` overrides how a source writes personnummer (``PNR_STYLE``).
    """

    def __init__(
        self,
        sources: Mapping[str, Source],
        periods: list[Period],
        seed: int,
        federation_of: Mapping[str, str],
        sizes: Mapping[str, int] | None = None,
        scale: float = 1.0,
        styles: Mapping[str, str] | None = None,
    ) -> None:
        self.periods = periods
        self.styles = {**PNR_STYLE, **(styles or {})}
        self.federation_of = federation_of
        self.rng = random.Random(f"samla-sample:{seed}")
        self.numbers: set[tuple[date, str, bool]] = set()
        self.source_of = {m: s.id for s in sources.values() for m in s.municipalities}
        sizes = {**PARTICIPANTS, **(sizes or {})}
        self.enrolments: list[Enrolment] = [
            self.enrol(kommunkod)
            for kommunkod in sorted(self.source_of)
            for _ in range(round(sizes.get(kommunkod, DEFAULT_SIZE) * scale))
        ]
        plan_exits(self)
        plan_moves(self)
        first_entry: dict[int, date] = {}  # by person: a pupil who moved answers T0 only once
        for e in self.enrolments:
            first_entry[id(e.person)] = min(e.entry, first_entry.get(id(e.person), e.entry))
        for enrolment in self.enrolments:
            plan_survey(self, enrolment, enrolment.entry <= first_entry[id(enrolment.person)])
        self._by_source: dict[str, list[Enrolment]] = {}
        for enrolment in self.enrolments:
            self._by_source.setdefault(enrolment.source, []).append(enrolment)

    def style(self, source_id: str) -> str:
        return self.styles.get(source_id, DEFAULT_STYLE)

    def of_source(self, source_id: str) -> list[Enrolment]:
        return self._by_source.get(source_id, [])

    def days(self, first: date, last: date, kommunkod: str) -> tuple[date, ...]:
        return school_days(first, last, self.federation_of[kommunkod])

    def new_person(self, entry: date) -> Person:
        rng = self.rng
        gender = weighted(rng, {"female": 0.42, "male": 0.55, "nonbinary": 0.03})
        age = rng.choices(*_AGES)[0]
        newly_arrived = rng.random() < 0.35
        while True:
            latest = add_years(entry, -age)
            earliest = add_years(entry, -(age + 1)) + timedelta(days=1)
            birth = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
            coordination = newly_arrived and rng.random() < 0.05
            # Ninth digit: odd for men, even for women (the traditional rule).
            odd = gender == "male" or (gender == "nonbinary" and rng.random() < 0.5)
            serial = f"{rng.randrange(100):02d}{rng.choice('13579' if odd else '02468')}"
            if (birth, serial, coordination) not in self.numbers:
                self.numbers.add((birth, serial, coordination))
                break
        base = rng.uniform(1.8, 4.0)

        def score() -> float:
            return round(min(5.0, max(1.0, base + rng.uniform(-0.6, 0.6))), 1)

        return Person(
            birth=birth,
            serial=serial,
            coordination=coordination,
            gender=gender,
            newly_arrived=newly_arrived,
            foreign_background=newly_arrived or rng.random() < 0.3,
            disability=weighted(rng, {"no": 0.72, "yes": 0.1, "unknown": 0.18}),
            scores=(score(), score(), score()),
            gain=rng.gauss(0.25, 0.35),
            attendance=rng.betavariate(6, 2),
            trend=rng.gauss(0.012, 0.015),
        )

    def entry_date(self, kommunkod: str) -> date:
        rng = self.rng
        # Most pupils start with the project at the autumn term, more at the spring term.
        weights = [
            6.0 if i == 0 else (2.0 if p.month in (1, 8, 9) else 1.0)
            for i, p in enumerate(self.periods)
        ]
        period = rng.choices(self.periods, weights=weights)[0]
        days = self.days(period.first_day, period.last_day, kommunkod) or [period.first_day]
        if period == self.periods[0] and rng.random() < 0.7:
            days = days[:10]
        return rng.choice(days)

    def enrol(self, kommunkod: str, person: Person | None = None, entry: date | None = None) -> Enrolment:
        rng = self.rng
        entry = entry or self.entry_date(kommunkod)
        person = person or self.new_person(entry)
        if person.newly_arrived and rng.random() < 0.8:
            programme = "IMS"
        else:
            programme = weighted(rng, {"IMA": 0.3, "IMV": 0.3, "IMY": 0.35, "IMS": 0.05})
        track_name, share = _TRACK_SHARE.get(programme, ("worklife", 0.1))
        track = track_name if rng.random() < share else "none"
        labour = weighted(rng, _LABOUR)
        daily = rng.choice([240, 255, 270]) if programme == "IMS" else rng.choice([270, 300, 315, 330])
        return Enrolment(
            person=person,
            source=self.source_of[kommunkod],
            kommunkod=kommunkod,
            programme=programme,
            track=track,
            labour_status=labour,
            entry=entry,
            daily_min=daily,
        )


# --------------------------------------------------------------------------- plans


def plan_exits(pop: Population) -> None:
    """Each month a pupil may leave (a share per month); some exits are reported a month late."""
    rng, last_period = pop.rng, pop.periods[-1]
    for enrolment in pop.enrolments:
        for period in Period.range(Period.of(enrolment.entry), last_period):
            if rng.random() >= EXIT_SHARE_PER_MONTH:
                continue
            days = [
                d
                for d in pop.days(period.first_day, period.last_day, enrolment.kommunkod)
                if d >= enrolment.entry + timedelta(days=14)
            ]
            if not days:
                continue
            enrolment.exit = rng.choice(days)
            status = weighted(rng, _EXIT_STATUS)
            enrolment.exit_status = status
            enrolment.qualification = rng.random() < (0.7 if status == "studies_national" else 0.2)
            # Some exits reach the register a month late (a correction in the next snapshot).
            late = rng.random() < 0.2 and period < last_period
            enrolment.exit_reported = period.next() if late else period
            break


def plan_moves(pop: Population) -> None:
    """A few pupils move: an exit in one source, a new enrolment in another."""
    month = pop.periods[min(2, len(pop.periods) - 1)]
    first, last = month.first_day, month.last_day
    for origin, destination in MOVES:
        if origin not in pop.source_of or destination not in pop.source_of:
            continue
        if pop.source_of[origin] == pop.source_of[destination]:
            continue
        staying = [e for e in pop.enrolments if e.kommunkod == origin and e.exit is None]
        candidates = [e for e in staying if e.entry <= first - timedelta(days=1)] or [
            e for e in staying if e.entry <= first + timedelta(days=4)
        ]
        days = [d for d in pop.days(first, last, origin) if d.day <= 20]
        if not candidates or not days:
            continue
        mover = pop.rng.choice(candidates)
        exit_day = pop.rng.choice([d for d in days if d > mover.entry] or [max(days[-1], mover.entry)])
        mover.exit, mover.exit_status, mover.qualification = exit_day, "studies_other", False
        mover.exit_reported = month
        entry = min(exit_day + timedelta(days=pop.rng.randint(3, 7)), last)
        moved = pop.enrol(destination, person=mover.person, entry=entry)
        moved.programme, moved.track, moved.labour_status = (
            mover.programme,
            mover.track,
            mover.labour_status,
        )
        pop.enrolments.append(moved)


def _answer_day(pop: Population, enrolment: Enrolment, period: Period) -> date | None:
    lo = max(period.first_day, enrolment.entry)
    hi = min(period.last_day, enrolment.exit) if enrolment.exit else period.last_day
    if lo > hi:
        return None
    days = pop.days(lo, hi, enrolment.kommunkod) or [lo]
    if period == Period.of(enrolment.entry):  # a newcomer answers T0 in the first half of the month
        return pop.rng.choice(days[: max(1, len(days) // 2)])
    return pop.rng.choice(days)


def _scores(rng: random.Random, person: Person, wave: int) -> tuple[float | None, ...]:
    values: list[float | None] = [
        round(min(5.0, max(1.0, s + wave * person.gain + rng.gauss(0, 0.3))), 1)
        for s in person.scores
    ]
    for i in range(3):
        if rng.random() < 0.04:
            values[i] = None
    if all(v is None for v in values):
        values[0] = person.scores[0]
    return tuple(values)


def plan_survey(pop: Population, enrolment: Enrolment, first_enrolment: bool) -> None:
    """T0 at entry, T1 about three months later, T2 about two after that (each not always answered).

    ``first_enrolment``: no enrolment of the same person starts earlier.
    """
    rng = pop.rng
    entry_period, last_period = Period.of(enrolment.entry), pop.periods[-1]
    wave_period = entry_period
    if first_enrolment and rng.random() < 0.85:
        day = _answer_day(pop, enrolment, entry_period)
        if day:
            enrolment.waves.append(("T0", day, _scores(rng, enrolment.person, 0)))
    elif not first_enrolment:
        return  # a pupil who moved answered T0 in the first municipality
    for wave, gap, share in ((1, 3, 0.7), (2, 2, 0.6)):
        wave_period = shift(wave_period, gap + rng.choice([0, 0, 1]))
        if wave_period > last_period or rng.random() >= share:
            return
        day = _answer_day(pop, enrolment, wave_period)
        if day is None:
            return
        enrolment.waves.append((f"T{wave}", day, _scores(rng, enrolment.person, wave)))

