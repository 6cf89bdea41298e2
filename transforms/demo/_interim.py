"""Until core's shared modules (``transforms.period``, ``transforms.atomic``, ``transforms.values``,
issue 7.2) are on main: the few pieces of them the demo uses. Delete this module then, and import
from those modules directly (the names and behaviour are the same)."""

from __future__ import annotations

try:
    from transforms.atomic import write_bytes
    from transforms.demo._interim import Period, month_range
    from transforms.values import is_missing
except ImportError:
    import calendar
    import os
    import re
    import tempfile
    from dataclasses import dataclass
    from datetime import date
    from pathlib import Path
    from typing import Any

    @dataclass(frozen=True, order=True)
    class Period:  # type: ignore[no-redef]
        year: int
        month: int

        @classmethod
        def parse(cls, text: str | Period) -> Period:
            if isinstance(text, Period):
                return text
            m = re.fullmatch(r"(\d{4})-(\d{2})", str(text))
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise ValueError(f"period {text!r} is not a real month written YYYY-MM")
            return cls(int(m.group(1)), int(m.group(2)))

        @classmethod
        def of(cls, day: date) -> Period:
            return cls(day.year, day.month)

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

        @staticmethod
        def range(first: str | Period, last: str | Period) -> list[Period]:
            out, period, last = [], Period.parse(first), Period.parse(last)
            while period <= last:
                out.append(period)
                period = period.next()
            return out

    def month_range(first: str | Period, last: str | Period) -> list[str]:  # type: ignore[misc]
        return [str(p) for p in Period.range(first, last)]

    def write_bytes(target: Path, data: bytes) -> Path:  # type: ignore[misc]
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)  # what a plain open() would give, as before
        os.replace(name, target)
        return target

    def is_missing(value: Any) -> bool:  # type: ignore[misc]
        if value is None:
            return True
        if isinstance(value, str | bytes):
            return False
        import pandas as pd

        try:
            return bool(pd.isna(value))
        except (TypeError, ValueError):
            return False

__all__ = ["Period", "is_missing", "month_range", "write_bytes"]
