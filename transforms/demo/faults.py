"""The documented faults the demo plants, one small function each, listed in ``FAULTS``.

Each entry names the rule the pipeline reports, the source and dataset it
prefers (another source takes its place when the configuration lacks it),
and the period (an index into the generated months). A planting function
changes the canonical rows before they are rendered and returns the data
rows it touched (1-based, as the manifest reports them) and a description —
never a personnummer — or None when the period gives it nothing to work on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from transforms.config.sources import SourcesConfig
from transforms.demo.population import Population, add_years, school_days
from transforms.messages import t
from transforms.period import Period

Key = tuple[str, str, str]  # (source id, dataset, period)


@dataclass
class Frames:
    """Canonical rows per file before rendering, and headers a fault renames."""

    rows: dict[Key, list[dict]] = field(default_factory=dict)
    renamed: dict[Key, dict[str, str]] = field(default_factory=dict)


@dataclass
class Plot:
    """What a planting function works on: the file's rows and everything around them."""

    pop: Population
    frames: Frames
    config: SourcesConfig
    rng: random.Random
    source: str
    dataset: str
    period: Period

    @property
    def rows(self) -> list[dict]:
        return self.frames.rows[(self.source, self.dataset, str(self.period))]

    def rows_of(self, dataset: str) -> list[dict]:
        return self.frames.rows[(self.source, dataset, str(self.period))]

    @property
    def style(self) -> str:
        return self.pop.style(self.source)

    @property
    def kommunkod(self) -> str:
        return self.config.get(self.source).municipalities[0]


Planted = tuple[list[int], str, dict[str, Any]]  # rows, description, extra manifest keys


def bad_luhn(plot: Plot) -> Planted:
    """A newly registered pupil whose number was mistyped."""
    rng, rows, period = plot.rng, plot.rows, plot.period
    entry = rng.choice(school_days(period.first_day, period.last_day, "GR") or [period.first_day])
    person = plot.pop.new_person(entry)
    good = person.number("10")
    wrong = str((int(good[-1]) + rng.randint(1, 9)) % 10)
    row = dict(rng.choice(rows)) if rows else {
        "kommunkod": plot.kommunkod,
        "programme": "IMS",
        "track": "none",
        "labour_status": "inactive",
        "newly_arrived": True,
        "foreign_background": True,
        "disability": "no",
    }
    row.update(
        {
            "person_id": person.number(plot.style, check=wrong),
            "entry_date": entry,
            "exit_date": None,
            "exit_status": None,
            "qualification": None,
            "gender": person.gender,
        }
    )
    rows.append(row)
    return [len(rows)], (
        t("demo.fault.bad_luhn")
    ), {}


def unknown_label(plot: Plot) -> Planted | None:
    """An activity the source's code list does not have."""
    if not plot.rows:
        return None
    i = plot.rng.randrange(len(plot.rows))
    plot.rows[i]["activity"] = "Friluftsdag"
    return [i + 1], (
        t("demo.fault.unknown_label", label="Friluftsdag")
    ), {}


def attended_over_scheduled(plot: Plot) -> Planted | None:
    """Attended 90 minutes more than scheduled."""
    candidates = [i for i, r in enumerate(plot.rows) if r["scheduled_min"] > 0]
    if not candidates:
        return None
    i = plot.rng.choice(candidates)
    plot.rows[i].update(
        {
            "attended_min": plot.rows[i]["scheduled_min"] + 90,
            "absence_valid_min": None,
            "absence_invalid_min": None,
        }
    )
    return [i + 1], (
        t("demo.fault.attended_over_scheduled", minutes=90)
    ), {}


def _exits_in(row: dict, first: date, last: date) -> bool:
    return row["exit_date"] is not None and first <= row["exit_date"] <= last


def exit_before_entry(plot: Plot) -> Planted | None:
    """An exit date typed with the wrong year (or a stray exit date); the pupil's other rows follow."""
    rows, first, last = plot.rows, plot.period.first_day, plot.period.last_day
    answered = {r["person_id"] for r in plot.rows_of("survey")}
    pool = [
        i
        for i, r in enumerate(rows)
        if r["person_id"] not in answered
        and r["entry_date"] < first
        and (r["exit_date"] is None or r["exit_date"] >= first)
    ]
    if not pool:
        return None
    exiting = [i for i in pool if _exits_in(rows[i], first, last)]
    i = plot.rng.choice(exiting or pool)
    row = rows[i]
    typo = add_years(row["exit_date"], -1) if row["exit_date"] else row["entry_date"] - timedelta(days=14)
    if typo >= row["entry_date"]:
        typo = row["entry_date"] - timedelta(days=14)
    row.update(
        {
            "exit_date": typo,
            "exit_status": row["exit_status"] or "studies_other",
            "qualification": bool(row["qualification"]),
        }
    )
    cascade = []
    for dataset in ("attendance", "survey", "activities"):
        hits = [j + 1 for j, r in enumerate(plot.rows_of(dataset)) if r["person_id"] == row["person_id"]]
        if hits:
            cascade.append({"dataset": dataset, "rows": hits})
    moved_rows = sum(len(c["rows"]) for c in cascade)
    return [i + 1], (
        t("demo.fault.exit_before_entry", n=moved_rows)
    ), {"cascade": cascade}


def duplicate_row(plot: Plot) -> Planted | None:
    """The same pupil's attendance delivered twice (every row sharing the key is quarantined)."""
    if not plot.rows:
        return None
    i = plot.rng.randrange(len(plot.rows))
    plot.rows.insert(i + 1, dict(plot.rows[i]))
    return [i + 1, i + 2], (
        t("demo.fault.duplicate_row")
    ), {}


def stranger(plot: Plot) -> Planted:
    """Attendance for a person the source's participants snapshot does not have."""
    person = plot.pop.new_person(plot.period.first_day)
    plot.rows.append(
        {
            "kommunkod": plot.kommunkod,
            "person_id": person.number(plot.style),
            "month": str(plot.period),
            "scheduled_min": 5400,
            "attended_min": 4650,
            "absence_valid_min": 450,
            "absence_invalid_min": 300,
        }
    )
    return [len(plot.rows)], (
        t("demo.fault.stranger")
    ), {}


def date_outside_period(plot: Plot) -> Planted | None:
    """An activity dated a few days after the period."""
    if not plot.rows:
        return None
    i = plot.rng.randrange(len(plot.rows))
    plot.rows[i]["date"] = plot.period.last_day + timedelta(days=plot.rng.randint(1, 5))
    return [i + 1], t("demo.fault.date_outside_period"), {}


def renamed_column(plot: Plot) -> Planted:
    """The one faulty file: the municipality changed its export template."""
    plot.frames.renamed[(plot.source, plot.dataset, str(plot.period))] = {
        "attended_min": "Närvarotid (min)"
    }
    return [], (
        t("demo.fault.renamed_column", old="Närvaro minuter", new="Närvarotid (min)")
    ), {}


@dataclass(frozen=True)
class Fault:
    rule: str
    source: str  # preferred source
    dataset: str
    period: int  # index into the generated periods (the last one when there are fewer)
    plant: Callable[[Plot], Planted | None]
    level: str = "row"


FAULTS = (
    Fault("invalid_personnummer", "1489", "participants", 1, bad_luhn),
    Fault("unknown_code", "1496", "activities", 2, unknown_label),
    Fault("attended_over_scheduled", "1480", "attendance", 3, attended_over_scheduled),
    Fault("exit_before_entry", "1384", "participants", 4, exit_before_entry),
    Fault("duplicate_key", "1402", "attendance", 2, duplicate_row),
    Fault("person_not_in_participants", "1498", "attendance", 5, stranger),
    Fault("date_outside_period", "kfv", "activities", 1, date_outside_period),
    Fault("required_column_missing", "1463", "attendance", 2, renamed_column, level="file"),
)


def _pick_source(config: SourcesConfig, preferred: str, used: set[str]) -> str:
    if preferred in config.sources:
        return preferred
    free = [s for s in config.sources if s not in used] or list(config.sources)
    return free[0]


def plant(pop: Population, frames: Frames, config: SourcesConfig, periods: list[Period],
          seed: int) -> list[dict]:
    """Plant every fault of ``FAULTS``; returns them without file paths (added on writing)."""
    rng = random.Random(f"samla-sample-faults:{seed}")
    used: set[str] = set()
    planted = []
    for fault in FAULTS:
        source = _pick_source(config, fault.source, used)
        used.add(source)
        period = periods[min(fault.period, len(periods) - 1)]
        outcome = fault.plant(Plot(pop, frames, config, rng, source, fault.dataset, period))
        if outcome is None:
            continue
        rows, description, extra = outcome
        planted.append(
            {
                "source": source,
                "dataset": fault.dataset,
                "period": str(period),
                "level": fault.level,
                "rule": fault.rule,
                "rows": rows,
                "description": description,
                **extra,
            }
        )
    return planted
