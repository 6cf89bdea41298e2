"""History kept — the ledger is append-only; a shrinking participants snapshot warns or is rejected."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import curated, landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source

KEY = TEST_KEY.encode()
TODAY = date(2025, 3, 15)
PNRS = people(20, seed=5)


def setup(samla_env, **extra):
    settings = load_settings()
    entry = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"}}
    source = parse_sources({"sources": [entry | extra]}, settings.data_dir).get("s1")
    source.delivery.folder.mkdir(parents=True)
    return settings, source


def ingest(settings, source):
    return ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder),
                         today=TODAY).manifest()


def deliver(source, name, rows, maker=participant):
    path = write_csv(source.delivery.folder / name, [maker(*r) if isinstance(r, tuple) else maker(r) for r in rows])
    future = time.time() + 1  # a later modification time: the newer delivery
    os.utime(path, (future, future))
    return path


def persons(settings, dataset):
    return len(curated.read_dataset(settings.curated_dir, dataset))


def test_recheck_appends_and_the_earlier_load_still_counts(samla_env):
    settings, source = setup(samla_env)
    deliver(source, "participants_2025-01.csv", PNRS)
    deliver(source, "attendance_2025-01.csv", [(p, "2025-01") for p in PNRS], attendance)
    ingest(settings, source)
    first = sorted(settings.ledger_dir.rglob("*.json"))
    before = {p: p.read_bytes() for p in first}

    deliver(source, "participants_2025-01.csv", PNRS[:10])  # half the persons: accepted with a warning
    manifest = ingest(settings, source)

    assert {p: p.read_bytes() for p in first} == before, "an earlier ledger record was rewritten"
    by_dataset = {f["dataset"]: f for f in manifest["files"]}
    assert by_dataset["participants"]["status"] == "loaded"
    assert "varning:" in by_dataset["participants"]["message"] and "10 av de 20 personerna" in \
        by_dataset["participants"]["message"]
    assert by_dataset["attendance"]["status"] == "rejected"  # re-checked against the smaller snapshot

    records = Ledger(settings.ledger_dir).history()
    att = records[records["dataset"] == "attendance"]
    assert list(att["sequence"]) == [0, 1] and list(att["status"]) == ["loaded", "rejected"]
    assert list(att["recheck"]) == [False, True]
    counted = Ledger(settings.ledger_dir).counted()
    row = counted[counted["dataset"] == "attendance"].iloc[0]
    assert row["status"] == "loaded" and row["rows_accepted"] == 20 and "re-check" in row["message"]
    rechecked = datetime.fromisoformat(att.iloc[1]["processed_at"]).astimezone(ZoneInfo("Europe/Stockholm"))
    assert f"re-check {rechecked:%Y-%m-%d %H:%M:%S} rejected" in row["message"]  # Swedish time, not the stored UTC
    assert persons(settings, "attendance") == 20  # the rows the ledger says are loaded are in curated
    assert (counted["rows_read"] == counted["rows_accepted"] + counted["rows_quarantined"]).all()
    assert ingest(settings, source)["files"] == []  # nothing re-checked twice


def test_small_drop_is_quiet_and_reject_keeps_the_previous_snapshot(samla_env):
    settings, source = setup(samla_env, participants_drop={"max_share": 0.2, "action": "reject"})
    deliver(source, "participants_2025-01.csv", PNRS)
    ingest(settings, source)
    deliver(source, "participants_2025-01.csv", PNRS[:17])  # 15 %: within this source's 20 %
    (quiet,) = ingest(settings, source)["files"]
    assert quiet["status"] == "loaded" and "warning" not in quiet["message"]
    deliver(source, "participants_2025-02.csv", PNRS[:8])  # 9 of 17 gone from the newest earlier snapshot
    (rejected,) = ingest(settings, source)["files"]
    assert rejected["status"] == "rejected" and "participants_drop" in rejected["message"]
    assert rejected["rows_quarantined"] == 8
    assert sorted(p for (_, p) in curated.partitions(settings.curated_dir, "participants")) == ["2025-01"]

