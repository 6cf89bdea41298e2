"""Raw archive retention: expired and processed deliveries go, pending ones and arrival records stay."""

from __future__ import annotations

from datetime import date

from conftest import TEST_KEY
from deliveries import participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source
from transforms.upkeep.retention import purge_raw

PNRS = people(6, seed=13)


def one_source_with_an_old_delivery():
    """Source s1 with its 2024-09 participants ingested on 2025-03-01 (closed 151 days earlier)."""
    settings = load_settings()
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
    old = write_csv(source.delivery.folder / "participants_2024-09.csv", [participant(p) for p in PNRS])
    ingest_source(settings, source, TEST_KEY.encode(), [old], today=date(2025, 3, 1))
    return settings, source, old


def test_purge_only_expired_and_processed(samla_env):
    settings, source, old = one_source_with_an_old_delivery()
    folder = source.delivery.folder
    recent = write_csv(folder / "participants_2025-02.csv", [participant(p) for p in PNRS[:5]])
    ingest_source(settings, source, TEST_KEY.encode(), [recent], today=date(2025, 3, 1))
    # archived but not yet processed (a load still to come)
    pending = write_csv(folder / "participants_2024-10.csv", [participant(p) for p in PNRS])
    landing.archive(settings.data_dir, source, [pending], today=date(2025, 3, 1))

    purged = purge_raw(settings, ["s1"], today=date(2025, 3, 1))  # 2024-09 closed 151 days earlier
    assert [p["period"] for p in purged] == ["2024-09"]
    by_period = {d.period: d for d in landing.archived(settings.data_dir, "s1")}
    assert not (settings.data_dir / by_period["2024-09"].archive_path).exists()
    assert by_period["2024-09"].purged_at == "2025-03-01"
    assert (settings.data_dir / by_period["2024-10"].archive_path).exists(), "never delete a pending load"
    assert (settings.data_dir / by_period["2025-02"].archive_path).exists()
    # the same bytes delivered again are still recognised
    assert landing.archive(settings.data_dir, source, [old], today=date(2025, 3, 1)) == []


def test_landing_and_staging_copies_follow_the_archive(samla_env):
    """Real files with real mtimes: only archived, processed, expired copies go; no-period names are reported."""
    import os

    from transforms.upkeep.retention import purge_landing

    settings = load_settings()
    config = parse_sources({"sources": [
        {"id": "s1", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"}},
        {"id": "s2", "municipalities": ["1402"], "delivery": {"sftp": {"conn_id": "sftp_s2", "path": "/x"}}},
    ]}, settings.data_dir)
    s1, s2 = config.get("s1"), config.get("s2")
    today = date(2025, 3, 1)
    old = write_csv(s1.delivery.folder / "participants_2024-09.csv", [participant(p) for p in PNRS])
    recent = write_csv(s1.delivery.folder / "participants_2025-02.csv", [participant(p) for p in PNRS[:5]])
    ingest_source(settings, s1, TEST_KEY.encode(), [old, recent], today=today)
    waiting = write_csv(s1.delivery.folder / "participants_2024-10.csv", [participant(p) for p in PNRS[:4]])
    stray = write_csv(s1.delivery.folder / "deltagare januari.csv", [participant(p) for p in PNRS])  # old's bytes
    staging = settings.landing_dir / "_sftp" / "s2"
    staged = write_csv(staging / "participants_2024-09.csv", [participant(p) for p in PNRS[1:]])
    ingest_source(settings, s2, TEST_KEY.encode(), [staged], today=today)
    for path in (old, recent, waiting, stray, staged):
        os.utime(path, (1727740800, 1727740800))  # 2024-10-01: the mtime does not decide, the period does

    deleted, without_period = purge_landing(settings, [s1, s2], today=today)
    assert sorted((d["source"], d["file_name"]) for d in deleted) == [
        ("s1", "participants_2024-09.csv"), ("s2", "participants_2024-09.csv")]
    assert not old.exists() and not staged.exists()
    assert recent.exists(), "its period is inside retention"
    assert waiting.exists(), "not yet archived nor processed: a load still to come"
    assert stray.exists() and [(w["file_name"], w["age_days"]) for w in without_period] == [
        ("deltagare januari.csv", (today - date(2024, 10, 1)).days)]
    assert purge_landing(settings, [s1, s2], today=today)[0] == []


RETENTION_CHILD = """
import json, sys
from datetime import date
from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.upkeep.retention import purge_landing
settings = load_settings()
source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                     "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
deleted, _ = purge_landing(settings, [source], today=date(2025, 3, 1))
print(json.dumps([d["file_name"] for d in deleted]))
"""


def test_an_unreadable_landing_file_stays_and_the_others_are_purged(samla_env):
    """A landing file nobody can read is a load still to come (ingestion rejects it on its own): retention
    keeps it and purges the rest, rather than failing the retention task. Run without root's power to
    read past file modes (tests/support/file_modes.py), as any other user would be."""
    import os
    import subprocess
    import sys

    from file_modes import bound_by_file_modes

    settings, source, old = one_source_with_an_old_delivery()
    folder = source.delivery.folder
    locked = write_csv(folder / "participants_2024-10.csv", [participant(p) for p in PNRS[:3]])
    locked.chmod(0)
    child = subprocess.run([sys.executable, "-c", RETENTION_CHILD], env=dict(os.environ), capture_output=True,
                           text=True, timeout=120, preexec_fn=bound_by_file_modes)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == '["participants_2024-09.csv"]'
    assert not old.exists() and locked.exists()
