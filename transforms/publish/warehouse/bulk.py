"""Bulk insert: COPY on PostgreSQL (psycopg), executemany elsewhere."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def bulk_insert(conn: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        # COPY is several times faster than executemany on PostgreSQL. The raw
        # psycopg connection is the one SQLAlchemy's transaction is open on.
        quote = conn.dialect.identifier_preparer.quote
        name = f"{quote(table.schema)}.{quote(table.name)}" if table.schema else quote(table.name)
        stmt = f"COPY {name} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        raw = conn.connection.driver_connection
        assert raw is not None, "an open transaction has its driver connection"
        with raw.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


