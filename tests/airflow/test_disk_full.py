"""A full disk anywhere ends `samla run` and `samla demo` with the one disk-full message, exit 1, no traceback:
under Airflow's own metadata database as much as under the data folder.

The full disks are real: a small tmpfs mounted for the test (the tests run as root, here and in CI) and
filled with a file up to ENOSPC, under AIRFLOW_HOME or under the data folder's raw archive.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from deliveries import participant, people, write_csv
from samla_airflow.airflow_runner import disk_full, full_disk_said

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

SAMLA = str(Path(sys.executable).parent / "samla")
DISK_FULL_SV = ("datamappen går inte att skriva till eller läsa från: No space left on device (OSError). "
                "Inget halvskrivet sparas; frigör diskutrymme eller rätta behörigheten och kör igen")
DISK_FULL_EN = ("the data folder cannot be written or read: No space left on device (OSError). "
                "Nothing half-written is kept; free disk space or fix the permission and run again")


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs at ``tmp_path/disk``, unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, f"this test mounts a tmpfs, which needs root: {mounted.stderr}"
    yield mount
    if subprocess.run(["umount", str(mount)]).returncode:
        subprocess.run(["umount", "-l", str(mount)])


def fill(mount: Path) -> None:
    """Write a file until the file system has no byte left."""
    with open(mount / "filler", "wb", buffering=0) as handle:
        for chunk in (1 << 20, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    assert os.statvfs(mount).f_bavail == 0


@pytest.fixture
def env(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n')
    data = tmp_path / "data"
    write_csv(data / "raw" / "landing" / "1489" / "participants_2025-01.csv",
              [participant(p) for p in people(6, seed=71)])
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW_CTX_"))}
    return environment | {"SAMLA_DATA_DIR": str(data), "SAMLA_SOURCES": str(sources),
                          "AIRFLOW_HOME": str(tmp_path / "airflow"), "SAMLA_PSEUDONYM_KEY": "disk-full-key-0123456789"}


def samla(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([SAMLA, *args], env=env, capture_output=True, text=True, timeout=600)


def test_a_full_disk_under_airflows_database_is_the_disk_full_message(small_disk, env, tmp_path):
    """AIRFLOW_HOME on the small disk, its database made (as a first run would), then the disk fills:
    SQLite can no longer open its WAL database (SQLITE_IOERR_SHMSIZE, "disk I/O error")."""
    env = env | {"AIRFLOW_HOME": str(small_disk / "airflow")}
    made = subprocess.run([sys.executable, "-c", "from airflow.utils import db; db.initdb()"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-2000:]
    fill(small_disk)

    run = samla("run", "--from", "2025-01", "--to", "2025-01", env=env)
    assert (run.returncode, run.stderr.strip()) == (1, f"samla run: {DISK_FULL_SV}"), run.stdout + run.stderr
    demo = samla("demo", "--data-dir", str(tmp_path / "demo"), "--periods", "2025-01:2025-01",
                 env=env | {"SAMLA_LANGUAGE": "en"})
    assert (demo.returncode, demo.stderr.strip()) == (1, f"samla demo: {DISK_FULL_EN}"), demo.stdout + demo.stderr
    assert "Traceback" not in run.stdout + demo.stdout


def test_a_full_disk_in_a_task_is_the_same_message(small_disk, env):
    """The data folder's raw archive on the full disk: the source task fails copying the delivery
    (inside dag.test), and the run ends with the same message rather than "tasks failed"."""
    data = Path(env["SAMLA_DATA_DIR"])
    archive = data / "raw" / "archive"
    archive.mkdir(parents=True)
    subprocess.run(["mount", "--bind", str(small_disk), str(archive)], check=True)
    try:
        fill(archive)
        run = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env)
    finally:
        subprocess.run(["umount", str(archive)], check=True)
    assert (run.returncode, run.stderr.strip()) == (1, f"samla run: {DISK_FULL_SV}"), run.stdout + run.stderr
    assert "Traceback" not in run.stdout


def test_what_counts_as_a_full_disk(tmp_path):
    """Real SQLite errors (a database held to a few pages by max_page_count: SQLITE_FULL), raw and as
    SQLAlchemy wraps them; psycopg's DiskFull as PostgreSQL raises it (SQLSTATE 53100), built here since
    filling the shared server's disk is not an option; ENOSPC anywhere in a chain."""
    path = tmp_path / "small.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA max_page_count = 3")
        connection.execute("CREATE TABLE t (x BLOB)")
        with pytest.raises(sqlite3.OperationalError) as full:
            connection.execute("INSERT INTO t VALUES (?)", (b"\0" * 100_000,))
        with pytest.raises(sqlite3.OperationalError) as other:
            connection.execute("SELECT * FROM missing")
    assert disk_full(full.value) and not disk_full(other.value)

    engine = sa.create_engine(f"sqlite:///{path}")
    with pytest.raises(sa.exc.OperationalError) as wrapped, engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA max_page_count = 3")
        connection.exec_driver_sql("INSERT INTO t VALUES (?)", (b"\0" * 100_000,))
    assert disk_full(wrapped.value)

    import psycopg.errors

    assert disk_full(sa.exc.OperationalError("INSERT", {}, psycopg.errors.DiskFull("could not extend file")))
    assert not disk_full(sa.exc.OperationalError("INSERT", {}, psycopg.errors.LockNotAvailable("lock timeout")))
    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError:
            raise RuntimeError("while writing the report") from None
    except RuntimeError as exc:
        assert disk_full(exc)  # found as the context, even when the cause was suppressed
    assert not disk_full(PermissionError(errno.EACCES, "Permission denied"))
    with pytest.raises(OSError) as said, full_disk_said():
        raise wrapped.value
    assert said.value.errno == errno.ENOSPC and type(said.value) is OSError
