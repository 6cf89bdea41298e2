import random
import re
from datetime import date

import numpy as np
import pytest
from deliveries import make_pnr
from hypothesis import given, settings
from hypothesis import strategies as st
from privacy import personnummer_in

from transforms.privacy import personnummer as pn
from transforms.privacy.pseudonym import pseudonym, pseudonymise_all, pseudonyms

END = date(2025, 1, 31)


def _luhn_ok(digits: str) -> bool:
    """Written here from the textbook rule (double every second digit from the right), so the
    product's ``luhn_ok`` is checked against something it did not produce."""
    total = 0
    for position, digit in enumerate(int(c) for c in reversed(digits)):
        if position % 2:
            digit = sum(divmod(digit * 2, 10))
        total += digit
    return total % 10 == 0


# Published numbers: Skatteverket's test person "Tolvan Tolvansson", the textbook example
# of a personnummer check digit, and Skatteverket's example samordningsnummer.
PUBLISHED = [
    ("19121212-1212", date(1912, 12, 12), False),
    ("811218-9876", date(1981, 12, 18), False),
    ("701063-2391", date(1970, 10, 3), True),
]


@pytest.mark.parametrize("number, born, coordination", PUBLISHED)
def test_published_numbers_parse(number, born, coordination):
    parsed = pn.parse(number, END)
    assert (parsed.birth_date, parsed.coordination) == (born, coordination)
    assert len(parsed.normalised) == 12 and parsed.normalised.endswith(number.replace("-", "")[-10:])


@pytest.mark.parametrize("number, born, coordination", PUBLISHED)
def test_published_numbers_with_another_check_digit_fail(number, born, coordination):
    for wrong in {str(d) for d in range(10)} - {number[-1]}:
        with pytest.raises(pn.PersonnummerError, match="Luhn"):
            pn.parse(number[:-1] + wrong, END)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_luhn_agrees_with_an_independent_implementation(digits):
    assert pn.luhn_ok(digits) == _luhn_ok(digits)


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


FULL_WIDTH = str.maketrans("0123456789-+ ", "０１２３４５６７８９－＋\u3000")


@st.composite
def accepted_forms(draw):
    """Any form ``parse`` accepts: 10/12 digits, -/+ or none, spaces anywhere, full-width, NBSP."""
    birth = draw(st.dates(date(1925, 1, 1), date(2009, 12, 31)))
    twelve = draw(st.booleans())
    sep = draw(st.sampled_from(["", "-", "+"] if twelve or birth.year < 1925 else ["", "-"]))
    text = make_pnr(birth, draw(st.integers(0, 999)), twelve=twelve, sep=sep,
                    coordination=draw(st.booleans()))
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):  # spaces (ordinary, no-break, ideographic) anywhere inside
        chars.insert(draw(st.integers(1, len(chars) - 1)), draw(st.sampled_from([" ", "\u00a0", "\u3000"])))
    text = "".join(chars)
    return text.translate(FULL_WIDTH) if draw(st.booleans()) else text


@settings(max_examples=200, deadline=None)
@given(form=accepted_forms(), before=st.sampled_from(["", "rad 3: ", "x", "värde '", "a\n"]),
       after=st.sampled_from(["", " ogiltig", "'", ";7", "\t"]))
def test_every_accepted_form_is_found_and_masked(form, before, after):
    pn.parse(form, date(2100, 1, 1))  # the generator makes only accepted forms
    text = f"{before}{form}{after}"
    assert personnummer_in(text), "the test scanner misses an accepted form"
    assert pn.find_in_text(text)
    masked = pn.mask_in_text(text)
    assert not personnummer_in(masked) and pn.MASK in masked


@pytest.mark.parametrize("value", ["20050128 3840", "071208 4136", "２００５０１２８３８４０", "0 7 1 2 0 8 - 4 1 3 6"])
def test_space_and_full_width_forms_are_masked(value):
    pn.parse(value, END)
    assert pn.mask_in_text(f"id {value}.") == f"id {pn.MASK}."


def test_other_digit_scripts_are_no_personnummer_and_never_crash():
    arabic = "٢٠٠٥٠١٢٨٣٨٤٠"  # Arabic-Indic digits: int() reads them, the contract does not
    with pytest.raises(pn.PersonnummerError):
        pn.parse(arabic, END)


def test_full_width_person_id_pseudonymises():
    wide = make_pnr(date(2007, 3, 12), 123).translate(FULL_WIDTH)
    parsed = pn.parse(wide, END)
    assert parsed.normalised == make_pnr(date(2007, 3, 12), 123)
    assert pseudonym(b"k" * 32, parsed.normalised) == pseudonym(b"k" * 32, make_pnr(date(2007, 3, 12), 123))


def test_unrelated_numbers_are_left_alone():
    text = "rows 1 2 3, checksum 9f86d081, 1234567890123, 2025-01-31"
    assert pn.mask_in_text(text) == text


def test_masking_filter_hides_numbers_in_log_records():
    import logging

    record = logging.LogRecord("samla", logging.INFO, __file__, 1, "file %s rejected", ("071208 4136.csv",), None)
    pn.MaskingFilter().filter(record)
    assert "4136" not in record.getMessage() and pn.MASK in record.getMessage()


def test_pseudonym_stable_and_keyed():
    a = make_pnr(date(2007, 3, 12), 123)
    normalised = pn.parse(a, END).normalised
    ten_digit = pn.parse(make_pnr(date(2007, 3, 12), 123, twelve=False, sep="-"), END).normalised
    assert pseudonym(b"k" * 32, normalised) == pseudonym(b"k" * 32, ten_digit)  # same person, any form
    assert pseudonym(b"k" * 32, normalised) != pseudonym(b"x" * 32, normalised)  # another key
    assert len(pseudonymise_all(b"k" * 32, [normalised, normalised, ten_digit])) == 1


def _parse_one(value: str, reference: date):
    try:
        return pn.parse(value, reference)
    except pn.PersonnummerError as exc:
        return str(exc)


def _as_parse_gives(parsed: pn.ParsedMany, position: int):
    """One position of ``parse_many`` in ``_parse_one``'s terms (``parse_many`` drops ``coordination``)."""
    if parsed.errors[position] is not None:
        assert parsed.normalised[position] is None and np.isnat(parsed.birth[position])
        return parsed.errors[position]
    assert type(parsed.normalised[position]) is str
    birth = parsed.birth[position].astype(object)
    return (parsed.normalised[position], birth)


def _assert_parse_many_is_parse(values: list[str], reference: date) -> None:
    parsed = pn.parse_many(values, reference)
    assert len(parsed.normalised) == len(parsed.birth) == len(parsed.errors) == len(values)
    for position, value in enumerate(values):
        one = _parse_one(value, reference)
        expected = one if isinstance(one, str) else (one.normalised, one.birth_date)
        assert _as_parse_gives(parsed, position) == expected, (position, reference)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.builds(lambda d, n, twelve, sep, co: make_pnr(d, n, twelve=twelve, sep=sep, coordination=co),
              st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.integers(0, 999), st.booleans(),
              st.sampled_from(["", "-", "+"]), st.booleans()),
    st.text("0123456789-+ \uff10\uff11\uff12\uff15", min_size=8, max_size=15),
    st.text(max_size=14),
), max_size=40), st.dates(date(2024, 1, 31), date(2027, 12, 31)))
def test_parse_many_is_parse_of_each_value(values, reference):
    """The batch parse (harmonise's path) gives what parse gives, value by value."""
    _assert_parse_many_is_parse(values, reference)


FULL_WIDTH_DIGITS = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")


def _generated_ids(count: int, seed: int) -> list[str]:
    """Synthetic ids in every form and with every fault parse knows: 10 and 12 digits, - and +,
    samordningsnummer, wrong check digits, days and months that do not exist (29 February of
    non-leap years and of 1900/2000 among them), births after the period, spaces, full-width digits."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        birth = date(rng.randint(1890, 2035), rng.randint(1, 12), rng.randint(1, 28))
        number = make_pnr(birth, rng.randint(0, 999), twelve=rng.random() < 0.5, sep=rng.choice(["", "-", "+"]),
                          coordination=rng.random() < 0.2, check=rng.choice([None] * 5 + [str(rng.randint(0, 9))]))
        kind = rng.random()
        if kind < 0.15:  # a day or month that may not exist, the check digit made right again or not
            at = len(number) - (7 if number[-5] in "-+" else 6) - 2 * rng.randint(0, 1)
            number = number[:at] + f"{rng.choice([0, 13, 29, 30, 31, 32, 60, 89, 90, 91, 99]):02d}" + number[at + 2:]
        elif kind < 0.2:
            number = rng.choice(["0002291234", "000229-0000", "000229+1234", "19000229-1234", "20000229-0000",
                                 "0000000000", "000000000000", "991231-9999", "991231+9999"])[:-1] + str(rng.randint(0, 9))
        elif kind < 0.3:
            number = number.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.5 else number.replace("-", " - ")
        elif kind < 0.35:
            number = f" {number} " if rng.random() < 0.5 else number[:-1] + " " + number[-1]
        elif kind < 0.4:
            number = rng.choice([number[:-1], number + "0", number.replace("-", "/"), "x" + number[1:], ""])
        out.append(number)
    return out


@pytest.mark.parametrize("reference", [END, date(2024, 2, 29), date(2000, 2, 29), date(2030, 12, 31)])
def test_parse_many_agrees_with_parse_on_a_large_generated_set(reference):
    values = _generated_ids(20_000, seed=reference.toordinal())
    parsed = pn.parse_many(values, reference)
    errors = {e for e in parsed.errors if e is not None}
    assert len(errors) >= 4 and (parsed.errors == None).sum() > len(values) // 3  # noqa: E711 - every path taken
    _assert_parse_many_is_parse(values, reference)


def test_the_test_scanner_ignores_digests_but_not_numbers_beside_them():
    digest = "1ff64286fcc902f2048b851d7b5ee3bbb7715d1802021574aaf5dfef71b68ae6"  # holds 1802021574
    assert pn.parse("1802021574", END)  # the digit run alone is an accepted form
    assert personnummer_in(f"sha256={digest}") == []
    assert personnummer_in(f"{digest} 811218-9876") == ["811218-9876"]
    # The short hash in a Data Docs page name (CI found one made of digits only, century 00).
    assert pn.parse("001908296732", END).birth_date.year == 19
    assert personnummer_in("pages/1480/activities/2024-09/001908296732-20261129T233810Z.html") == []
    assert personnummer_in("198112189876") == ["198112189876"]
    # GX's run time in a page name: at 19:06:08.913935 UTC it reads as a samordningsnummer of 1906.
    assert pn.parse("190608913935", END).birth_date.year == 1906
    assert personnummer_in("2025-01/4f3b293a0dd8-20261207T190608913935Z.html") == []
    assert personnummer_in("ge_load_time 20261207T192008.249654Z") == []
    assert personnummer_in("T190608913935 ") == ["190608913935"]  # the same digits outside a run time count


@pytest.mark.parametrize("key", [b"", b"k", b"k" * 32, b"x" * 64, b"y" * 65, bytes(range(256)) * 3])
def test_pseudonymise_all_and_pseudonyms_are_the_hmac_of_each_number(key):
    numbers = [make_pnr(date(2007, 3, d), d) for d in range(1, 29)]
    assert pseudonymise_all(key, numbers + numbers[:3]) == {n: pseudonym(key, n) for n in numbers}
    assert pseudonyms(key, numbers[::-1]) == [pseudonym(key, n) for n in numbers[::-1]]


def test_remembered_pseudonyms_are_per_key_and_bounded(monkeypatch):
    """A process remembers what it hashed; a second key (a rotation) never gets the first key's."""
    from transforms.privacy import pseudonym as module

    numbers = [make_pnr(date(2006, 5, d), d) for d in range(1, 29)]
    for key in (b"first", b"second", b"first", b"second"):
        assert pseudonyms(key, numbers) == [pseudonym(key, n) for n in numbers]
    assert len(module._remembered) == 1  # one key at a time
    monkeypatch.setattr(module, "_REMEMBERED", 10)
    assert pseudonyms(b"third", numbers) == [pseudonym(b"third", n) for n in numbers]
    assert len(next(iter(module._remembered.values()))) == 0  # past the bound: forgotten
    assert pseudonyms(b"third", numbers[:5]) == [pseudonym(b"third", n) for n in numbers[:5]]


@pytest.mark.parametrize("written", ["{ten}.0", "{twelve}.0", "{ten}", "{twelve}", "{ten_m}.0",
                                     "{ten_0}.{ten_1}e+09", "{ten_0}.{ten_1}E+09", "{tw_0}.{tw_1}e+11", "{ten_0}.{ten_1}e9"])
def test_a_number_a_program_wrote_is_masked(written):
    """A personnummer in a numeric column comes back as an int, a float or a float in e-notation."""
    ten, twelve = make_pnr(date(1990, 1, 1), 123, twelve=False), make_pnr(date(1990, 1, 1), 123)
    value = written.format(ten=ten, twelve=twelve, ten_m=make_pnr(date(1990, 1, 1), 123, twelve=False, sep="-"),
                           ten_0=ten[0], ten_1=ten[1:], tw_0=twelve[0], tw_1=twelve[1:])
    masked = pn.mask_in_text(f"värde {value}; rad 4")
    assert ten not in re.sub(r"[^0-9]", "", masked) and pn.MASK in masked, masked


def test_a_checksum_after_a_period_is_still_no_exponent():
    text = "2024-10/682393ecfa97 and 2024-10/682393e5fa97"
    assert pn.mask_in_text(text) == text
