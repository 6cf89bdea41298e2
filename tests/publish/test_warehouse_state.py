"""The warehouse knows what it holds: the publication state lives in the warehouse, written with the
numbers, so a new, empty or restored warehouse gets exactly what it lacks on the next run.

Real curated data (sample deliveries ingested, as in test_publication), the publish pipeline, SQLite
and the local PostgreSQL (own database, dropped afterwards; without the server the tests FAIL).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest
from deliveries import attendance, write_csv
from pandas.testing import assert_frame_equal
from test_publication import PNRS, ingest_all, world  # noqa: F401 - world is a fixture
from test_warehouse import pg_url  # noqa: F401 - pg_url is a fixture

from transforms.config.settings import load_settings
from transforms.publish import pipeline as publication
from transforms.publish import warehouse

NUMBERS = ("indicator_values", "indicator_values_restricted", "source_status", "dataset_status", "v_indicators")
PERIODS = ["2024-09", "2024-10"]


def numbers(url: str) -> dict:
    return {name: warehouse.read_table(url, name) for name in NUMBERS}


def assert_same_numbers(url: str, reference: str) -> None:
    ours, theirs = numbers(url), numbers(reference)
    for name in NUMBERS:
        assert_frame_equal(ours[name], theirs[name], obj=name)


def settings_for(monkeypatch, url: str | None):
    if url is None:
        monkeypatch.delenv("SAMLA_WAREHOUSE_URL", raising=False)
    else:
        monkeypatch.setenv("SAMLA_WAREHOUSE_URL", url)
    return load_settings()


def redeliver_attendance(settings, config) -> None:
    """A restatement of 2024-10: 1480's attendance delivered again with other numbers."""
    time.sleep(0.01)
    write_csv(config.get("1480").delivery.folder / "attendance_2024-10.csv",
              [attendance(p, "2024-10", attended=500, valid=250, invalid=250) for p in PNRS[7:]])
    ingest_all(settings, config)


def clean_run(settings, config, tmp_path) -> str:
    """The reference: everything published at once into a fresh warehouse."""
    url = f"sqlite:///{tmp_path / 'clean' / 'warehouse.db'}"
    result = publication.publish(settings.__class__(**{**settings.__dict__, "warehouse_url": url}), config)
    assert result["published"] and result["periods"] == PERIODS
    return url


def sqlite_files(url: str) -> list:
    from pathlib import Path

    import sqlalchemy as sa

    files = []
    for location in (url, warehouse.restricted_location(url)[0]):
        path = Path(sa.engine.make_url(location).database)
        files += [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))]
    return files


def test_the_state_is_written_with_the_numbers(world):  # noqa: F811
    settings, config = world
    publication.publish(settings, config)
    state = warehouse.publication_state_of(settings.warehouse_url)
    assert state["periods"] == PERIODS and state["threshold"] == settings.suppression_threshold
    assert state["fingerprint"] == publication.input_fingerprint(settings)
    assert not (settings.published_dir / "_inputs.json").exists()


def test_an_empty_postgresql_warehouse_after_a_sqlite_history_is_filled(world, pg_url, monkeypatch, tmp_path):  # noqa: F811
    settings, config = world
    publication.publish(settings, config)
    redeliver_attendance(settings, config)
    assert publication.publish(settings, config)["periods"] == ["2024-10"]  # the SQLite history
    # What the earlier code kept as the truth, claiming everything published: ignored now.
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    (settings.published_dir / "_inputs.json").write_text(json.dumps({
        "fingerprint": publication.input_fingerprint(settings), "threshold": settings.suppression_threshold,
        "periods": PERIODS}), encoding="utf-8")

    on_pg = settings_for(monkeypatch, pg_url)
    result = publication.publish(on_pg, config)
    assert result["published"] and result["periods"] == PERIODS
    assert "first publication" in result["reason"]
    assert_same_numbers(pg_url, clean_run(settings, config, tmp_path))
    assert_same_numbers(pg_url, settings.warehouse_url)
    assert len(warehouse.read_table(pg_url, "publication_log")) == 1
    assert not publication.publish(on_pg, config)["published"]  # now it knows what it holds


def test_a_warehouse_that_only_had_its_steward_tables_refreshed_claims_nothing(world, pg_url, monkeypatch):  # noqa: F811
    settings, config = world
    on_pg = settings_for(monkeypatch, pg_url)
    from transforms.ingest.ledger import Ledger

    frame = Ledger(settings.ledger_dir).counted()[publication.LEDGER_COLUMNS]
    warehouse.refresh_steward_tables(pg_url, load_ledger=frame,
                                     quarantine_summary=publication.quarantine_summary(settings))
    assert len(warehouse.read_table(pg_url, "load_ledger")) == len(frame) > 0
    assert warehouse.publication_state_of(pg_url) == {}
    assert publication.publish(on_pg, config)["periods"] == PERIODS


@pytest.mark.slow
def test_a_restored_sqlite_warehouse_gets_back_what_it_lacks(world, tmp_path):  # noqa: F811
    settings, config = world
    url = settings.warehouse_url
    publication.publish(settings, config)
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in sqlite_files(url):  # a file copy: every connection is closed after a publish
        if path.exists():
            shutil.copy2(path, backup / path.name)
    redeliver_attendance(settings, config)
    publication.publish(settings, config)
    after_change = numbers(url)

    for path in sqlite_files(url):
        path.unlink(missing_ok=True)
        if (backup / path.name).exists():
            shutil.copy2(backup / path.name, path)
    assert len(warehouse.read_table(url, "publication_log")) == 1  # last week's copy
    result = publication.publish(settings, config)
    assert result["published"] and result["periods"] == ["2024-10"]
    assert_same_numbers(url, clean_run(settings, config, tmp_path))
    for name in NUMBERS:
        assert_frame_equal(numbers(url)[name], after_change[name], obj=name)
    log_rows = warehouse.read_table(url, "publication_log")
    assert list(log_rows.periods) == [",".join(PERIODS), "2024-10"]
    assert [c["change"] for c in json.loads(log_rows.inputs.iloc[1])] == ["replaced"]
    assert not publication.publish(settings, config)["published"]


def test_a_postgresql_warehouse_restored_with_pg_restore_gets_back_what_it_lacks(
        world, pg_url, monkeypatch, tmp_path):  # noqa: F811
    settings, config = world
    on_pg = settings_for(monkeypatch, pg_url)
    publication.publish(on_pg, config)
    dbname = pg_url.rsplit("/", 1)[1]
    dump = tmp_path / "warehouse.dump"
    subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-Fc", "-f", str(dump), dbname], check=True)
    redeliver_attendance(on_pg, config)
    publication.publish(on_pg, config)
    assert len(warehouse.read_table(pg_url, "publication_log")) == 2

    # The database restored from the earlier dump (dropped and made again, as after a loss).
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", dbname], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], check=True)
    subprocess.run(["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", dbname, "--exit-on-error", str(dump)],
                   check=True)
    assert len(warehouse.read_table(pg_url, "publication_log")) == 1
    result = publication.publish(on_pg, config)
    assert result["published"] and result["periods"] == ["2024-10"]
    assert_same_numbers(pg_url, clean_run(settings, config, tmp_path))
    assert list(warehouse.read_table(pg_url, "publication_log").periods) == [",".join(PERIODS), "2024-10"]


@pytest.mark.slow
def test_a_range_publish_into_an_empty_warehouse_leaves_the_rest_to_publish(world):  # noqa: F811
    settings, config = world
    assert publication.publish(settings, config, ("2024-10", "2024-10"))["periods"] == ["2024-10"]
    state = warehouse.publication_state_of(settings.warehouse_url)
    assert state["periods"] == [] and state["threshold"] is None  # nothing full on record yet
    assert publication.publish(settings, config)["periods"] == PERIODS
