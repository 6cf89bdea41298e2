"""Publication from curated Parquet: what is rebuilt, and reruns give identical tables."""

from __future__ import annotations

import json
import time

import pytest
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source
from transforms.publish import pipeline as publication
from transforms.publish import warehouse

PNRS = people(14, seed=5)


@pytest.fixture
def world(samla_env):
    settings = load_settings()
    config = parse_sources({"sources": [
        {"id": "1489", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/1489"}},
        {"id": "1480", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/1480"}},
    ]}, settings.data_dir)
    for sid, persons in (("1489", PNRS[:7]), ("1480", PNRS[7:])):
        folder = config.get(sid).delivery.folder
        for period in ("2024-09", "2024-10"):
            write_csv(folder / f"participants_{period}.csv",
                      [participant(p, entry_date="2024-09-02") for p in persons])
            write_csv(folder / f"attendance_{period}.csv", [attendance(p, period) for p in persons])
    ingest_all(settings, config)
    return settings, config


def ingest_all(settings, config):
    for source in config.sources.values():
        ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder))


def tables(settings):
    return {name: warehouse.read_table(settings.warehouse_url, name)
            for name in ("indicator_values", "indicator_values_restricted", "source_status")}


def test_first_publication_then_nothing_to_do(world):
    settings, config = world
    first = publication.publish(settings, config)
    assert first["published"] and first["periods"] == ["2024-09", "2024-10"]
    before = tables(settings)
    again = publication.publish(settings, config)
    assert not again["published"] and "no input changed" in again["reason"]
    forced = publication.publish(settings, config, ("2024-09", "2024-10"))
    assert forced["published"]
    after = tables(settings)
    for name in before:
        assert before[name].equals(after[name]), f"{name} changed on a rerun with the same inputs"


def test_attendance_change_rebuilds_its_period_onwards_only(world):
    settings, config = world
    publication.publish(settings, config)
    time.sleep(0.01)
    folder = config.get("1480").delivery.folder
    write_csv(folder / "attendance_2024-10.csv", [attendance(p, "2024-10", attended=500, valid=250, invalid=250)
                                                 for p in PNRS[7:]])
    ingest_all(settings, config)
    result = publication.publish(settings, config)
    assert result["periods"] == ["2024-10"]
    rate = tables(settings)["indicator_values_restricted"]
    cell = rate[(rate["indicator"] == "ATTENDANCE_RATE") & (rate["area_code"] == "1480") & (rate["gender"] == "all")]
    assert cell.set_index("period").loc["2024-10", "numerator"] == 500 * 7


def test_participants_change_restates_every_period(world):
    settings, config = world
    publication.publish(settings, config)
    time.sleep(0.01)
    folder = config.get("1489").delivery.folder
    write_csv(folder / "participants_2024-10.csv",
              [participant(p, entry_date="2024-09-02", labour_status="unemployed") for p in PNRS[:7]])
    ingest_all(settings, config)
    result = publication.publish(settings, config)
    assert result["periods"] == ["2024-09", "2024-10"] and "restated" in result["reason"]
    values = tables(settings)["indicator_values_restricted"]
    eeco02 = values[(values["indicator"] == "EECO02") & (values["area_code"] == "1489") & (values["gender"] == "all")]
    assert list(eeco02.sort_values("period")["numerator"]) == [7, 7], "late correction restates 2024-09"


def test_published_table_is_suppressed_and_parquet_equals_warehouse(world):
    settings, config = world
    publication.publish(settings, config)
    paths = publication.export_files(settings)
    import pandas as pd

    published = tables(settings)["indicator_values"]
    small = published[(published["numerator"] >= 1) & (published["numerator"] < settings.suppression_threshold)]
    assert small.empty, "no published count between 1 and threshold-1"
    parquet = pd.read_parquet(paths["indicator_values"])
    assert len(parquet) == len(published)
    assert set(parquet.columns) == {"period", "area_level", "area_code", "gender", "indicator", "numerator",
                                    "denominator", "value", "suppressed"}
    assert paths["fund_report"].endswith(".xlsx")


@pytest.mark.slow
def test_rejected_attendance_shows_in_dataset_status_and_the_report(world):
    settings, config = world
    for sid, persons in (("1489", PNRS[:7]), ("1480", PNRS[7:])):
        folder = config.get(sid).delivery.folder
        write_csv(folder / "participants_2024-11.csv", [participant(p, entry_date="2024-09-02") for p in persons])
        rows = [attendance(p, "2024-11") for p in persons]
        if sid == "1480":  # a required column missing: the file is rejected
            rows = [{k: v for k, v in r.items() if k != "scheduled_min"} for r in rows]
        write_csv(folder / "attendance_2024-11.csv", rows)
    ingest_all(settings, config)
    publication.publish(settings, config)
    paths = publication.export_files(settings)
    status = warehouse.read_table(settings.warehouse_url, "dataset_status").set_index(["period", "source", "dataset"])
    assert status.loc[("2024-11", "1480", "attendance"), "state"] == "rejected"
    assert status.loc[("2024-11", "1480", "attendance"), "file_name"] == "attendance_2024-11.csv"
    assert status.loc[("2024-11", "1489", "attendance"), "state"] == "delivered"
    assert status.loc[("2024-10", "1480", "attendance"), "state"] == "delivered"
    assert status.loc[("2024-11", "1480", "survey"), "state"] == "missing"
    assert len(status) == 3 * 2 * 4
    import pandas as pd
    from openpyxl import load_workbook

    assert pd.read_parquet(paths["dataset_status"]).shape == (24, 6)
    sheet = [r for r in load_workbook(paths["fund_report"])["Dataläge"].iter_rows(values_only=True)]
    assert "INTE komplett" in sheet[1][0]
    assert ("2024-11", "1480", "Närvaro", "Avvisad", "attendance_2024-11.csv") in [r[:5] for r in sheet]


def test_a_range_publish_records_only_what_it_published(world, monkeypatch):
    settings, config = world
    publication.publish(settings, config)
    time.sleep(0.01)
    folder = config.get("1480").delivery.folder
    write_csv(folder / "attendance_2024-09.csv", [attendance(p, "2024-09", attended=500, valid=250, invalid=250)
                                                 for p in PNRS[7:]])
    ingest_all(settings, config)
    limited = publication.publish(settings, config, ("2024-10", "2024-10"))
    assert limited["periods"] == ["2024-10"]
    later = publication.publish(settings, config)  # 2024-09 changed outside the range: still to publish
    assert later["published"] and later["periods"] == ["2024-09", "2024-10"]
    assert not publication.publish(settings, config)["published"]

    monkeypatch.setenv("SAMLA_SUPPRESSION_THRESHOLD", "3")
    settings3 = load_settings()
    assert publication.publish(settings3, config, ("2024-09", "2024-09"))["periods"] == ["2024-09"]
    again = publication.publish(settings3, config)  # 2024-10 was never published with threshold 3
    assert again["published"] and again["periods"] == ["2024-09", "2024-10"]
    log_rows = warehouse.read_table(settings.warehouse_url, "publication_log")
    assert list(log_rows.periods) == ["2024-09,2024-10", "2024-10", "2024-09,2024-10", "2024-09", "2024-09,2024-10"]
    changed = json.loads(log_rows.inputs.iloc[1])
    assert changed == [{"change": "replaced", "dataset": "attendance", "file_name": "attendance_2024-09.csv",
                        "period": "2024-09", "source": "1480"}]
    assert {c["change"] for c in json.loads(log_rows.inputs.iloc[0])} == {"new"}


def test_a_run_that_only_rejects_files_still_refreshes_load_ledger(world):
    """load_ledger is refreshed even when nothing publishable changed (it once was left stale)."""
    settings, config = world
    publication.publish(settings, config)
    folder = config.get("1489").delivery.folder
    (folder / "attendance_2024-10.csv").write_bytes(b"")  # a rejected re-delivery: no indicator changes
    ingest_all(settings, config)
    again = publication.publish(settings, config)
    assert not again["published"]
    shown = warehouse.read_table(settings.warehouse_url, "load_ledger")
    assert "filen är tom (0 byte)" in " ".join(shown["message"])
