"""What counts as an empty cell, decided once for every layer."""

from __future__ import annotations

from typing import Any


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA; text and containers never are (even when empty)."""
    if value is None:
        return True
    if isinstance(value, str | bytes | list | tuple | dict | set):
        return False
    import pandas as pd  # here, not at module level: DAG files import modules that import this

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
