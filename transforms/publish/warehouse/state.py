"""The publication state the warehouse holds: the inputs fingerprint, periods and threshold on record.

Written by ``write_publication`` in the transaction that writes the numbers, so the state and the
numbers never disagree; read by the pipeline's plan. A warehouse without it (new, emptied, or made
before the state was kept) holds nothing on record, and the next run publishes everything.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from transforms.publish.warehouse.engines import make_engine
from transforms.publish.warehouse.schema import publication_state

_ROW = 1


def read_state(conn: Connection) -> dict:
    """The state on ``conn``'s warehouse: {"fingerprint", "periods", "threshold"}, or {} when none."""
    if not sa.inspect(conn).has_table(publication_state.name):
        return {}
    row = conn.execute(sa.select(publication_state).where(publication_state.c.state_no == _ROW)).first()
    if row is None:
        return {}
    return {"fingerprint": json.loads(row.fingerprint), "periods": json.loads(row.periods_on_record),
            "threshold": row.threshold}


def write_state(conn: Connection, state: dict, entry_no: int) -> None:
    """Replace the state (inside the caller's transaction); ``entry_no`` is the publication that wrote it."""
    conn.execute(publication_state.delete())
    conn.execute(publication_state.insert(), [{
        "state_no": _ROW, "entry_no": entry_no,
        "fingerprint": json.dumps(state.get("fingerprint", {}), sort_keys=True),
        "periods_on_record": json.dumps(list(state.get("periods", []))),
        "threshold": state.get("threshold"),
    }])


def publication_state_of(url: str) -> dict:
    """The state of the warehouse at ``url`` ({} for a missing or empty warehouse)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return read_state(conn)
    finally:
        engine.dispose()
