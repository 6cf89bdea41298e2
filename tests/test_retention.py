"""Raw archive retention: expired and processed deliveries go, pending ones and arrival records stay."""

from __future__ import annotations

from datetime import date

from conftest import TEST_KEY
from deliveries import participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source
from transforms.privacy.retention import purge_raw

PNRS = people(6, seed=13)


def test_purge_only_expired_and_processed(samla_env):
    settings = load_settings()
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
    folder = source.delivery.folder
    old = write_csv(folder / "participants_2024-09.csv", [participant(p) for p in PNRS])
    ingest_source(settings, source, TEST_KEY.encode(), [old], today=date(2025, 3, 1))
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
