"""Read access for the reporting role: USAGE and SELECT on every published table and view, never on
schema ``restricted``; granted inside the transaction that publishes or upgrades."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from transforms.config.settings import reporting_role_name
from transforms.publish.warehouse.schema import metadata
from transforms.publish.warehouse.views import VIEWS


def published_objects() -> list[str]:
    """What a reporting role reads: the public tables and the views (not the state, nor the restricted table)."""
    return [*metadata.tables, *VIEWS]


def grant_reporting(conn: Connection, role: str | None) -> bool:
    """Grant ``role`` read access on ``conn``'s warehouse; False where there is nothing to grant
    (no role, or SQLite, which has no roles)."""
    role = reporting_role_name(role)
    if role is None or conn.dialect.name != "postgresql":
        return False
    quote = conn.dialect.identifier_preparer.quote_identifier  # always quoted: the name is checked above
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    conn.execute(text(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}"))
    names = ", ".join(f"{quote(schema)}.{quote(name)}" for name in published_objects())
    conn.execute(text(f"GRANT SELECT ON {names} TO {quote(role)}"))
    return True
