"""The steward's pages: a planted fault in the file's own words, what is accepted, every value masked and
escaped, English on request; the source's page newest first with the delivery that counts; an ingest writes
both pages."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from deliveries import attendance, write_csv
from steward_files import (
    KEY,
    PERIOD,
    PNR_FORMS,
    PNRS,
    RAW,
    checked,
    ledger_row,
    own_headers,
    participants_rows,
    source,
)

from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.file_context import FileContext
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source
from transforms.ingest.steward_pages import accepted_for, render_file_page, render_source_page


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags, entities as written."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1]))


@pytest.fixture
def planted(tmp_path):
    rows = participants_rows()
    rows[2]["Startdatum"] = "2024-13-04"  # row 4 of the file (header is row 1)
    rows[5]["Kön"] = "W"  # row 7
    return checked(tmp_path, rows)


def test_a_planted_fault_in_swedish_with_the_files_header_row_value_and_accepted_codes(planted, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    ctx, result = planted
    assert result.status == "loaded_with_quarantine"
    page = render_file_page(ctx, result, arrived_at="2025-02-03T09:15:00+00:00", data_docs_href="../dd.html")
    text = text_of(page)
    assert "participants_2025-01.csv" in text and "s1 Alingsås" in text and "deltagare" in text
    assert "2025-02-03 10:15:00" in text  # arrival in Swedish time
    assert "Inläst, vissa rader i karantän" in text and "Rader som ingår i de publicerade siffrorna: 18" in text
    # each rule once, headed by its Swedish title and the file's own header
    assert text.count("Felaktigt datum: Startdatum") == 1 and text.count("Okänd kod: Kön") == 1
    assert re.search(r"<tr id=\"row-4\"><td class=\"num\">4</td><td>2024-13-04</td>", page)
    assert re.search(r"<tr id=\"row-7\"><td class=\"num\">7</td><td>W</td>", page)
    assert "Godtas: en av koderna K (kvinna), M (man), X (icke-binär)" in text
    assert "Godtas: ett datum skrivet ÅÅÅÅ-MM-DD" in text
    assert 'href="../dd.html"' in page and "Teknisk rapport" in text
    assert "entry_date" not in text and "gender" not in text


def test_the_page_in_english(planted):
    ctx, result = planted
    text = text_of(render_file_page(ctx, result, lang="en"))
    assert "Loaded, some rows quarantined" in text and "Unknown code: Kön" in text and "Invalid date: Startdatum" in text
    assert "Accepted: one of the codes K (female), M (male), X (non-binary)" in text
    assert "Value as delivered" in text and "participants" in text


def test_a_pre_delivery_check_says_what_would_happen(planted):
    ctx, result = planted
    text = text_of(render_file_page(ctx, result, check=True))
    assert "Skulle läsas in, vissa rader i karantän" in text and "ingenting har sparats" in text
    assert "Ankom" not in text and "Teknisk rapport" not in text


def test_every_personnummer_form_is_masked_in_every_column(tmp_path):
    rows = participants_rows()
    for row, form in zip(rows, PNR_FORMS, strict=False):
        row["Kön"] = form  # a code column
    rows[7]["Startdatum"] = "19900101-1239"  # a date column
    rows[8]["Nyanländ"] = "9001011239"  # a yes/no column
    ctx, result = checked(tmp_path, rows)
    activities = [own_headers({"person_id": p, "activity": "mi", "date": "2025-01-10", "hours": "2"}) for p in PNRS]
    activities[0]["Timmar"] = "9001011239"  # a numeric column: the value comes back as a number
    activities[1]["Timmar"] = "9001011239.0"
    activities[2]["Aktivitet"] = "900101-1239"
    a_ctx, a_result = checked(tmp_path, activities, "activities")
    # and in the file's name and its own headers
    named = FileContext(ctx.source, "participants", PERIOD, "deltagare 900101-1239.csv", "e" * 64)
    assert {"hours_out_of_range", "unknown_code"} <= set(a_result.quarantine["rule"])
    for page in (render_file_page(ctx, result), render_file_page(a_ctx, a_result), render_file_page(named, result),
                 render_file_page(ctx, result, lang="en")):
        assert "&lt;personnummer hidden&gt;" in page
        for form in PNR_FORMS:
            assert form not in page
        assert "1239" not in page


def test_a_hostile_file_name_and_value_are_escaped(tmp_path):
    rows = participants_rows()
    rows[1]["Kön"] = "<script>alert(1)</script>"
    rows[2]["Program"] = '"><img src=x onerror=alert(2)>'
    ctx, result = checked(tmp_path, rows)
    hostile = FileContext(ctx.source, "participants", PERIOD, "<img src=x onerror=alert(3)>\u202e.csv", "e" * 64)
    page = render_file_page(hostile, result, data_docs_href='x" onload="alert(4)')
    assert "<script" not in page and "<img" not in page and 'onload="' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(3)&gt;\\u202e.csv" in page


def test_the_page_loads_nothing_from_anywhere_and_fits_a_phone_and_a_printer(planted):
    ctx, result = planted
    page = render_file_page(ctx, result, data_docs_href="dd.html")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media print" in page and "@media (max-width" in page
    assert not re.search(r"<script|<link|<img|@import|url\(|https?://", page)


def test_accepted_for_gives_ranges_dates_and_the_sources_labels(tmp_path):
    s = source(tmp_path)
    assert accepted_for(s, "participants", "gender") == "en av koderna K (kvinna), M (man), X (icke-binär)"
    assert accepted_for(s, "participants", "entry_date", rule="entry_date_out_of_range", period=PERIOD) == \
        "ett datum skrivet ÅÅÅÅ-MM-DD, från 2024-09-01 till och med 2025-01-31"
    assert accepted_for(s, "activities", "hours", rule="hours_out_of_range", period=PERIOD, lang="en") == \
        "a number, more than 0 and at most 12"
    assert accepted_for(s, "attendance", "kommunkod", lang="en") == "one of the source's municipality codes: 1489"
    assert accepted_for(s, "participants", "programme") == "en av koderna IMA (individuellt alternativ), IMS (språkintroduktion), IMV (programinriktat val), IMY (yrkesintroduktion)"
    assert accepted_for(s, "participants", "newly_arrived") == "ja eller nej: 1/0, ja/nej, j/n"
    assert accepted_for(s, "attendance", "attended_min,absence_valid_min,absence_invalid_min") == ""


def test_the_source_page_lists_newest_first_and_marks_the_delivery_that_counts(tmp_path):
    records = pd.DataFrame([
        ledger_row("participants_2025-01.csv", "participants", "2025-01", "2025-02-01T08:00:00+00:00", "loaded", "a"),
        ledger_row("participants_2025-01 (2).csv", "participants", "2025-01", "2025-02-03T08:00:00+00:00", "rejected", "b"),
        ledger_row("attendance_2025-01.csv", "attendance", "2025-01", "2025-02-02T08:00:00+00:00", "loaded", "c"),
        ledger_row("attendance_2025-01 ny.csv", "attendance", "2025-01", "2025-02-04T08:00:00+00:00", "loaded", "d"),
        ledger_row("survey_2025-01.csv", "survey", "2025-01", "2025-02-05T08:00:00+00:00", "rejected", "e"),
        ledger_row("deltagare.csv", "_unmatched", "", "2025-02-06T08:00:00+00:00", "rejected", "f"),
    ])
    page = render_source_page(source(tmp_path), records, {"a" * 64: "2025-01/participants-aaaaaaaaaaaa.html"})
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td>.*?<td[^>]*>([^<]*)</td></tr>", page)
    names = [re.sub(r"<[^>]+>", "", name) for name, _ in rows]
    assert names == ["deltagare.csv", "survey_2025-01.csv", "attendance_2025-01 ny.csv",
                     "participants_2025-01 (2).csv", "attendance_2025-01.csv", "participants_2025-01.csv"]
    counts = dict(zip(names, (c for _, c in rows), strict=True))
    assert counts["participants_2025-01.csv"] == "Ja: den här leveransen gäller"
    assert counts["participants_2025-01 (2).csv"] == "Nej: avvisad, den tidigare leveransen gäller"
    assert counts["attendance_2025-01 ny.csv"].startswith("Ja") and counts["attendance_2025-01.csv"].startswith("Nej: ersatt")
    assert counts["survey_2025-01.csv"] == "Nej: avvisad, ingen leverans gäller för perioden"
    assert counts["deltagare.csv"] == "Nej: avvisad"
    assert '<a href="2025-01/participants-aaaaaaaaaaaa.html">participants_2025-01.csv</a>' in page
    assert "närvaro" in page and "2025-02-04 09:00:00" in page


def test_an_ingest_writes_both_pages_and_a_cascade_points_to_the_participants_row(samla_env):
    from transforms.config.settings import load_settings

    settings = load_settings()
    src = parse_sources({"sources": [RAW]}, settings.data_dir).get("s1")
    folder = src.delivery.folder
    rows = participants_rows()
    rows[3]["Kön"] = "W"  # row 5: quarantined, so the person's attendance row cascades
    write_csv(folder / f"participants_{PERIOD}.csv", rows)
    write_csv(folder / f"attendance_{PERIOD}.csv", [own_headers(attendance(p, PERIOD)) for p in PNRS])
    write_csv(folder / "deltagare-januari.csv", rows[:2])  # matches no pattern: rejected unread
    ingest_source(settings, src, KEY, landing.candidate_files(folder), today=date(2025, 3, 15))
    counted = Ledger(settings.ledger_dir).counted("s1")
    pages = dict(zip(counted["file_name"], counted["steward_page"], strict=True))
    assert all(pages.values()) and all((settings.data_dir / p).is_file() for p in pages.values())
    participants_page = pages[f"participants_{PERIOD}.csv"]
    assert participants_page.startswith(f"steward_pages/s1/{PERIOD}/participants-")
    cascaded = (settings.data_dir / pages[f"attendance_{PERIOD}.csv"]).read_text(encoding="utf-8")
    assert "Inte bland deltagarna" in cascaded and f"participants_{PERIOD}.csv" in cascaded
    assert f'href="participants-{participants_page.rsplit("-", 1)[1]}#row-5"' in cascaded
    assert "rad 5" in text_of(cascaded)
    data_docs = counted.set_index("file_name").at[f"attendance_{PERIOD}.csv", "data_docs"]
    assert f'href="../../../{data_docs}"' in cascaded
    index = (settings.data_dir / "steward_pages" / "s1" / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in pages) and 'href="_/_unmatched-' in index
    assert f'href="{PERIOD}/attendance-' in index


def test_a_page_that_cannot_be_written_stores_the_data_and_records_no_page(samla_env, monkeypatch, caplog):
    from transforms.config.settings import load_settings
    from transforms.ingest import pipeline

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    settings = load_settings()
    src = parse_sources({"sources": [RAW]}, settings.data_dir).get("s1")
    write_csv(src.delivery.folder / f"participants_{PERIOD}.csv", participants_rows())
    monkeypatch.setattr(pipeline, "write_file_page", full_disk)
    ingest_source(settings, src, KEY, landing.candidate_files(src.delivery.folder), today=date(2025, 3, 15))
    record = Ledger(settings.ledger_dir).counted("s1").iloc[0]
    assert record["status"] == "loaded" and record["rows_accepted"] == len(participants_rows())
    assert record["steward_page"] == "" and record["data_docs"]
    assert "steward page not written for participants" in caplog.text
