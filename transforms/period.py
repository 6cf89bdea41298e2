"""Reporting periods (exports.md, Delivery): one calendar month, written ``YYYY-MM``.

Frames, file paths and XComs carry periods as that text; this type does every check
and every piece of month arithmetic on them, in one place. Part of the kernel
(ARCHITECTURE.md): the project's window is an argument (``Project.window``), never read here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from transforms.messages import t

_TEXT = re.compile(r"(\d{4})-(\d{2})")


class PeriodError(ValueError):
    """A text that is not a real month written YYYY-MM."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise PeriodError(t("period.not_real", period=f"{self.year:04d}-{self.month:02d}"))

    @classmethod
    def parse(cls, text: str | Period, where: str = "") -> Period:
        """``'2024-09'`` -> Period; ``where`` says where the text came from in the error (a catalogue text,
        e.g. ``t("period.where_file_name")``)."""
        if isinstance(text, Period):
            return text
        m = _TEXT.fullmatch(str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            where = f" {where}" if where else ""
            raise PeriodError(t("period.not_a_month", text=repr(text), where=where))
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def current(cls, today: date | None = None) -> Period:
        return cls.of(today or datetime.now(UTC).date())

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def in_project(self, window: tuple[Period, Period]) -> bool:
        first, last = window
        return first <= self <= last

    @staticmethod
    def range(first: str | Period, last: str | Period) -> list[Period]:
        """Every period from first through last (empty when last is before first)."""
        out, period, last = [], Period.parse(first), Period.parse(last)
        while period <= last:
            out.append(period)
            period = period.next()
        return out


def is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except PeriodError:
        return False
    return True


def month_range(first: str | Period, last: str | Period) -> list[str]:
    """``Period.range`` as the ``YYYY-MM`` texts frames carry."""
    return [str(p) for p in Period.range(first, last)]


def period_fault(text: str, window: tuple[Period, Period], today: date | None = None,
                 where: str = "") -> str | None:
    """Why ``text`` is not a valid reporting period, or None (exports.md, Delivery):
    a real YYYY-MM inside the project's ``window`` (first, last) and not after the current month."""
    try:
        period = Period.parse(text, where)
    except PeriodError as exc:
        return str(exc)
    first, last = window
    if not period.in_project(window):
        return t("period.outside_project", period=period, first=first, last=last)
    if period > Period.current(today):
        return t("period.future", period=period)
    return None
