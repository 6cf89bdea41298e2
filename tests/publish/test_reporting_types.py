"""Published layer: the views' numbers for readers (indicators.md, "The warehouse over time"): a rate
as a percentage rounded half away from zero to one decimal, a count as an integer, on SQLite and the
local PostgreSQL; a warehouse of revision 0002 gains them on upgrade and its reporting role still reads.

The 0002 warehouse is made by the code of that time, read from git (the commit before this
revision was added), not imitated here.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from test_warehouse import PERIODS, build, pg_url, url  # noqa: F401 - fixtures
from test_warehouse_roles import as_role, role  # noqa: F401 - role is a fixture

from transforms.publish import warehouse
from transforms.publish.warehouse import read_table, write_publication

ROOT = Path(__file__).resolve().parents[2]
REVISION = "transforms/publish/warehouse/migrations/versions/0003_reporting_types.py"
READER_VIEWS = ("v_indicators", "v_latest_indicators")
# (numerator, denominator) of real rates whose percentage sits on or near a rounding boundary;
# 149/2000 is 0.0745, whose binary value times 100 is 7.4499...: the rule must still give 7.5.
BOUNDARIES = [(1, 8), (1, 16), (3, 8), (5, 16), (7, 16), (1, 3), (2, 3), (1, 6), (1, 40), (1, 80),
              (149, 2000), (1, 2000), (0, 9), (9, 9), (123_456_789, 123_456_790), (2_699_999, 3_000_000)]


def expected_percent(numerator: int, denominator: int) -> float:
    exact = Decimal(numerator * 100) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rows_of(db: str, view: str) -> list[dict]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {view}"))]
    finally:
        engine.dispose()


def assert_reader_numbers(rows: list[dict]) -> None:
    """Every row: percent = ROUND_HALF_UP(numerator / denominator × 100, 1) for a shown rate, count =
    value as a Python int for a shown count, both empty otherwise."""
    kinds = set()
    for r in rows:
        shown = not r["suppressed"] and r["value"] is not None
        if r["kind"] == "rate" and shown:
            assert type(r["percent"]) is float and r["percent"] == expected_percent(r["numerator"], r["denominator"]), r
            kinds.add("rate")
        else:
            assert r["percent"] is None, r
        if r["kind"] == "count" and shown:
            assert type(r["count"]) is int and r["count"] == r["value"], r
            kinds.add("count")
        else:
            assert r["count"] is None, r
    assert kinds == {"rate", "count"}


def column_types(db: str, view: str) -> set[tuple[str, str]]:
    """What the database itself says the new columns hold (typeof on SQLite, pg_typeof on PostgreSQL)."""
    typeof = "typeof" if db.startswith("sqlite") else "pg_typeof"
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return {(str(a), str(b)) for a, b in conn.execute(sa.text(
                f"SELECT DISTINCT {typeof}(percent), {typeof}(count) FROM {view} "
                "WHERE percent IS NOT NULL OR count IS NOT NULL"))}
    finally:
        engine.dispose()


def test_percent_and_count_of_every_row_of_a_publication(url):  # noqa: F811
    frames = build(PERIODS)
    write_publication(url, **frames)
    for view in READER_VIEWS:
        rows = rows_of(url, view)
        assert rows and list(rows[0])[-2:] == ["percent", "count"]  # appended after the columns readers had
        assert_reader_numbers(rows)
        if url.startswith("sqlite"):  # typeof: the stored value's type, "null" when empty
            assert column_types(url, view) == {("real", "null"), ("null", "integer")}
        else:  # pg_typeof: the column's type
            assert column_types(url, view) == {("double precision", "bigint")}
    frame = read_table(url, "v_indicators")
    assert frame["count"].dtype == "Int64" and frame["percent"].dtype == "float64"
    assert frame["suppressed"].any() and frame.loc[frame.suppressed, ["percent", "count"]].isna().all().all()
    wide = rows_of(url, "v_esf_by_gender")
    for r in wide:
        for gender in ("all", "female", "male", "nonbinary"):
            value, count = r[f"value_{gender}"], r[f"count_{gender}"]
            assert (value is None and count is None) or (type(count) is int and count == value), r


def test_percent_at_the_rounding_boundaries(url):  # noqa: F811
    frames = build(PERIODS[:1])
    iv = frames["indicator_values"]
    cells = iv.index[(iv.indicator == "COMPLETION")][: len(BOUNDARIES)]
    numerators, denominators = zip(*BOUNDARIES, strict=True)
    iv.loc[cells, "numerator"] = list(numerators)
    iv.loc[cells, "denominator"] = list(denominators)
    iv.loc[cells, "value"] = [n / d for n, d in BOUNDARIES]
    iv.loc[cells, "suppressed"] = False
    write_publication(url, **frames)
    got = {(r["numerator"], r["denominator"]): r["percent"] for r in rows_of(url, "v_indicators")
           if r["indicator"] == "COMPLETION" and not r["suppressed"]}
    want = {(n, d): expected_percent(n, d) for n, d in BOUNDARIES}
    assert {k: got[k] for k in want} == want
    assert want[(1, 16)] == 6.3 and want[(149, 2000)] == 7.5 and want[(1, 8)] == 12.5  # the rule itself
    assert round(149 / 2000 * 100, 1) == 7.4, "the floating-point trap the SQL avoids"


# --------------------------------------------------------------------------- a warehouse of revision 0002


def code_before_this_revision(dest: Path) -> Path:
    """The ``transforms`` package as it was before revision 0003, unpacked into ``dest``."""
    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout

    added = git("log", "--diff-filter=A", "--format=%H", "--", REVISION).decode().split()
    commit = f"{added[-1]}^" if added else "HEAD"  # not committed yet: HEAD is the code before it
    with tarfile.open(fileobj=io.BytesIO(git("archive", "--format=tar", commit, "transforms"))) as tar:
        tar.extractall(dest, filter="data")
    assert not (dest / REVISION).exists()
    return dest


OLD_PUBLISH = """
import sys, pandas as pd
import transforms
from transforms.publish import warehouse
assert transforms.__file__.startswith(sys.argv[3]) and warehouse.head_revision() == "0002"
warehouse.write_publication(sys.argv[1], **pd.read_pickle(sys.argv[2]), reporting_role=sys.argv[4] or None)
"""


def publish_at_0002(db: str, frames: dict, tmp_path: Path, reporting_role: str = "") -> None:
    old = code_before_this_revision(tmp_path / "old")
    pickled = tmp_path / "frames.pkl"
    pd.to_pickle(frames, pickled)
    env = {**os.environ, "PYTHONPATH": str(old)}
    out = subprocess.run([sys.executable, "-c", OLD_PUBLISH, db, str(pickled), str(old), reporting_role],
                         cwd=old, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr


def test_a_0002_warehouse_gains_the_columns_on_upgrade(url, tmp_path):  # noqa: F811
    frames = build(PERIODS)
    publish_at_0002(url, frames, tmp_path)
    assert "percent" not in rows_of(url, "v_indicators")[0]
    done = warehouse.upgrade(url)
    assert (done.before, done.after) == ("0002", "0003") and warehouse.head_revision() == "0003"
    for view in READER_VIEWS:
        assert_reader_numbers(rows_of(url, view))
    assert "count_all" in rows_of(url, "v_esf_by_gender")[0]
    assert len(read_table(url, "v_indicators")) == len(frames["indicator_values"])


def test_the_reporting_role_still_reads_after_the_upgrade(pg_url, role, tmp_path):  # noqa: F811
    """The role was granted by a publish at 0002; the upgrade grants nothing (no role given), yet the
    role reads the new columns: the views were replaced in place and kept their grants."""
    publish_at_0002(pg_url, build(PERIODS), tmp_path, role)
    with as_role(pg_url, role) as conn:
        before = conn.execute("SELECT count(*) FROM v_indicators").fetchone()[0]
    warehouse.upgrade(pg_url)
    with as_role(pg_url, role) as conn:
        for view in READER_VIEWS:
            cursor = conn.execute(f"SELECT numerator, denominator, percent, count FROM {view}")
            rows = cursor.fetchall()
            assert rows and [d.name for d in cursor.description][-2:] == ["percent", "count"]
        assert conn.execute("SELECT count(*) FROM v_indicators WHERE percent IS NOT NULL").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM v_indicators").fetchone()[0] == before
        assert conn.execute("SELECT count_all FROM v_esf_by_gender LIMIT 1").fetchone() is not None
