"""SAMLA_* settings from Airflow Variables/Connections, for a deployment (exports.md, Configuration).

The environment wins; a missing setting is looked up as an Airflow Variable of
the same name, and the key also as the password of the Connection
``samla_pseudonym_key``. Called at the start of every task, never at parse time.

Under the scheduler every task is a process of its own and asks once. Where one
process runs many tasks (``dag.test()``, ``samla run``), each setting is asked
at most once per DAG run: every question is an HTTP request to the execution
API, and a run of many tasks asked the same dozens of names again and again.
A new DAG run asks again, so a Variable changed between two runs is seen.
"""

from __future__ import annotations

import logging
import os

from transforms.config.settings import SETTING_NAMES

log = logging.getLogger(__name__)
KEY_CONNECTION = "samla_pseudonym_key"

# The DAG run whose answers this process holds, and what was copied into the environment for it
# (only those names: a value the environment had itself is never replaced or removed).
_asked_for: tuple[str, str] | None = None
_copied: dict[str, str] = {}


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


def _forget_copies() -> None:
    """Take back what an earlier DAG run copied in, unless something else has set the name since."""
    for name, value in _copied.items():
        if os.environ.get(name) == value:
            del os.environ[name]
    _copied.clear()


def export_airflow_settings() -> None:
    global _asked_for
    # Only a running task has Variables/Connections to ask (the task runner sets
    # AIRFLOW_CTX_* for it); the CLI and tests must not import airflow for nothing.
    dag_id = os.environ.get("AIRFLOW_CTX_DAG_ID")
    if not dag_id:
        return
    run = (dag_id, os.environ.get("AIRFLOW_CTX_DAG_RUN_ID", ""))
    if run == _asked_for and run[1]:
        return  # this run's first task asked already; its answers are in the environment
    _forget_copies()
    _asked_for = run
    for name in SETTING_NAMES:
        if os.environ.get(name):
            continue
        value = _variable(name)
        if value is None and name == "SAMLA_PSEUDONYM_KEY":
            value = _key_connection()
        if value:
            os.environ[name] = _copied[name] = str(value)
            log.info("setting %s taken from Airflow", name)  # never the value
