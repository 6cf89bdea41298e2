from datetime import date

import pytest
from deliveries import make_pnr

from transforms.privacy import personnummer as pn
from transforms.privacy.pseudonym import pseudonym, pseudonymise_all

END = date(2025, 1, 31)


@pytest.mark.parametrize("sep", ["", "-"])
def test_twelve_digit_forms_normalise_alike(sep):
    number = make_pnr(date(2007, 3, 12), 123, sep=sep)
    parsed = pn.parse(number, END)
    assert parsed.birth_date == date(2007, 3, 12)
    assert parsed.normalised == number.replace("-", "")


def test_ten_digit_takes_century_under_100():
    ten = make_pnr(date(2007, 3, 12), 5, twelve=False, sep="-")
    assert pn.parse(ten, END).birth_date == date(2007, 3, 12)
    # 1925-06-01 with '-' would be a 99-year-old; without + it is born 1925 (under 100 on 2025-01-31)
    old = make_pnr(date(1925, 6, 1), 5, twelve=False, sep="-")
    assert pn.parse(old, END).birth_date == date(1925, 6, 1)


def test_plus_separator_means_100_or_over():
    ten = make_pnr(date(1920, 3, 12), 5, twelve=False, sep="+")
    assert pn.parse(ten, END).birth_date == date(1920, 3, 12)


def test_samordningsnummer_day_minus_60():
    number = make_pnr(date(2006, 5, 20), 44, coordination=True)
    parsed = pn.parse(number, END)
    assert parsed.coordination and parsed.birth_date == date(2006, 5, 20)
    assert parsed.normalised[6:8] == "80"


@pytest.mark.parametrize("bad, reason", [
    ("20070312123", "10 or 12"),
    ("200703121234x", "10 or 12"),
    ("20070230" + "1234", "Luhn|calendar"),
])
def test_rejects_malformed(bad, reason):
    with pytest.raises(pn.PersonnummerError, match=reason):
        pn.parse(bad, END)


def test_rejects_bad_check_digit():
    good = make_pnr(date(2007, 3, 12), 123)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(pn.PersonnummerError, match="Luhn"):
        pn.parse(bad, END)


def test_rejects_birth_after_period_end():
    with pytest.raises(pn.PersonnummerError, match="after the period"):
        pn.parse(make_pnr(date(2025, 3, 1), 1), END)


def test_age_at_entry_whole_years():
    assert pn.age_on(date(2007, 3, 12), date(2025, 3, 11)) == 17
    assert pn.age_on(date(2007, 3, 12), date(2025, 3, 12)) == 18


def test_find_in_text_and_mask():
    number = make_pnr(date(2007, 3, 12), 123, sep="-")
    text = f"row 3: {number} bad; 1234567890123 is not one"
    assert pn.find_in_text(text) == [number]
    assert number not in pn.mask_in_text(text)


def test_pseudonym_stable_and_keyed():
    a = make_pnr(date(2007, 3, 12), 123)
    normalised = pn.parse(a, END).normalised
    ten_digit = pn.parse(make_pnr(date(2007, 3, 12), 123, twelve=False, sep="-"), END).normalised
    assert pseudonym(b"k" * 32, normalised) == pseudonym(b"k" * 32, ten_digit)  # same person, any form
    assert pseudonym(b"k" * 32, normalised) != pseudonym(b"x" * 32, normalised)  # another key
    assert len(pseudonymise_all(b"k" * 32, [normalised, normalised, ten_digit])) == 1
