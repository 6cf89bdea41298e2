"""People's time: stored UTC stamps shown in Swedish time, to the second."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from transforms.clock import ZONE, local_time, now_utc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_winter_is_utc_plus_one_and_microseconds_are_dropped():
    assert local_time("2026-12-07T12:15:54.258005+00:00") == "2026-12-07 13:15:54"


def test_summer_is_utc_plus_two():
    assert local_time("2026-07-01T10:00:00+00:00") == "2026-07-01 12:00:00"


def test_a_z_suffix_is_utc():
    assert local_time("2026-12-07T12:15:54Z") == "2026-12-07 13:15:54"
    assert local_time("2026-12-07T12:15:54.999999Z") == "2026-12-07 13:15:54"  # dropped, not rounded


@pytest.mark.parametrize(("utc", "shown"), [
    # spring forward, last Sunday of March 2026: 02:00 local becomes 03:00 (01:00 UTC)
    ("2026-03-29T00:59:59+00:00", "2026-03-29 01:59:59"),
    ("2026-03-29T01:00:00+00:00", "2026-03-29 03:00:00"),
    # fall back, last Sunday of October 2026: 03:00 local becomes 02:00 (01:00 UTC); 02:xx is shown twice
    ("2026-10-25T00:30:00+00:00", "2026-10-25 02:30:00"),
    ("2026-10-25T01:30:00+00:00", "2026-10-25 02:30:00"),
    ("2026-10-25T02:00:00+00:00", "2026-10-25 03:00:00"),
])
def test_the_daylight_saving_changes(utc, shown):
    assert local_time(utc) == shown


def test_datetimes_aware_in_any_zone_and_naive_read_as_utc():
    assert local_time(datetime(2026, 12, 7, 12, 15, 54, 258005, tzinfo=UTC)) == "2026-12-07 13:15:54"
    assert local_time(datetime(2026, 12, 7, 7, 15, tzinfo=timezone(timedelta(hours=-5)))) == "2026-12-07 13:15:00"
    assert local_time(datetime(2026, 12, 7, 12, 15)) == "2026-12-07 13:15:00"
    assert local_time("2026-12-07T12:15:54") == "2026-12-07 13:15:54"
    assert local_time(pd.Timestamp("2026-07-01T10:00:00Z")) == "2026-07-01 12:00:00"


@pytest.mark.parametrize("missing", [None, "", "  ", float("nan"), pd.NaT, pd.NA])
def test_missing_is_empty(missing):
    assert local_time(missing) == ""


def test_text_that_is_no_time_is_shown_as_it_is():
    assert local_time("now") == "now"
    assert local_time("2026-12-07") == "2026-12-07"  # a date alone has no time of day to move


def test_now_is_aware_utc():
    now = now_utc()
    assert now.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - now).total_seconds()) < 60
    assert str(ZONE) == "Europe/Stockholm"


def test_the_zone_needs_no_operating_system_zone_database():
    """An empty PYTHONTZPATH hides /usr/share/zoneinfo, as in a slim image: the tzdata package answers."""
    code = ("import zoneinfo; assert zoneinfo.TZPATH == (), zoneinfo.TZPATH; "
            "from transforms.clock import local_time; print(local_time('2026-07-01T10:00:00Z'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONTZPATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2026-07-01 12:00:00"
