"""Test set-up: a private Airflow home and data folder, the real DAG folder, a migrated DB.

Environment must be in place before anything imports airflow: Airflow reads its configuration
(AIRFLOW_HOME, the metadata DB) once, at import.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_HOME = Path(tempfile.mkdtemp(prefix="samla-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "120")
# One process per `samla run` unless a test asks for the worker pool (tests/airflow/test_run_workers.py):
# pytest-xdist keeps both cores busy already, and each pool worker starts Airflow of its own.
os.environ["SAMLA_RUN_WORKERS"] = "1"
for name in ("SAMLA_SOURCES", "SAMLA_PROJECT", "SAMLA_DATA_DIR", "SAMLA_WAREHOUSE_URL", "SAMLA_PSEUDONYM_KEY", "SAMLA_DEMO"):
    os.environ.pop(name, None)
sys.path.insert(0, str(ROOT / "tests" / "support"))  # the helpers every test imports by name

TEST_KEY = "test-key-for-samla-pseudonyms-0123456789"


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated Airflow metadata DB (SQLite in the private home), once per session."""
    from airflow.utils import db

    db.initdb()
    return _HOME


@pytest.fixture(autouse=True)
def no_interactive_flag_left(monkeypatch):
    """``samla run`` in-process (DagRunner) marks its process interactive, which DAG files read when parsed
    (no retries); gone after each test, so a later test parses the DAGs as the scheduler does."""
    monkeypatch.delenv("SAMLA_INTERACTIVE", raising=False)


@pytest.fixture
def samla_env(tmp_path, monkeypatch):
    """SAMLA_* settings pointing at a fresh data folder; returns the data dir."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", TEST_KEY)
    return data


# What a test needs beyond this checkout, one marker each. A test with any of them is end to end (e2e),
# as is every test under tests/e2e/; `make test-fast` runs the rest but the slow (-m "not e2e and not slow").
NEEDS = ("postgres", "scheduler", "redis", "sftp", "browser", "office")
# A test that asks for one of these fixtures needs that server, marked or not.
FIXTURE_NEEDS = {"pg_url": "postgres"}
E2E = ROOT / "tests" / "e2e"

# The longest tests first: with `-n 2` a long test collected last (tests/e2e/test_year_in_the_life.py is
# named late in the alphabet) would run alone on one worker while the other has finished.
_LONGEST_FIRST = ("scheduler", "slow")


def _shares_a_module_fixture(item) -> bool:
    return any(fixturedef.scope in ("module", "package")
               for fixturedefs in item._fixtureinfo.name2fixturedefs.values() for fixturedef in fixturedefs)


def pytest_collection_modifyitems(config, items):
    for item in items:
        # Under `--dist loadgroup` (the Makefile's) a module whose tests share a module-scoped fixture runs on
        # one worker, which builds that fixture once; the other tests are spread one by one.
        if _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
        for fixture, need in FIXTURE_NEEDS.items():
            if fixture in item.fixturenames:
                item.add_marker(need)
        if item.path.is_relative_to(E2E) or any(item.get_closest_marker(need) for need in NEEDS):
            item.add_marker("e2e")
    items.sort(key=lambda item: next((rank for rank, marker in enumerate(_LONGEST_FIRST)
                                      if item.get_closest_marker(marker)), len(_LONGEST_FIRST)))
