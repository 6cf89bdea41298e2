"""A hostile-input block of its own: personnummer typed the ways people type them, digits Samla does not read,
a participants snapshot delivered before its month ended, and weak pseudonym keys.

Every typed form (tab, en or em dash, dot, underscore, slash, a dashed date, full width, a number written as a
decimal) is hidden in every output a person reads, from every column of every dataset; ordinary dates, times,
amounts and codes are left as they are.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time

import pytest
from conftest import TEST_KEY
from deliveries import attendance, make_pnr, participant, people, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privacy import leaks, personnummer_in
from samla_airflow.cli import main
from samla_airflow.notify import compose_steward_email

from transforms.config.schema import DATASET_COLUMNS
from transforms.config.settings import SettingsError, load_settings, pseudonym_key
from transforms.config.sources import load_sources
from transforms.ingest import curated, landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source
from transforms.privacy import personnummer as pn

PERIOD = "2025-01"
TODAY = date(2025, 3, 15)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
# What people put between the parts: spaces, tabs and every separator, alone or spaced.
SEPARATORS = [" ", "\t", "-", "+", ".", "_", "/", "\u2013", "\u2014", " - ", " \u2013 ", "\u00a0"]
# Forms seen in real exports and spreadsheets, for 1990-01-01 serial 123 (check digit 9).
NAMED = ["19900101\t1239", "900101\u20131239", "1990-01-01-1239", "900101.1239", "19900101_1239", "9001011239.0"]


@st.composite
def typed_forms(draw) -> str:
    """A valid number, written as a person or a program writes it."""
    birth = draw(st.dates(date(1930, 1, 1), date(2009, 12, 31)))
    number = make_pnr(birth, draw(st.integers(0, 999)), twelve=draw(st.booleans()), coordination=draw(st.booleans()))
    century, ten = number[:-10], number[-10:]
    sep = draw(st.sampled_from(SEPARATORS))
    style = draw(st.sampled_from(["separator", "dashed_date", "decimal", "plain"]))
    if style == "separator":
        text = f"{century}{ten[:6]}{sep}{ten[6:]}"
    elif style == "dashed_date":
        text = sep.join([century + ten[:2], ten[2:4], ten[4:6], ten[6:]])
    elif style == "decimal":  # a numeric cell as pandas or a spreadsheet writes it
        text = f"{number}.0"
    else:
        text = number
    return text.translate(WIDE) if draw(st.booleans()) else text


ORG_FIRST = st.integers(0, 99).map(lambda n: f"{n:02d}")


@st.composite
def organisation_numbers(draw) -> str:
    """Swedish organisation numbers: the third digit 2 or more (no month), 10 or 12 digits, Luhn-valid."""
    body = draw(ORG_FIRST) + str(draw(st.integers(2, 9))) + f"{draw(st.integers(0, 999_999)):06d}"
    check = next(d for d in "0123456789" if pn.luhn_ok(body + d))
    ten = body + check
    return draw(st.sampled_from([ten, f"{ten[:6]}-{ten[6:]}", f"16{ten}", f"16{ten[:6]}-{ten[6:]}"]))


DAYS = st.dates(date(1900, 1, 1), date(2099, 12, 31))
MOMENTS = st.datetimes(datetime(1900, 1, 1), datetime(2099, 12, 31))
ORDINARY = st.one_of(
    DAYS.map(date.isoformat),
    DAYS.map(lambda d: f"{d} 00:00:00"),  # a date cell as pandas prints it
    DAYS.map(lambda d: d.strftime("%d/%m/%Y")),
    DAYS.map(lambda d: d.strftime("%Y%m%d")),
    MOMENTS.map(lambda m: m.isoformat(sep=" ")),
    MOMENTS.map(lambda m: m.isoformat()),
    MOMENTS.map(lambda m: m.isoformat(sep=" ", timespec="minutes") + "+01:00"),
    st.times().map(time.isoformat),
    # hours, minutes and scores: below a million, with decimals (a ten-digit amount with a decimal mark is
    # written exactly like a personnummer typed with a dot, and is hidden)
    st.decimals(0, 999_999, places=2, allow_nan=False).map(str),
    st.decimals(0, 999_999, places=2, allow_nan=False).map(lambda d: f"{d:,}".replace(",", " ").replace(".", ",")),
    st.integers(0, 10**9).map(str),
    st.from_regex(r"[A-Z]{1,4}[-_ ]?[0-9]{1,4}", fullmatch=True),
    st.sampled_from(["1489", "T1", "IMS", "vocational_course", "2025-01", "v. 12"]),
    organisation_numbers(),
)


@settings(max_examples=400, deadline=None)
@given(form=typed_forms(), before=st.sampled_from(["", "värde ", "x", "rad 3: ", "'"]),
       after=st.sampled_from(["", " ", "'", ";", ".", "\n", " timmar"]))
def test_every_typed_form_is_seen_and_masked(form, before, after):
    text = f"{before}{form}{after}"
    assert personnummer_in(text), "the test scanner misses the form"
    masked = pn.mask_in_text(text)
    assert not personnummer_in(masked) and pn.MASK in masked


@pytest.mark.parametrize("value", NAMED)
def test_the_named_forms_are_masked(value):
    pn.parse("900101-1239", TODAY)  # the number behind them is a valid one
    assert pn.mask_in_text(f"värde '{value}'") in (f"värde '{pn.MASK}'", f"värde '{pn.MASK}.0'")


@settings(max_examples=1000, deadline=None)
@given(value=ORDINARY)
def test_ordinary_values_are_not_masked(value):
    assert pn.mask_in_text(value) == value


# --- every column type of every dataset, through the real ingestion and out to every reader -----------------

SOURCES = """sources:
  - id: "s1"
    name: Test
    municipalities: ["1489"]
    steward: {name: Eva, email: eva@kommun.example}
    delivery: {folder: raw/landing/s1}
    quarantine_threshold: 1  # every file loads its good rows: the pages list the faulty ones
"""


def _good_rows(persons: list[str]) -> dict[str, list[dict[str, str]]]:
    return {
        "participants": [participant(p) for p in persons],
        "attendance": [attendance(p, PERIOD) for p in persons],
        "survey": [{"person_id": p, "wave": "T1", "answered_on": "2025-01-10", "motivation": "3",
                    "future_hope": "4", "wellbeing": "3"} for p in persons],
        "activities": [{"person_id": p, "activity": "mi", "date": "2025-01-10", "hours": "2.5"} for p in persons],
    }


def _with_forms(rows: dict[str, list[dict[str, str]]], forms: list[str]) -> dict[str, list[dict[str, str]]]:
    """Rows more for every dataset: each column holding each of ``forms``, the rest of the row good."""
    out = {}
    for dataset, good in rows.items():
        extra = []
        for column in DATASET_COLUMNS[dataset]:
            for turn, form in enumerate(forms):
                extra.append(dict(good[turn % len(good)]) | {column.name: form})
        out[dataset] = good + extra
    return out


def _ingest_and_read_everything(settings, source, caplog, capsys) -> str:
    progress: list[str] = []
    with caplog.at_level(logging.INFO):
        result = ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                               today=TODAY, progress=progress.append)
    capsys.readouterr()
    cli = []
    for args in (["quarantine", "s1", PERIOD], ["quarantine", "s1", PERIOD, "--json"], ["status"]):
        main(args)
        out = capsys.readouterr()
        cli.append(out.out + out.err)
    mail = compose_steward_email(source, result, quarantine=curated.read_quarantine(settings.quarantine_dir))
    assert mail is not None, "rows were quarantined: the steward is told"
    quarantined = curated.read_quarantine(settings.quarantine_dir)
    assert len(quarantined) > 0
    return "\n".join([repr(result.manifest()), *progress, caplog.text, *cli, *mail])


@pytest.fixture
def typed_source(samla_env, tmp_path, monkeypatch):
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    settings = load_settings()
    return settings, load_sources(settings.sources_file, settings.data_dir).get("s1")


def test_the_named_forms_in_every_column_reach_no_reader(typed_source, caplog, capsys):
    """Each named form (and the plain number, which a numeric column reads as a number) in every column."""
    settings, source = typed_source
    for dataset, rows in _with_forms(_good_rows(people(8, seed=41)), [*NAMED, "9001011239"]).items():
        write_csv(source.delivery.folder / f"{dataset}_{PERIOD}.csv", rows)
    output = _ingest_and_read_everything(settings, source, caplog, capsys)
    assert not personnummer_in(output)
    assert not leaks(settings.data_dir), "a personnummer outside raw/ (quarantine, Data Docs, ledger)"
    pages = "".join(p.read_text() for p in (settings.data_docs_dir / "validations").rglob("*.html"))
    assert pn.MASK.replace("<", "&lt;").replace(">", "&gt;") in pages and "9001011239" not in pages
    steward = "".join(p.read_text() for p in (settings.data_dir / "steward_pages").rglob("*.html"))
    assert pn.MASK.replace("<", "&lt;").replace(">", "&gt;") in steward and "9001011239" not in steward


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms=st.lists(typed_forms(), min_size=6, max_size=12))
def test_generated_forms_in_every_column_of_every_dataset_reach_no_reader(forms, tmp_path_factory, monkeypatch,
                                                                          caplog, capsys):
    data = tmp_path_factory.mktemp("data")
    sources = data.parent / f"{data.name}-sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("s1")
    for dataset, rows in _with_forms(_good_rows(people(8, seed=42)), forms).items():
        write_csv(source.delivery.folder / f"{dataset}_{PERIOD}.csv", rows)
    caplog.clear()
    output = _ingest_and_read_everything(settings, source, caplog, capsys)
    assert not personnummer_in(output)
    assert not leaks(settings.data_dir)


# --- digits: only 0-9 (full width folded) in numeric and date cells; 1e3 is no integer ------------------------

@pytest.mark.parametrize("column, value, expected", [
    ("attended_min", "١٢٣", "andra siffror än 0–9"),  # Arabic-Indic 123
    ("attended_min", "१२३", "andra siffror än 0–9"),  # Devanagari 123
    ("attended_min", "1e3", "exponentform"),
    ("attended_min", "2E+2", "exponentform"),
    ("month", "٢٠٢٥-٠١", "andra siffror än 0–9"),
])
def test_attendance_cells_with_foreign_digits_or_an_exponent_are_row_faults(typed_source, column, value, expected):
    settings, source = typed_source
    persons = people(6, seed=43)
    write_csv(source.delivery.folder / f"participants_{PERIOD}.csv", [participant(p) for p in persons])
    rows = [attendance(p, PERIOD) for p in persons]
    rows[0][column] = value
    write_csv(source.delivery.folder / f"attendance_{PERIOD}.csv", rows)
    ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder), today=TODAY)
    held = curated.read_quarantine(settings.quarantine_dir)
    held = held[held["dataset"] == "attendance"]
    assert list(held["source_row"]) == [2] and expected in held["description"].iloc[0], held["description"].tolist()
    assert list(held["column"]) == [column]


def test_foreign_digits_in_a_date_cell_and_full_width_digits_read(typed_source):
    settings, source = typed_source
    persons = people(6, seed=44)
    rows = [participant(p) for p in persons]
    rows[0]["entry_date"] = "٢٠٢٤-١٠-٠١"
    rows[1]["entry_date"] = "2024-10-01".translate(WIDE)  # full width is the same date
    write_csv(source.delivery.folder / f"participants_{PERIOD}.csv", rows)
    (record,) = ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                              today=TODAY).files
    held = curated.read_quarantine(settings.quarantine_dir)
    assert list(held["source_row"]) == [2] and "andra siffror än 0–9" in held["description"].iloc[0]
    assert record.record.rows_accepted == 5


def test_1e3_in_a_number_column_is_still_a_number(typed_source):
    settings, source = typed_source
    persons = people(6, seed=45)
    write_csv(source.delivery.folder / f"participants_{PERIOD}.csv", [participant(p) for p in persons])
    rows = [{"person_id": p, "activity": "mi", "date": "2025-01-10", "hours": "2.5e0"} for p in persons]
    write_csv(source.delivery.folder / f"activities_{PERIOD}.csv", rows)
    ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder), today=TODAY)
    assert curated.read_quarantine(settings.quarantine_dir).empty


# --- a participants snapshot of a month that has not ended ------------------------------------------------------

@pytest.mark.parametrize("today, rejected", [(date(2025, 1, 15), True), (date(2025, 1, 31), True),
                                             (date(2025, 2, 1), False)])
def test_a_participants_snapshot_before_its_month_ended_is_a_file_fault(typed_source, today, rejected):
    settings, source = typed_source
    write_csv(source.delivery.folder / f"participants_{PERIOD}.csv", [participant(p) for p in people(6, seed=46)])
    (outcome,) = ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                               today=today).files
    record = outcome.record
    assert (record.status == "rejected") == rejected, record.message
    if rejected:
        assert record.rule == "month_not_over" and "inte är slut" in record.message and PERIOD in record.message
        assert record.rows_quarantined == record.rows_read == 6
        assert curated.partition_metadata(settings.curated_dir, "participants", "s1", PERIOD) is None
    assert len(Ledger(settings.ledger_dir).counted()) == 1


# --- weak keys ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, why", [(" " * 16, "blanksteg"), ("\t" * 20, "blanksteg"), ("a" * 16, "1 olika tecken"),
                                      ("abababababababab" * 2, "2 olika tecken"), ("123456789" * 3, "9 olika tecken")])
def test_weak_keys_are_refused_with_how_to_make_one(samla_env, monkeypatch, key, why):
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", key)
    with pytest.raises(SettingsError) as refused:
        pseudonym_key()
    message = str(refused.value)
    assert why in message and "secrets.token_urlsafe(32)" in message and key not in message


def test_short_key_message_says_how_to_make_one(samla_env, monkeypatch):
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", "kort")
    with pytest.raises(SettingsError, match="token_urlsafe"):
        pseudonym_key()


@pytest.mark.parametrize("key", [TEST_KEY, "abcdefghij" + "k" * 6])
def test_keys_with_ten_different_characters_or_more_are_taken(samla_env, monkeypatch, key):
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", key)
    assert pseudonym_key() == key.encode()


def test_the_demo_key_is_made_as_before_and_passes(samla_env, monkeypatch):
    monkeypatch.delenv("SAMLA_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("SAMLA_DEMO", "1")
    key = pseudonym_key()
    assert len(key) == 64 and int(key, 16) >= 0  # secrets.token_hex(32), kept in the data folder
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", key.decode())
    assert pseudonym_key() == key
