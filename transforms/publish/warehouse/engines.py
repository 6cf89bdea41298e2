"""Engines for the warehouse and for its restricted table (another schema, or another SQLite file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from transforms.config.settings import warehouse_timeouts
from transforms.publish.warehouse.schema import RESTRICTED_SCHEMA

# A fixed key for pg_advisory_xact_lock: one publish at a time per database.
PUBLISH_LOCK_KEY = 0x53414D4C41  # "SAMLA"


def make_engine(url: str, *, writer: bool = False, schema_map: dict | None = None) -> Engine:
    """An engine whose transactions really are transactions on every dialect.

    Python's sqlite3 module does not BEGIN before DDL, so CREATE TABLE/VIEW
    would autocommit; we switch its implicit handling off and BEGIN ourselves
    (the SQLAlchemy "pysqlite serializable" recipe). A writer takes the write
    lock at BEGIN (IMMEDIATE) so two publishes queue instead of interleaving;
    WAL lets readers go on reading the old content meanwhile.
    """
    options = {"schema_translate_map": schema_map} if schema_map else {}
    engine = sa.create_engine(url, poolclass=NullPool, execution_options=options,
                              connect_args=_postgresql_session_limits(url))
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA busy_timeout = 60000")
            if writer:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _postgresql_session_limits(url: str) -> dict:
    """Fail instead of waiting minutes behind a lock or an endless statement.

    The server also checks every few seconds whether the client is still there, so a
    publish stopped by SIGTERM does not leave its backend waiting on a lock.
    """
    if not sa.engine.make_url(url).get_backend_name().startswith("postgresql"):
        return {}
    lock, statement = warehouse_timeouts()
    return {"connect_timeout": 10, "options": f"-c lock_timeout={lock * 1000} -c statement_timeout="
                                              f"{statement * 1000} -c client_connection_check_interval=2000"}


def restricted_location(url: str) -> tuple[str, str | None]:
    """Where the restricted table of the warehouse at ``url`` lives: (URL, schema).

    PostgreSQL and other servers: the same database, schema ``restricted``
    (USAGE revoked from PUBLIC; the office's role is granted it by the DBA).
    SQLite: ``<name>_restricted<suffix>`` beside the warehouse file, mode 0600.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url, RESTRICTED_SCHEMA
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ValueError(f"the restricted table needs a SQLite file of its own; {url!r} is not a file")
    path = Path(database)
    return parsed.set(database=str(path.with_name(f"{path.stem}_restricted{path.suffix}"))) \
        .render_as_string(hide_password=False), None


def check_inside(url: str, root: Path) -> None:
    from transforms.paths import inside_data_dir

    for location in (url, restricted_location(url)[0]):
        parsed = sa.engine.make_url(location)
        if parsed.get_backend_name() == "sqlite":
            inside_data_dir(Path(parsed.database or ""), root)


def restricted_engine(url: str, *, writer: bool = False) -> Engine:
    target, schema = restricted_location(url)
    if schema is not None:
        return make_engine(target, writer=writer)
    path = Path(sa.engine.make_url(target).database or "")  # never empty: restricted_location refuses that
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created owner-only before SQLite opens it; SQLite gives its -wal/-shm files the same mode.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    return make_engine(target, writer=writer, schema_map={RESTRICTED_SCHEMA: None})


def secure_restricted_schema(conn: Connection) -> None:
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {RESTRICTED_SCHEMA}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA {RESTRICTED_SCHEMA} FROM PUBLIC"))

