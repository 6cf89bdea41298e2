"""The one Period type: parsing with the contract's message, month arithmetic, validity."""

from datetime import date

import pytest

from transforms.period import (
    Period,
    PeriodError,
    is_period,
    month_range,
    period_fault,
)

FOKUS = (Period(2024, 9), Period(2027, 8))  # the default project file's window


@pytest.fixture(autouse=True)
def swedish(monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-9", "24-09", "2024/09", " 2024-09", "2024-09-01", ""])
def test_parse_refuses_what_is_not_a_real_month(text):
    with pytest.raises(PeriodError, match=r"är ingen riktig månad skriven ÅÅÅÅ-MM"):
        Period.parse(text)
    assert not is_period(text)


def test_parse_names_where_the_text_came_from(monkeypatch):
    from transforms.messages import t

    with pytest.raises(PeriodError) as err:
        Period.parse("2024-13", where=t("period.where_file_name"))
    assert str(err.value) == "perioden '2024-13' i filnamnet är ingen riktig månad skriven ÅÅÅÅ-MM"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(PeriodError) as err:
        Period.parse("2024-13", where=t("period.where_file_name"))
    assert str(err.value) == "period '2024-13' in the file name is not a real month written YYYY-MM"
    with pytest.raises(PeriodError, match=r"^period 2024-00 is not a real month$"):
        Period(2024, 0)


def test_days_and_neighbours():
    feb = Period.parse("2024-02")
    assert (feb.first_day, feb.last_day) == (date(2024, 2, 1), date(2024, 2, 29))
    assert Period.parse("2025-02").last_day == date(2025, 2, 28)
    assert str(Period.parse("2024-12").next()) == "2025-01"
    assert str(Period.parse("2025-01").previous()) == "2024-12"
    assert Period.of(date(2026, 3, 31)) == Period(2026, 3)


def test_range_crosses_years_and_is_empty_backwards():
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2025-02", "2024-11") == []
    assert len(month_range(*FOKUS)) == 36


def test_the_default_project_file_gives_the_window():
    from transforms.config.project import current_project

    assert current_project().window == FOKUS


def test_fault_follows_the_contract(monkeypatch):
    # exports.md: a real YYYY-MM, inside the project (2024-09..2027-08), not after the current month
    today = date(2025, 3, 15)
    assert period_fault("2025-03", FOKUS, today) is None
    assert period_fault("2024-09", FOKUS, today) is None
    assert period_fault("2025-04", FOKUS, today) == "perioden 2025-04 ligger i framtiden (efter innevarande månad)"
    assert period_fault("2024-08", FOKUS, today) == "perioden 2024-08 ligger utanför projektet (2024-09..2027-08)"
    assert period_fault("2027-09", FOKUS, date(2030, 1, 1)) == \
        "perioden 2027-09 ligger utanför projektet (2024-09..2027-08)"
    assert "ingen riktig månad" in period_fault("2025-13", FOKUS, today)
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert period_fault("2025-04", FOKUS, today) == "period 2025-04 lies in the future (after the current month)"
    assert period_fault("2024-08", FOKUS, today) == "period 2024-08 lies outside the project (2024-09..2027-08)"
    assert "not a real month" in period_fault("2025-13", FOKUS, today)


def test_fault_uses_the_window_it_is_given():
    window = (Period(2023, 1), Period(2023, 12))
    assert period_fault("2023-01", window, date(2025, 3, 15)) is None
    assert "2023-01..2023-12" in period_fault("2024-09", window, date(2025, 3, 15))
