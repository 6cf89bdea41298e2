"""What every ``samla`` subcommand shares: exit statuses, usage errors, periods, settings, cells."""

from __future__ import annotations

import argparse
from typing import Any

from transforms.messages import t
from transforms.period import Period, PeriodError, month_range

OK, PROBLEMS, USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong argument: printed as ``samla COMMAND: message``, exit status 2."""


def period_arg(text: str) -> str:
    try:
        return str(Period.parse(text))
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def period_range_arg(text: str) -> tuple[str, str]:
    """FIRST:LAST, each YYYY-MM, FIRST not after LAST (argparse turns the error into exit 2)."""
    first, colon, last = text.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError(t("usage.not_a_range", text=repr(text), one=text))
    first, last = period_arg(first.strip()), period_arg(last.strip())
    if first > last:
        raise argparse.ArgumentTypeError(t("usage.range_backwards", first=first, last=last))
    return first, last


def periods_between(first: str, last: str) -> list[str]:
    if first > last:
        raise UsageError(t("usage.from_after_to", first=first, last=last))
    return month_range(first, last)


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "  " + t("common.none")
    text = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    line = lambda cells: "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(t) for t in text])


def settings_and_sources():
    """Settings and the sources; a faulty entry stops only its own source (``config.get`` names the fault)."""
    from samla_airflow.settings_bridge import export_airflow_settings
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    export_airflow_settings()
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir, strict=False)
    config.raise_file_faults()
    return settings, config


def cell(value) -> str:
    value = plain(value)
    return "" if value is None else str(value)


def plain(value):
    """A numpy scalar or missing value as a plain Python value (None for NaN/NA)."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value
