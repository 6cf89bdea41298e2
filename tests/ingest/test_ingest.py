"""One source end to end without Airflow: archive, re-delivery, duplicates, newest wins, reprocessing."""

from __future__ import annotations

import os
import time
from datetime import date

import pandas as pd
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import curated, landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source

KEY = TEST_KEY.encode()
PNRS = people(10, seed=3)
TODAY = date(2025, 3, 15)


def setup(samla_env, municipalities=("1489",)):
    settings = load_settings()
    config = parse_sources({"sources": [{"id": "s1", "name": "Test", "municipalities": list(municipalities),
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir)
    source = config.get("s1")
    source.delivery.folder.mkdir(parents=True)
    return settings, source


def ingest(settings, source, **kw):
    files = landing.candidate_files(source.delivery.folder)
    return ingest_source(settings, source, KEY, files, today=TODAY, **kw).manifest()


def test_archive_keeps_bytes_and_checksum(samla_env):
    settings, source = setup(samla_env)
    path = write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    manifest = ingest(settings, source)
    (delivery,) = landing.archived(settings.data_dir, "s1")
    assert (settings.data_dir / delivery.archive_path).read_bytes() == path.read_bytes()
    assert delivery.sha256 == landing.sha256_of(path)
    assert manifest["changed"] == [("participants", "2025-01")]
    (entry,) = manifest["files"]  # the file's checksum and Data Docs page travel with the result
    assert entry["file_sha256"] == delivery.sha256
    assert entry["data_docs"].startswith("data_docs/") and (settings.data_dir / entry["data_docs"]).is_file()
    assert Ledger(settings.ledger_dir).counted().iloc[0]["data_docs"] == entry["data_docs"]
    frame = curated.read_dataset(settings.curated_dir, "participants")
    assert len(frame) == 10 and set(frame["file_sha256"]) == {delivery.sha256}
    assert "person_id" not in frame.columns and frame["person"].str.len().eq(64).all()


def test_same_bytes_twice_processed_once(samla_env):
    settings, source = setup(samla_env)
    path = write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    ingest(settings, source)
    again = ingest(settings, source)
    assert again["files"] == [] and again["changed"] == []
    # the same bytes under a new name (e.g. uploaded again) are recognised too
    os.replace(path, path.with_name("participants_2025-01.CSV"))
    assert ingest(settings, source)["files"] == []
    assert len(Ledger(settings.ledger_dir).counted()) == 1


def test_newest_delivery_wins_and_replaces_partition(samla_env):
    settings, source = setup(samla_env)
    write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    ingest(settings, source)
    time.sleep(0.01)
    write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p, gender="male") for p in PNRS[:7]])
    ingest(settings, source)
    frame = curated.read_dataset(settings.curated_dir, "participants")
    assert len(frame) == 7 and set(frame["gender"]) == {"male"}
    records = Ledger(settings.ledger_dir).counted()
    assert list(records["rows_accepted"]) == [10, 7]


def test_two_new_deliveries_in_one_scan_tie_broken_by_mtime(samla_env):
    settings, source = setup(samla_env)
    source_dir = source.delivery.folder
    newer = write_csv(source_dir / "participants_2025-01.csv", [participant(p, gender="male") for p in PNRS])
    older = write_csv(source_dir / "participants_2025-01.txt", [participant(p) for p in PNRS])
    os.utime(older, (1, 1))
    manifest = ingest(settings, source)
    assert [f["file_name"] for f in manifest["files"]] == [older.name, newer.name]
    frame = curated.read_dataset(settings.curated_dir, "participants")
    assert set(frame["gender"]) == {"male"}, "the later-modified file must win"


def test_rejected_redelivery_keeps_previous_good_data(samla_env):
    settings, source = setup(samla_env)
    write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    ingest(settings, source)
    bad = [participant(p) for p in PNRS]
    header = [h for h in bad[0] if h != "programme"]
    write_csv(source.delivery.folder / "participants_2025-01.csv", bad, header=header)
    manifest = ingest(settings, source)
    assert manifest["files"][0]["status"] == "rejected" and manifest["changed"] == []
    assert len(curated.read_dataset(settings.curated_dir, "participants")) == 10


def test_quarantined_participant_quarantines_other_rows_and_fix_brings_them_back(samla_env):
    settings, source = setup(samla_env)
    rows = [participant(p) for p in PNRS]
    rows[0]["gender"] = "?"
    write_csv(source.delivery.folder / "participants_2025-01.csv", rows)
    write_csv(source.delivery.folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    ingest(settings, source)
    assert len(curated.read_dataset(settings.curated_dir, "attendance")) == 9
    q = curated.read_quarantine(settings.quarantine_dir)
    assert set(q.loc[q["dataset"] == "attendance", "rule"]) == {"person_not_in_participants"}
    # The steward fixes participants only; attendance is re-checked against the new snapshot.
    rows[0]["gender"] = "female"
    time.sleep(0.01)
    write_csv(source.delivery.folder / "participants_2025-01.csv", rows)
    manifest = ingest(settings, source)
    assert ("attendance", "2025-01") in manifest["changed"]
    assert len(curated.read_dataset(settings.curated_dir, "attendance")) == 10
    records = Ledger(settings.ledger_dir).counted()
    att = records[records["dataset"] == "attendance"]
    assert list(att["rows_accepted"]) == [10]  # the same file's record, updated


def test_attendance_uses_newest_earlier_snapshot(samla_env):
    settings, source = setup(samla_env)
    write_csv(source.delivery.folder / "participants_2024-12.csv", [participant(p) for p in PNRS])
    write_csv(source.delivery.folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    manifest = ingest(settings, source)
    assert {f["status"] for f in manifest["files"]} == {"loaded"}


def test_invalid_period_and_unmatched_name_reported_once(samla_env):
    settings, source = setup(samla_env)
    write_csv(source.delivery.folder / "participants_2023-13.csv", [participant(p) for p in PNRS])
    write_csv(source.delivery.folder / "participants_2025-06.csv", [participant(p) for p in PNRS])  # future
    write_csv(source.delivery.folder / "deltagare januari.csv", [participant(p) for p in PNRS])
    manifest = ingest(settings, source)
    messages = sorted(f["message"] for f in manifest["files"])
    assert len(messages) == 3 and all(f["status"] == "rejected" for f in manifest["files"])
    assert any("'2023-13' i filnamnet är ingen riktig månad" in m for m in messages)
    assert any("ligger i framtiden" in m for m in messages)
    assert any("följer inte källans mönster" in m for m in messages)
    assert ingest(settings, source)["files"] == []


def test_ledger_balances_for_every_file(samla_env):
    settings, source = setup(samla_env)
    rows = [participant(p) for p in PNRS]
    rows[1]["entry_date"] = "not a date"
    write_csv(source.delivery.folder / "participants_2025-01.csv", rows)
    write_csv(source.delivery.folder / "attendance_2025-01.csv",
              [attendance(p, "2025-01") for p in PNRS] + [attendance(PNRS[2], "2025-01")])
    ingest(settings, source)
    records = Ledger(settings.ledger_dir).counted()
    assert (records["rows_read"] == records["rows_accepted"] + records["rows_quarantined"]).all()
    q = curated.read_quarantine(settings.quarantine_dir)
    per_file = q.groupby("file_sha256")["source_row"].nunique()
    for r in records.itertuples():
        assert per_file.get(r.file_sha256, 0) == r.rows_quarantined


def test_period_range_limits_work(samla_env):
    settings, source = setup(samla_env)
    for period in ("2024-11", "2024-12", "2025-01"):
        write_csv(source.delivery.folder / f"participants_{period}.csv", [participant(p) for p in PNRS])
    manifest = ingest(settings, source, period_range=("2024-12", "2024-12"))
    assert [f["period"] for f in manifest["files"]] == ["2024-12"]
    assert sorted(p for (_, p) in curated.partitions(settings.curated_dir, "participants")) == ["2024-12"]
    assert pd.Series(landing.archived(settings.data_dir, "s1")).size == 3  # all archived, one processed


def test_data_docs_page_for_every_validation_linked_from_ledger(samla_env):
    from privacy import personnummer_in

    settings, source = setup(samla_env)
    rows = [participant(p) for p in PNRS]
    rows[4]["programme"] = "IMX"
    write_csv(source.delivery.folder / "participants_2025-01.csv", rows)
    write_csv(source.delivery.folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    ingest(settings, source)
    records = Ledger(settings.ledger_dir).counted()
    assert records["data_docs"].str.endswith(".html").all()
    page = settings.data_dir / records.loc[records["dataset"] == "participants", "data_docs"].iloc[0]
    html = page.read_text(encoding="utf-8")
    assert "IMX" in html and "programme" in html, "the page shows the failing rule and value"
    assert not personnummer_in(html)
    index = settings.data_docs_dir / "index.html"
    assert index.exists()
    # A run with nothing new writes no page, so it leaves the index alone (listing every page of
    # every source is the cost of a national empty month otherwise).
    written = index.stat().st_mtime_ns
    index.write_text("stale on purpose", encoding="utf-8")
    os.utime(index, ns=(written, written))
    ingest(settings, source)
    assert index.read_text(encoding="utf-8") == "stale on purpose"
    write_csv(source.delivery.folder / "attendance_2025-02.csv", [attendance(p, "2025-02") for p in PNRS])
    write_csv(source.delivery.folder / "participants_2025-02.csv", [participant(p) for p in PNRS])
    ingest(settings, source)
    assert "2025-02" in index.read_text(encoding="utf-8"), "a run that writes pages rebuilds the index"


def test_file_for_an_unknown_source_is_reported_once(samla_env):
    from transforms.ingest.pipeline import UNKNOWN_SOURCE, report_unknown_sources

    settings, source = setup(samla_env)
    stray = write_csv(settings.landing_dir / "9999" / "participants_2025-01.csv", [participant(p) for p in PNRS])
    config = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir)
    (found,) = report_unknown_sources(settings, config)
    assert "okänd källa" in found["message"] and "'9999'" in found["message"]
    records = Ledger(settings.ledger_dir).counted(UNKNOWN_SOURCE)
    assert list(records["status"]) == ["rejected"] and stray.exists()
    assert report_unknown_sources(settings, config) == []


def test_same_person_same_pseudonym_across_sources_and_forms(samla_env):
    from datetime import date as day

    from deliveries import make_pnr

    settings = load_settings()
    config = parse_sources({"sources": [
        {"id": "a", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/a"}},
        {"id": "b", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/b"},
         "format": {"delimiter": ";", "encoding": "cp1252"}},
    ]}, settings.data_dir)
    mover = day(2007, 3, 12)
    write_csv(config.get("a").delivery.folder / "participants_2025-01.csv",
              [participant(make_pnr(mover, 321))] + [participant(p) for p in PNRS[:5]])
    write_csv(config.get("b").delivery.folder / "participants_2025-01.csv",
              [participant(make_pnr(mover, 321, twelve=False, sep="-"))] + [participant(p) for p in PNRS[5:]],
              delimiter=";", encoding="cp1252")
    for source in config.sources.values():
        ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder), today=TODAY)
    frame = curated.read_dataset(settings.curated_dir, "participants")
    shared = set(frame.loc[frame["source"] == "a", "person"]) & set(frame.loc[frame["source"] == "b", "person"])
    assert len(shared) == 1, "the mover has one pseudonym in both sources"


def test_old_bytes_delivered_again_after_other_content_win(samla_env):
    """A, then B, then A again under the same name: A arrived last, so A is current (newest wins)."""
    settings, source = setup(samla_env)
    path = source.delivery.folder / "participants_2025-01.csv"
    first = [participant(p) for p in PNRS]
    write_csv(path, first)
    ingest(settings, source)
    time.sleep(0.01)
    write_csv(path, [participant(p, gender="male") for p in PNRS[:6]])
    ingest(settings, source)
    assert len(curated.read_dataset(settings.curated_dir, "participants")) == 6
    time.sleep(0.01)
    write_csv(path, first)
    manifest = ingest(settings, source)
    assert [f["rows_accepted"] for f in manifest["files"]] == [10]
    assert len(curated.read_dataset(settings.curated_dir, "participants")) == 10
    assert ingest(settings, source)["files"] == [], "and then it is a plain duplicate again"
