"""SAMLA_* settings from Airflow Variables/Connections, for a deployment (exports.md, Configuration).

The environment wins; a missing setting is looked up as an Airflow Variable of
the same name, and the key also as the password of the Connection
``samla_pseudonym_key``. Called at the start of every task, never at parse time.
"""

from __future__ import annotations

import logging
import os

from transforms.config.settings import SETTING_NAMES

log = logging.getLogger(__name__)
KEY_CONNECTION = "samla_pseudonym_key"


def _variable(name: str) -> str | None:
    try:
        from airflow.sdk import Variable

        return Variable.get(name, default=None)
    except Exception:  # outside a task (CLI, tests) there is no Variable backend to ask
        return None


def _key_connection() -> str | None:
    try:
        from airflow.sdk import Connection

        return Connection.get(KEY_CONNECTION).password or None
    except Exception:
        return None


def export_airflow_settings() -> None:
    # Only a running task has Variables/Connections to ask (the task runner sets
    # AIRFLOW_CTX_* for it); the CLI and tests must not import airflow for nothing.
    if not os.environ.get("AIRFLOW_CTX_DAG_ID"):
        return
    for name in SETTING_NAMES:
        if os.environ.get(name):
            continue
        value = _variable(name)
        if value is None and name == "SAMLA_PSEUDONYM_KEY":
            value = _key_connection()
        if value:
            os.environ[name] = str(value)
            log.info("setting %s taken from Airflow", name)  # never the value
