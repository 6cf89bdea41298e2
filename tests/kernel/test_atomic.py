"""The one atomic-write family: a reader sees the old file or the new, never a part."""

import json
import os
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms import atomic


def test_writes_replace_and_leave_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "doc.json"
    atomic.write_json(target, {"b": 1, "a": "å"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": "å", "b": 1}
    assert target.read_text(encoding="utf-8").index('"a"') < target.read_text(encoding="utf-8").index('"b"')
    atomic.write_text(target, "new")
    assert target.read_text() == "new"
    atomic.write_parquet(tmp_path / "t.parquet", pa.table({"x": [1, 2]}))
    assert pq.read_table(tmp_path / "t.parquet").column("x").to_pylist() == [1, 2]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["doc.json", "sub", "t.parquet"]


def test_a_failed_write_keeps_the_old_content(tmp_path):
    target = tmp_path / "f.txt"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_modes_given_kept_or_from_umask(tmp_path):
    secret = atomic.write_text(tmp_path / "key", "k", mode=0o600)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    atomic.write_text(secret, "k2")  # replacing keeps the file's mode
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    old = os.umask(0o022)
    try:
        plain = atomic.write_bytes(tmp_path / "plain", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o644


def test_temporary_names_are_unique_per_writer(tmp_path):
    target = tmp_path / "f"
    with atomic.atomic_path(target) as one, atomic.atomic_path(target) as two:
        assert one != two and one.parent == two.parent == tmp_path
        assert one.name.startswith(".f.") and one.name.endswith(atomic.TEMP_SUFFIX)
        one.write_text("1")
        two.write_text("2")
    assert target.read_text() == "1"  # the last writer to finish wins, whole


def plant(folder, name, age_seconds):
    folder.mkdir(parents=True, exist_ok=True)
    leftover = folder / name
    leftover.write_bytes(b"half a file")
    old = leftover.stat().st_mtime - age_seconds
    os.utime(leftover, (old, old))
    return leftover


def test_the_next_write_removes_stale_temporary_files_of_a_killed_write(tmp_path):
    stale = plant(tmp_path, ".doc.json.k1ll3d.tmp", atomic.STALE_AFTER_SECONDS + 60)
    fresh = plant(tmp_path, ".doc.json.w0rk1n.tmp", 5)  # maybe a write in progress: kept
    other = plant(tmp_path, ".other.json.k1ll3d.tmp", atomic.STALE_AFTER_SECONDS + 60)
    atomic.write_json(tmp_path / "doc.json", {"a": 1})
    assert not stale.exists()
    assert fresh.exists() and other.exists()  # only the target's own family, only when old
    assert atomic.remove_stale_temps(tmp_path / "other.json") == [other]


def test_a_writer_given_the_data_folder_refuses_a_target_outside_it_and_writes_nothing(tmp_path):
    from transforms.paths import UnsafePathError

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "published").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    for target in (tmp_path / "outside" / "x.json", data_dir / ".." / "escape.json",
                   data_dir / "published" / "x.json"):
        with pytest.raises(UnsafePathError, match="SAMLA_DATA_DIR") as raised:
            atomic.write_json(target, {"a": 1}, root=data_dir)
        assert str(target) in str(raised.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no file, no folder created
    assert atomic.write_json(data_dir / "ok" / "x.json", {"a": 1}, root=data_dir).exists()


def test_publication_writers_refuse_a_folder_outside_the_data_folder(tmp_path):
    import pandas as pd

    from transforms.paths import UnsafePathError
    from transforms.publish import warehouse
    from transforms.publish.published_files import write_published_parquet

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with pytest.raises(UnsafePathError, match="SAMLA_DATA_DIR"):
        write_published_parquet(tmp_path / "public", {"areas": pd.DataFrame({"a": [1]})}, root=data_dir)
    with pytest.raises(UnsafePathError, match="SAMLA_DATA_DIR"):
        warehouse._check_inside(f"sqlite:///{tmp_path / 'warehouse.db'}", data_dir)
    warehouse._check_inside(f"sqlite:///{data_dir / 'warehouse.db'}", data_dir)  # the default: accepted
    warehouse._check_inside("postgresql+psycopg://u@h/db", data_dir)  # a server: not a path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_within_compares_whole_path_parts():
    from transforms.paths import _within

    assert _within(Path("/srv/data/raw"), Path("/srv/data")) and _within(Path("/srv/data"), Path("/srv/data"))
    assert not _within(Path("/srv/database"), Path("/srv/data"))  # a shared prefix is not a parent
    assert _within(Path("/etc/x"), Path("/")) and not _within(Path("/srv"), Path("/srv/data"))
