from datetime import UTC, datetime

from samla_airflow.params import period_range


def test_explicit_range_wins():
    assert period_range({"period_from": "2024-10", "period_to": None}, "backfill", None) == ("2024-10", "9999-12")


def test_backfill_takes_the_month_before_its_logical_date():
    assert period_range({}, "backfill", datetime(2025, 1, 5, 6, tzinfo=UTC)) == ("2024-12", "2024-12")
    assert period_range({}, "backfill", datetime(2025, 3, 5, 6, tzinfo=UTC)) == ("2025-02", "2025-02")


def test_scheduled_and_manual_runs_take_every_new_delivery():
    assert period_range({}, "scheduled", datetime(2025, 3, 5, tzinfo=UTC)) is None
    assert period_range({"period_from": None, "period_to": None}, "manual", None) is None
