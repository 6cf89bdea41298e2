"""A PostgreSQL publish behind a lock fails after lock_timeout, and SIGTERM stops it at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pandas as pd
import psycopg
import pytest
from test_warehouse import PERIODS, WORKER, assert_content, build, pg_url  # noqa: F401 - pg_url is a fixture

from transforms.publish.warehouse import write_publication as publish

pytestmark = pytest.mark.postgres


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _hold_lock(url: str) -> psycopg.Connection:
    holder = psycopg.connect(_dsn(url))
    holder.execute("LOCK TABLE indicator_values IN ACCESS EXCLUSIVE MODE")  # a reader's long report, say
    return holder


def _waiting_on_lock(url: str) -> int:
    with psycopg.connect(_dsn(url), autocommit=True) as probe:
        return probe.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND wait_event_type = 'Lock'").fetchone()[0]


def test_publish_behind_a_lock_fails_after_lock_timeout(pg_url, monkeypatch):  # noqa: F811
    old = build(PERIODS, variant=0)
    publish(pg_url, **old)
    monkeypatch.setenv("SAMLA_WAREHOUSE_LOCK_TIMEOUT", "2")
    holder = _hold_lock(pg_url)
    try:
        t0 = time.monotonic()
        with pytest.raises(Exception, match="lock timeout"):
            publish(pg_url, **build(PERIODS, variant=1))
        waited = time.monotonic() - t0
    finally:
        holder.close()
    assert waited < 30, f"waited {waited:.0f} s behind the lock"
    assert_content(pg_url, old)  # rolled back: the previous publication stays whole


def test_sigterm_stops_a_waiting_publish(pg_url, tmp_path):  # noqa: F811
    old = build(PERIODS, variant=0)
    publish(pg_url, **old)
    new_path = tmp_path / "new.pkl"
    pd.to_pickle(build(PERIODS, variant=1), new_path)
    holder = _hold_lock(pg_url)
    err = tmp_path / "worker.err"
    try:
        with err.open("wb") as err_fh:  # lock_timeout (60 s by default) is not what ends it here
            proc = subprocess.Popen([sys.executable, str(WORKER), pg_url, str(new_path), "never",
                                     str(tmp_path / "marker")], stdout=subprocess.DEVNULL, stderr=err_fh)
        deadline = time.monotonic() + 60
        while _waiting_on_lock(pg_url) == 0:
            assert proc.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "the publish never reached the lock"
            time.sleep(0.2)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        stopped_in = time.monotonic() - t0
        deadline = time.monotonic() + 10
        while _waiting_on_lock(pg_url):  # the server side gives up too (query cancelled)
            assert time.monotonic() < deadline, "the publish's backend still waits on the lock"
            time.sleep(0.2)
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
    assert stopped_in < 10 and proc.returncode != 0
    assert "SIGTERM" in err.read_text()
    assert_content(pg_url, old)
