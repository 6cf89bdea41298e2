"""Schema migrations of the warehouse (Alembic), on SQLite and the local PostgreSQL.

The warehouse "made before versioning" is made by the code of that time, read from
git (the last commit with ``transforms/publish/warehouse.py`` as one module), not
imitated here.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from test_warehouse import PERIODS, assert_content, build, pg_url  # noqa: F401 - pg_url is a fixture

from transforms.publish import warehouse
from transforms.publish.warehouse import read_table, write_publication

ROOT = Path(__file__).resolve().parents[2]
LEGACY_PATH = "transforms/publish/warehouse.py"


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    """The warehouse module as it was before versioning."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout

    removed_in = git("rev-list", "-1", "HEAD", "--", LEGACY_PATH).strip()
    assert removed_in, f"no commit touches {LEGACY_PATH}"
    path = tmp_path_factory.mktemp("legacy") / "legacy_warehouse.py"
    path.write_text(git("show", f"{removed_in}^:{LEGACY_PATH}"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("legacy_warehouse", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wh' / 'warehouse.db'}"
    return request.getfixturevalue("pg_url")


def revision_of(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def test_a_warehouse_from_before_versioning_is_stamped_upgraded_and_published_into(url, legacy):
    old = build(PERIODS[:2])
    legacy.write_publication(url, **old)
    assert revision_of(url) is None
    history = read_table(url, "publication_log")
    restricted = read_table(url, "indicator_values_restricted")

    done = warehouse.upgrade(url)
    assert (done.before, done.after, done.stamped) == ("0001", warehouse.head_revision(), True)
    assert revision_of(url) == warehouse.head_revision()
    assert_content(url, old)  # nothing published was lost, the restricted table included
    assert read_table(url, "publication_log").equals(history)
    assert read_table(url, "indicator_values_restricted").equals(restricted)
    assert warehouse.publication_state_of(url) == {}  # nothing on record: the next run publishes everything

    new = build(PERIODS[1:], variant=1)
    write_publication(url, **new, state={"fingerprint": {"participants/1480/2025-02": "f" * 64},
                                         "periods": PERIODS, "threshold": 5})
    log_rows = read_table(url, "publication_log")
    assert list(log_rows.entry_no) == [1, 2] and log_rows.iloc[0].equals(history.iloc[0])
    values = read_table(url, "indicator_values")
    assert values[values.period == PERIODS[0]].reset_index(drop=True).equals(
        warehouse.canonical("indicator_values", old["indicator_values"][
            old["indicator_values"].period == PERIODS[0]]))
    assert set(values.period) == set(PERIODS)
    assert warehouse.publication_state_of(url)["periods"] == PERIODS
    again = warehouse.upgrade(url)
    assert not again.changed and again.before == again.after == warehouse.head_revision()


def test_publishing_into_a_warehouse_from_before_versioning_upgrades_it_first(url, legacy):
    legacy.write_publication(url, **build(PERIODS[:1]))
    write_publication(url, **build(PERIODS[1:2]))
    assert revision_of(url) == warehouse.head_revision()
    assert list(read_table(url, "publication_log").periods) == [PERIODS[0], PERIODS[1]]
    assert set(read_table(url, "v_indicators").period) == set(PERIODS[:2])


def test_the_migrations_make_exactly_the_current_schema(url):
    """An empty warehouse migrated from nothing has the tables schema.py describes (comments aside:
    the publish writes them from the data dictionary)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    warehouse.upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            target = sa.MetaData()
            for table in [*warehouse.metadata.tables.values(), warehouse.publication_state]:
                table.to_metadata(target)
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            ops = [d[0] if isinstance(d, list) else d for d in compare_metadata(context, target)]
            diff = [d for d in ops if "comment" not in d[0]
                    and not (d[0] == "remove_table" and d[1].name == "alembic_version")]
            assert diff == []
    finally:
        engine.dispose()
    restricted_url, schema = warehouse.restricted_location(url)
    engine = sa.create_engine(restricted_url)
    try:
        columns = [c["name"] for c in sa.inspect(engine).get_columns("indicator_values_restricted", schema=schema)]
        assert columns == [c.name for c in warehouse.indicator_values_restricted_table.columns]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_samla_warehouse_upgrade_says_from_which_revision_to_which(tmp_path, legacy):
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'warehouse.db'}"
    legacy.write_publication(url, **build(PERIODS[:1]))
    env = {**os.environ, "SAMLA_DATA_DIR": str(data), "SAMLA_LANGUAGE": "en"}
    env.pop("SAMLA_WAREHOUSE_URL", None)

    def samla() -> str:
        out = subprocess.run([sys.executable, "-m", "samla_airflow.cli", "warehouse", "upgrade"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    head = warehouse.head_revision()
    assert f"schema upgraded from unversioned (recognised as 0001) to {head}" in samla()
    assert f"already current ({head})" in samla()
    assert len(read_table(url, "publication_log")) == 1


def test_an_upgrade_waits_for_a_running_publish(pg_url):  # noqa: F811
    """The upgrade takes the publish's advisory lock: it never migrates under a publish."""
    from transforms.publish.warehouse.engines import PUBLISH_LOCK_KEY

    write_publication(pg_url, **build(PERIODS[:1]))
    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}") as publishing:
        publishing.execute("SELECT pg_advisory_xact_lock(%s)", (PUBLISH_LOCK_KEY,))
        finished = threading.Event()
        worker = threading.Thread(target=lambda: (warehouse.upgrade(pg_url), finished.set()))
        worker.start()
        time.sleep(1.5)
        assert not finished.is_set(), "the upgrade ran while a publish held the lock"
        publishing.rollback()
    worker.join(30)
    assert finished.is_set()


def test_alembic_is_not_imported_with_the_warehouse_package():
    code = "import sys, transforms.publish.warehouse, transforms.publish.pipeline; print('alembic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
