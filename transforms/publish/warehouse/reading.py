"""Reading the warehouse into typed frames."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from transforms.publish.warehouse.dimensions import indicators_columns
from transforms.publish.warehouse.engines import make_engine, restricted_engine
from transforms.publish.warehouse.rows import to_rows, typed_frame
from transforms.publish.warehouse.schema import indicator_values_restricted_table, metadata
from transforms.publish.warehouse.views import VIEW_ORDER, VIEW_TABLES


def canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as ``read_table`` would return it after publishing it to table ``name``
    (validated, typed and ordered the same way)."""
    table = indicator_values_restricted_table if name == "indicator_values_restricted" else metadata.tables[name]
    if name == "indicators":
        frame = indicators_columns(frame)
    return typed_frame(table, to_rows(table, frame))


def read_table(url: str, name: str) -> pd.DataFrame:
    """Read a warehouse table or view into a typed DataFrame in a stable order.

    Text columns come back as ``string``, integers as ``Int64``, reals as
    ``float64`` (NaN when empty), booleans as ``bool``.
    """
    engine_for: Callable[[str], Engine] = make_engine
    if name == "indicator_values_restricted":
        table = indicator_values_restricted_table
        order = list(table.primary_key.columns)
        engine_for = restricted_engine
    elif name in metadata.tables:
        table = metadata.tables[name]
        order = list(table.primary_key.columns)
    elif name in VIEW_TABLES:
        table = VIEW_TABLES[name]
        order = [table.c[c] for c in VIEW_ORDER[name]]
    else:
        raise ValueError(
            f"unknown warehouse table {name!r}; known: {sorted([*metadata.tables, *VIEW_TABLES])}"
        )
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            records = conn.execute(sa.select(table)).all()
    finally:
        engine.dispose()
    # Sorted here, not by ORDER BY: PostgreSQL would sort text by the database's
    # collation, Python and SQLite by code point; one order for every dialect.
    names = [c.name for c in table.columns]
    positions = [names.index(c.name) for c in order]
    return typed_frame(table, sorted(records, key=lambda r: tuple(r[i] for i in positions)))
