"""Frames to validated rows for a table, and rows back to typed frames (the same types on every dialect)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import (
    Boolean,
    Column,
    Table,
)

from transforms.config.schema import AREA_LEVELS, CELL_KEY, GENDERS
from transforms.publish.warehouse.schema import SURROGATE


def _kind(col: Column) -> str:
    if isinstance(col.type, Boolean):
        return "bool"
    if isinstance(col.type, sa.Integer):
        return "int"
    if isinstance(col.type, sa.Float):
        return "float"
    return "text"


def _to_text(v: Any) -> str:
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date):
        return v.isoformat()
    return str(v)


def _to_int(v: Any, where: str) -> int:
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError(f"{where}: {v!r} is not a whole number")
        return int(v)
    try:
        return int(v)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {v!r} is not a whole number") from None


def _to_bool(v: Any, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if hasattr(v, "dtype") and v.dtype.kind == "b":  # numpy bool
        return bool(v)
    if isinstance(v, numbers.Real) and v in (0, 1):
        return bool(v)
    raise ValueError(f"{where}: {v!r} is not a boolean")


def _convert(values: Iterable[Any], mask: Sequence[bool], col: Column, where: str) -> list[Any]:
    kind = _kind(col)
    out: list[Any] = []
    for v, missing in zip(values, mask, strict=True):
        if missing:
            if not col.nullable:
                raise ValueError(f"{where}: column {col.name!r} may not be empty")
            out.append(None)
        elif kind == "text":
            out.append(_to_text(v))
        elif kind == "int":
            out.append(_to_int(v, f"{where}.{col.name}"))
        elif kind == "float":
            f = float(v)
            out.append(None if math.isnan(f) else f)
        else:
            out.append(_to_bool(v, f"{where}.{col.name}"))
    return out


def _data_columns(table: Table) -> list[Column]:
    surrogate = SURROGATE.get(table.name)
    return [c for c in table.columns if c.name != surrogate]


def to_rows(table: Table, frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Validate ``frame`` against ``table`` and return its rows as plain Python tuples
    in the table's column order, sorted by primary key (the steward tables keep the
    frame's order and number it)."""
    cols = _data_columns(table)
    names = [c.name for c in cols]
    if frame is None:
        raise ValueError(f"{table.name}: no frame given")
    if len(frame) == 0:
        return []
    if frame.columns.duplicated().any():
        raise ValueError(f"{table.name}: duplicated columns {list(frame.columns[frame.columns.duplicated()])}")
    missing = [n for n in names if n not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in names]
    if missing or extra:
        raise ValueError(
            f"{table.name}: columns do not match the table; missing {missing}, unexpected {extra} "
            f"(expected exactly {names})"
        )
    converted = []
    for col in cols:
        series = frame[col.name]
        converted.append(
            _convert(series.to_list(), series.isna().to_list(), col, table.name)
        )
    rows = list(zip(*converted, strict=True))
    surrogate = SURROGATE.get(table.name)
    if surrogate:
        return [(i, *row) for i, row in enumerate(rows, start=1)]
    pk = [names.index(c.name) for c in table.primary_key.columns]
    rows.sort(key=lambda r: tuple(r[i] for i in pk))
    seen = set()
    for r in rows:
        key = tuple(r[i] for i in pk)
        if key in seen:
            raise ValueError(f"{table.name}: duplicate key {dict(zip([names[i] for i in pk], key, strict=True))}")
        seen.add(key)
    return rows


def check_cells(name: str, rows: list[tuple[Any, ...]], table: Table, periods: set[str]) -> None:
    idx = {c.name: i for i, c in enumerate(table.columns)}
    for r in rows:
        if r[idx["period"]] not in periods:
            raise ValueError(
                f"{name}: row for period {r[idx['period']]!r}, which is not among the periods "
                f"being published {sorted(periods)}"
            )
        if "gender" in idx and r[idx["gender"]] not in GENDERS:
            raise ValueError(f"{name}: unknown gender {r[idx['gender']]!r}")
        if "area_level" in idx and r[idx["area_level"]] not in AREA_LEVELS:
            raise ValueError(f"{name}: unknown area_level {r[idx['area_level']]!r}")
    if name == "indicator_values":
        # indicators.md, disclosure rule 3: a suppressed cell never carries the real number.
        for r in rows:
            if r[idx["suppressed"]] and any(
                r[idx[c]] is not None for c in ("numerator", "denominator", "value")
            ):
                raise ValueError(
                    "indicator_values: a suppressed cell carries numbers "
                    f"({dict(zip(CELL_KEY, (r[idx[k]] for k in CELL_KEY), strict=True))}); "
                    "suppressed cells must have numerator, denominator and value empty"
                )


def typed_frame(table: Table, records: Sequence[Sequence[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for i, col in enumerate(table.columns):
        values = [r[i] for r in records]
        kind = _kind(col)
        if kind == "text":
            data[col.name] = pd.array(values, dtype="string")
        elif kind == "int":
            data[col.name] = pd.array(values, dtype="Int64")
        elif kind == "float":
            data[col.name] = pd.array(
                [math.nan if v is None else float(v) for v in values], dtype="float64"
            )
        else:
            data[col.name] = pd.array(
                [None if v is None else bool(v) for v in values],
                dtype="bool" if not col.nullable or None not in values else "boolean",
            )
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


