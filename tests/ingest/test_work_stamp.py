"""The stamp that lets a run skip a folder source with nothing new: it may only ever make a run do more."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing, work_stamp
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source

KEY = TEST_KEY.encode()
PNRS = people(6, seed=5)
TODAY = date(2025, 3, 15)


def setup():
    settings = load_settings()
    config = parse_sources({"sources": [{"id": "s1", "name": "Test", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir)
    source = config.get("s1")
    source.delivery.folder.mkdir(parents=True)
    return settings, source, work_stamp.configuration_digest(source, work_stamp.project_digest(config.project))


def run(settings, source, digest, periods):
    """What the source task does around ingest_source: listing before, stamp after a clean run."""
    seen = work_stamp.listing(source.delivery.folder)
    work_stamp.forget(settings.data_dir, source.id)
    result = ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder), periods, TODAY)
    if not result.internal_errors:
        work_stamp.write(settings.data_dir, source.id, seen, digest, result.waiting_periods)
    return result


def idle(settings, source, digest, periods) -> bool:
    return work_stamp.nothing_to_do(settings.data_dir, source.id, source.delivery.folder, digest, periods)


def deliver(folder, month):
    write_csv(folder / f"participants_{month}.csv", [participant(p) for p in PNRS])
    write_csv(folder / f"attendance_{month}.csv", [attendance(p, month) for p in PNRS])


def test_no_stamp_means_run(samla_env):
    settings, source, digest = setup()
    assert not idle(settings, source, digest, None)


def test_month_by_month_backfill_runs_each_month_then_skips_an_empty_one(samla_env):
    settings, source, digest = setup()
    for month in ("2025-01", "2025-02"):
        deliver(source.delivery.folder, month)
    first = run(settings, source, digest, ("2025-01", "2025-01"))
    assert first.waiting_periods == ["2025-02"], "archived but outside the run's periods: still to do"
    assert idle(settings, source, digest, ("2025-01", "2025-01"))
    assert not idle(settings, source, digest, ("2025-02", "2025-02")), "February waits for its run"
    assert not idle(settings, source, digest, None), "a run over all periods must take February"
    second = run(settings, source, digest, ("2025-02", "2025-02"))
    assert second.waiting_periods == [] and len(second.files) == 2
    assert idle(settings, source, digest, ("2025-03", "2025-03")), "an empty month: nothing to do"
    assert idle(settings, source, digest, None)


def test_any_change_in_the_folder_means_run(samla_env):
    settings, source, digest = setup()
    deliver(source.delivery.folder, "2025-01")
    run(settings, source, digest, None)
    assert idle(settings, source, digest, None)
    path = source.delivery.folder / "attendance_2025-01.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("900", "901", 1), encoding="utf-8")  # the same size, other bytes
    assert not idle(settings, source, digest, None), "a re-delivery under the same name"
    run(settings, source, digest, None)
    assert idle(settings, source, digest, None)
    (source.delivery.folder / "notes.txt").write_text("x", encoding="utf-8")
    assert not idle(settings, source, digest, None), "a new entry, even one no pattern matches"
    run(settings, source, digest, None)
    (source.delivery.folder / "notes.txt").unlink()
    assert not idle(settings, source, digest, None), "a removed entry"
    os.symlink("/etc/hostname", source.delivery.folder / "link.csv")
    assert not idle(settings, source, digest, None), "a link: the task must report it"


def test_another_configuration_or_a_damaged_stamp_means_run(samla_env):
    settings, source, digest = setup()
    deliver(source.delivery.folder, "2025-01")
    run(settings, source, digest, None)
    changed = replace(source, name="Test, renamed")
    assert not idle(settings, changed, work_stamp.configuration_digest(changed, "project"), None)
    stamp = landing.archive_root(settings.data_dir) / "s1" / work_stamp.STAMP
    stamp.write_text("{not json", encoding="utf-8")
    assert not idle(settings, source, digest, None)


def test_an_internal_error_waiting_in_another_period_means_run(samla_env):
    settings, source, digest = setup()
    for month in ("2025-01", "2025-02"):
        deliver(source.delivery.folder, month)
    run(settings, source, digest, None)
    # as if February's attendance had been rejected by a fault in Samla: retried by the next run in its period
    store = Ledger(settings.ledger_dir)
    record = store.latest(DeliveryKey("s1", "attendance", "2025-02",
                                      landing.sha256_of(source.delivery.folder / "attendance_2025-02.csv")))
    store.write(replace(record, rule="internal_error", status="rejected", rows_accepted=0,
                        rows_quarantined=record.rows_read))
    result = run(settings, source, digest, ("2025-01", "2025-01"))
    assert result.waiting_periods == ["2025-02"]
    assert not idle(settings, source, digest, ("2025-02", "2025-02"))


def test_a_stamp_that_cannot_be_written_leaves_the_load_and_means_run(samla_env):
    settings, source, digest = setup()
    deliver(source.delivery.folder, "2025-01")
    (landing.archive_root(settings.data_dir) / "s1" / work_stamp.STAMP).mkdir(parents=True)  # in the way
    work_stamp.forget(settings.data_dir, "s1")  # does not raise: the task goes on to load
    assert not work_stamp.write(settings.data_dir, "s1", work_stamp.listing(source.delivery.folder), digest, [])
    assert not idle(settings, source, digest, None)
