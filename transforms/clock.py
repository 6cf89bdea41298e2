"""Times as people read them: Swedish local time to the second, from the UTC stamps Samla stores.

Stored values (ledger, warehouse, Parquet, arrival records) stay UTC ISO 8601;
only what a person reads (CLI, e-mail, reports, Data Docs index) goes through
``local_time``. Imports nothing of Samla, so every layer may use it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# The tzdata package (a dependency) provides the zone where the OS has no zone database (slim images).
ZONE = ZoneInfo("Europe/Stockholm")
FORMAT = "%Y-%m-%d %H:%M:%S"  # the one format for people: no microseconds, no offset
MINUTES = "%Y-%m-%d %H:%M"  # a time planned ahead (the next scheduled run) has no seconds to tell


def now_utc() -> datetime:
    """The current time, aware, in UTC (what Samla stores)."""
    return datetime.now(UTC)


def local_time(value: datetime | str | None, *, seconds: bool = True) -> str:
    """An aware datetime or a stored ISO text (``…+00:00`` or ``…Z``) -> ``'2026-12-07 13:15:54'`` in
    Swedish time. A naive value is read as UTC, as Samla stores; missing (None, NaN, NaT, '') gives '';
    a date alone, or text that is not a time, is returned as it is, so nothing a person should see is lost."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:  # a date alone (or nothing) has no time of day to move
            return text
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return text
    if not isinstance(value, datetime) or value != value:  # None, NaN, pd.NA; NaT is unequal to itself
        return ""
    if value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE).strftime(FORMAT if seconds else MINUTES)
