"""Schema migrations of the warehouse (Alembic): every publish and ``samla warehouse upgrade`` bring
the warehouse to the current revision first, inside their own transaction.

The revisions live in ``migrations/versions``; a warehouse made before versioning (tables, no
``alembic_version``) is recognised and stamped with ``BASE`` before it is upgraded. The restricted
table goes along: on PostgreSQL it is in the same database (schema ``restricted``); on SQLite it is
another file, whose connection a revision reaches through ``restricted_operations``.
Alembic is imported only here, when a warehouse is written (never at DAG parse time).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection

from transforms.publish.warehouse import grants
from transforms.publish.warehouse.engines import (
    PUBLISH_LOCK_KEY,
    make_engine,
    restricted_engine,
    secure_restricted_schema,
)
from transforms.publish.warehouse.schema import RESTRICTED_SCHEMA, restricted_metadata
from transforms.publish.warehouse.views import replace_views

BASE = "0001"  # the schema as published before it was versioned
MIGRATIONS = Path(__file__).with_name("migrations")
# A table every warehouse made before versioning has: its presence tells such a warehouse from an empty one.
_PUBLISHED_MARK = "indicator_values"


@dataclass(frozen=True)
class Upgrade:
    before: str | None  # None: an empty warehouse
    after: str
    stamped: bool  # made before versioning, stamped with BASE first

    @property
    def changed(self) -> bool:
        return self.stamped or self.before != self.after


def _config(conn: Connection, rconn: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    config.attributes["restricted_connection"] = rconn
    return config


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, f"no revision in {MIGRATIONS}"
    return head


def upgrade_in(conn: Connection, rconn: Connection | None = None) -> Upgrade:
    """Bring the warehouse on ``conn`` (and its restricted table on ``rconn``, the same connection on
    a server) to the head revision, inside the caller's open transaction."""
    from alembic import command

    config = _config(conn, rconn or conn)
    before = current_revision(conn)
    stamped = before is None and sa.inspect(conn).has_table(_PUBLISHED_MARK)
    if stamped:
        command.stamp(config, BASE)
        before = BASE
    command.upgrade(config, "head")
    after = current_revision(conn)
    assert after is not None, "upgraded to the head revision"
    return Upgrade(before=before, after=after, stamped=stamped)


def restricted_operations():
    """For a revision: (Alembic ``Operations`` on the restricted table's connection, its schema or None)."""
    from alembic import context
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    rconn = context.config.attributes["restricted_connection"]
    schema = RESTRICTED_SCHEMA if rconn.dialect.name == "postgresql" else None
    return Operations(MigrationContext.configure(rconn)), schema


@contextlib.contextmanager
def writing(url: str) -> Iterator[tuple[Connection, Connection, Upgrade]]:
    """One write transaction on the warehouse at ``url``: (connection, restricted table's connection,
    the upgrade done). One writer at a time (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on
    SQLite), so an upgrade never races a publish; the schema is at the head revision before the
    caller writes. On SQLite the restricted file's transaction opens first and commits last."""
    engine = make_engine(url, writer=True)
    separate = engine.dialect.name == "sqlite"
    rengine = restricted_engine(url, writer=True) if separate else None
    try:
        with contextlib.ExitStack() as stack:
            rconn = stack.enter_context(rengine.begin()) if rengine is not None else None
            conn = stack.enter_context(engine.begin())
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PUBLISH_LOCK_KEY})
                secure_restricted_schema(conn)
            rconn = rconn or conn
            done = upgrade_in(conn, rconn)
            if separate:
                # A restricted file newer than the warehouse (lost or moved) starts at the current table.
                restricted_metadata.create_all(rconn, checkfirst=True)
            yield conn, rconn, done
    finally:
        engine.dispose()
        if rengine is not None:
            rengine.dispose()


def upgrade(url: str, *, reporting_role: str | None = None) -> Upgrade:
    """``samla warehouse upgrade``: migrate the warehouse at ``url`` to the head revision in one
    transaction, queued behind a running publish, then remake the views and grant the reporting role."""
    with writing(url) as (conn, _rconn, done):
        replace_views(conn)
        grants.grant_reporting(conn, reporting_role)
    return done
