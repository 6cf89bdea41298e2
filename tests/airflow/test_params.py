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


def test_params_refuse_a_bad_period_and_an_id_that_is_not_text():
    import pytest
    from airflow.sdk.definitions.param import ParamValidationError
    from samla_airflow.params import period_params, sources_param

    period = period_params()["period_from"]
    assert period.resolve("2025-02") == "2025-02" and period.resolve(None) is None
    for bad in ("2025-13", "2025-2", 202502):
        with pytest.raises(ParamValidationError):
            period.resolve(bad)
    assert sources_param().resolve(["1480", "kfv"]) == ["1480", "kfv"]
    with pytest.raises(ParamValidationError):
        sources_param().resolve([1480])  # an id is text: 1480 as a number would match no source


def test_an_open_start_is_the_project_files_first_period(monkeypatch, tmp_path):
    assert period_range({"period_from": None, "period_to": "2025-01"}, "manual") == ("2024-09", "2025-01")
    project = tmp_path / "project.yaml"
    project.write_text("project:\n  code: EARLY\n  name: Tidigt projekt\n  first_period: '2023-01'\n"
                       "  last_period: '2025-12'\n  region: {code: '14', name: Västra Götaland}\n"
                       "  federations:\n    - {code: F1, name: Förbund, municipalities: {'1480': Göteborg}}\n",
                       encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(project))
    assert period_range({"period_from": None, "period_to": "2025-01"}, "manual") == ("2023-01", "2025-01")
