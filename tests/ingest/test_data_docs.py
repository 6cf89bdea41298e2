"""Data Docs pages are safe (escaped, no personnummer), last across processes, and work offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from deliveries import make_pnr, participant, people, write_csv
from privacy import personnummer_in

from transforms.config.sources import parse_sources
from transforms.ingest.data_docs import build_index, page_path, write_page
from transforms.ingest.file_context import FileContext
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import evaluate_file

KEY = b"data-docs-test-key-0123456789abcdef"
PERIOD = "2025-01"
PNRS = people(10, seed=31)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_OWN_HOSTS = ("google.com", "googleapis.com", "gvt1.com")  # the browser's own background calls


def _page_for(tmp_path: Path, rows) -> str:
    src = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"], "delivery": {"folder": str(tmp_path / "in")}}]},
                        tmp_path).get("s1")
    path = write_csv(tmp_path / f"participants_{PERIOD}.csv", rows)
    result = evaluate_file(path, FileContext(src, "participants", PERIOD, path.name, "c" * 64), KEY, None)
    page = write_page(tmp_path / "docs", result.validation, "s1", "participants", PERIOD, "c" * 64, path.name,
                      result.quarantine)
    return page.read_text(encoding="utf-8")


def test_cell_values_are_escaped_and_personnummer_masked(tmp_path):
    rows = [participant(p) for p in PNRS]
    rows[1]["programme"] = "<script>alert(1)</script>"
    rows[2]["gender"] = "<img src=x onerror=alert(2)>"
    rows[3]["track"] = make_pnr(date(2006, 5, 17), 42)  # typed into a code column
    text = _page_for(tmp_path, rows)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, "the value is shown, as text"
    assert "<script" not in text.lower() and "<img src=x onerror" not in text
    assert not personnummer_in(text)
    assert not re.search(r"src=\"https?://", text) and "url(http" not in text and "<link" not in text


def _source_task(source: str, env: dict) -> subprocess.Popen:
    """One source's ingestion as its scheduler task runs it, in a process of its own."""
    child = f"from samla_airflow.ingestion import ingest_one_source; ingest_one_source({source!r}, None)"
    return subprocess.Popen([sys.executable, "-c", child], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_pages_of_two_processes_all_last(tmp_path):
    """Two source tasks at once in two processes (as the scheduler runs them): every ledger link still
    resolves and both are in the index. (Two `samla run` on one data folder refuse each other.)"""
    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f'  - id: "{k}"\n    municipalities: ["{k}"]\n    delivery: {{folder: raw/landing/{k}}}\n'
        for k in ("1489", "1402")))
    for k, seed in (("1489", 1), ("1402", 2)):
        rows = [participant(p) for p in people(8, seed=seed)]
        rows[0]["programme"] = "IMX"
        write_csv(data / "raw" / "landing" / k / f"participants_{PERIOD}.csv", rows)
    env = dict(os.environ) | {"SAMLA_DATA_DIR": str(data), "SAMLA_SOURCES": str(sources),
                              "SAMLA_PSEUDONYM_KEY": KEY.decode()}
    procs = [_source_task(k, env | {"AIRFLOW_HOME": str(tmp_path / f"airflow-{k}")}) for k in ("1489", "1402")]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    records = Ledger(data / "ledger").counted()
    assert set(records["source"]) == {"1489", "1402"}
    for link in records["data_docs"]:
        assert link and (data / link).is_file(), f"{link} is gone"
    index = (data / "data_docs" / "index.html").read_text(encoding="utf-8")
    for link in records["data_docs"]:
        assert Path(link).relative_to("data_docs").as_posix() in index, f"{link} not in the index"


def _chromium_requests(target: Path, tmp_path: Path) -> tuple[list[str], str]:
    """Load ``target`` in headless Chromium with name resolution off; (URLs requested, rendered DOM)."""
    net_log = tmp_path / f"net-{target.stem}.json"
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / ('profile-' + target.stem)}",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={net_log}", "--dump-dom", target.as_uri()],
        capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    urls = re.findall(r'"url":"([^"]+)"', net_log.read_text(encoding="utf-8", errors="replace"))
    return [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))
            and not any(h in u.split("/")[2] for h in CHROMIUM_OWN_HOSTS)], out.stdout


@pytest.mark.browser
def test_page_and_index_load_offline_in_chromium(tmp_path):
    if not shutil.which(CHROMIUM):
        warnings.warn("SKIPPED LOUDLY: Chromium is missing; install it with `apt-get install -y chromium`",
                      stacklevel=1)
        pytest.skip("Chromium missing at /usr/bin/chromium: apt-get install -y chromium")
    rows = [participant(p) for p in PNRS]
    rows[1]["programme"] = "IMX"
    _page_for(tmp_path, rows)
    index = build_index(tmp_path / "docs")
    (page,) = (tmp_path / "docs" / "validations").rglob("*.html")
    for target, expected in ((page, "IMX"), (index, "participants")):
        requests, dom = _chromium_requests(target, tmp_path)
        assert requests == [], f"{target.name} asked the network for {json.dumps(requests)[:500]}"
        assert expected in dom, f"{target.name} did not render"
    assert "<style>" in page.read_text(encoding="utf-8"), "the page carries its own style"


def test_a_page_shows_its_run_time_in_swedish_time(tmp_path):
    page = _page_for(tmp_path, [participant(p) for p in PNRS])
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(svensk tid\)", page)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", page), "a UTC stamp on the page"


def test_the_index_shows_when_each_page_was_validated_in_swedish_time(tmp_path):
    site = tmp_path / "docs"
    for when in (datetime(2026, 12, 7, 12, 15, 54, 258005, tzinfo=UTC), datetime(2026, 7, 1, 10, 0, tzinfo=UTC)):
        path = page_path(site, "s1", "participants", PERIOD, "c" * 64, when)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html></html>", encoding="utf-8")
    index = build_index(site).read_text(encoding="utf-8")
    assert "<td>2026-12-07 13:15:54</td>" in index and "<td>2026-07-01 12:00:00</td>" in index
    assert "validerad / validated (svensk tid / Swedish time)" in index
    assert "12:15" not in index and "10:00" not in index and "UTC" not in index


def test_pages_show_no_pandas_query_for_the_unexpected_rows(tmp_path):
    """GX's unexpected_index_query (df.filter(items=[frame positions])) is not asked for: it meant nothing
    to a steward and cost a whole-frame filter per expectation."""
    rows = [participant(p) for p in PNRS]
    rows[1]["programme"] = "IMX"
    text = _page_for(tmp_path, rows)
    assert "IMX" in text, "the unexpected value and its row are still shown"
    assert "df.filter" not in text and "To retrieve all unexpected values" not in text


def _survey_page(tmp_path: Path, rows) -> str:
    src = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"], "delivery": {"folder": str(tmp_path / "in")}}]},
                        tmp_path).get("s1")
    path = write_csv(tmp_path / f"survey_{PERIOD}.csv", rows)
    result = evaluate_file(path, FileContext(src, "survey", PERIOD, path.name, "d" * 64), KEY, None, membership=False)
    page = write_page(tmp_path / "docs", result.validation, "s1", "survey", PERIOD, "d" * 64, path.name,
                      result.quarantine)
    return page.read_text(encoding="utf-8")


BIRTH = date(1990, 1, 1)
PLANTED = {  # every form a personnummer is typed or written in, by a person or a program
    "twelve digits": make_pnr(BIRTH, 123),
    "ten digits": make_pnr(BIRTH, 124, twelve=False),
    "ten with -": make_pnr(BIRTH, 125, twelve=False, sep="-"),
    "twelve with -": make_pnr(BIRTH, 126, sep="-"),
    "ten with + (100 or over)": make_pnr(date(1920, 3, 4), 127, twelve=False, sep="+"),
    "as a float": make_pnr(BIRTH, 128, twelve=False) + ".0",
    "twelve as a float": make_pnr(BIRTH, 129) + ".0",
    "inside text": f"ring {make_pnr(BIRTH, 130, twelve=False, sep='-')} i morgon",
    "samordningsnummer": make_pnr(BIRTH, 131, coordination=True),
}


def test_no_personnummer_form_in_any_column_reaches_the_page(tmp_path):
    """Planted in a number (motivation), a date (answered_on), a code (kommunkod) and a free text (wave)."""
    rows = [{"person_id": p, "wave": "T1", "answered_on": f"{PERIOD}-15", "motivation": "3", "kommunkod": "1489"}
            for p in PNRS]
    for row, planted in zip(rows, PLANTED.values(), strict=False):
        row.update({"wave": planted, "answered_on": planted, "motivation": planted, "kommunkod": planted})
    text = _survey_page(tmp_path, rows)
    assert not personnummer_in(text), personnummer_in(text)
    assert "&lt;personnummer hidden&gt;" in text, "the masked values are still shown"
    assert "<personnummer hidden>" not in text, "the mask is text, not markup"


def test_a_value_that_did_not_convert_is_shown_as_delivered_not_as_null(tmp_path):
    rows = [participant(p) for p in PNRS]
    rows[2]["entry_date"] = "2024-13-04"
    rows[4]["entry_date"] = make_pnr(BIRTH, 140, twelve=False, sep="-")
    rows[5]["entry_date"] = ""  # missing: GX's null is right
    text = _page_for(tmp_path, rows)
    assert "2024-13-04 (levererat värde; Felaktigt datum)" in text
    assert "&lt;personnummer hidden&gt; (levererat värde; Felaktigt datum)" in text
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    section = plain[plain.index("entry_date Status Expectation"):]
    section = section[:section.index("% not null")]
    assert re.search(r"\bnull 1 7\b", section), f"the empty cell (row 7) stays null: {section}"
    assert not personnummer_in(text)


def test_a_page_names_its_file_and_carries_nothing_from_the_network(tmp_path):
    page = _page_for(tmp_path, [participant(p) for p in PNRS])
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<header class="samla-title" lang="sv"><h1>Valideringsrapport (teknisk): participants_2025-01.csv</h1>' in page
    assert "Källa s1 · deltagare · period 2025-01" in page and 'href="../../../../index.html"' in page
    assert page.count("<title>") == 1 and "Great Expectations</title>" not in page
    assert "Subscribe" not in page and "newsletter" not in page and "<footer" not in page
    assert not re.search(r"https?://", page), re.findall(r"https?://[^\"' )]*", page)


def test_the_index_lists_pages_by_file_name_newest_first(tmp_path):
    src = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"], "delivery": {"folder": str(tmp_path / "in")}}]},
                        tmp_path).get("s1")
    site = tmp_path / "docs"
    names = {"2024-12": "deltagare dec.csv", "2025-01": "<b>deltagare</b> & jan.csv",
             "2025-02": f"elev {make_pnr(BIRTH, 150, twelve=False, sep='-')}.csv"}
    for period, name in names.items():
        path = write_csv(tmp_path / name.replace("/", "_"), [participant(p) for p in PNRS])
        result = evaluate_file(path, FileContext(src, "participants", period, name, "e" * 64), KEY, None)
        write_page(site, result.validation, "s1", "participants", period, "e" * 64, name, result.quarantine)
    index = build_index(site).read_text(encoding="utf-8")
    assert "&lt;b&gt;deltagare&lt;/b&gt; &amp; jan.csv" in index and "<b>" not in index
    assert "deltagare dec.csv" in index and "eeeeeeeeeeee" not in index.split("</tr>", 1)[1].replace("eeeeeeeeeeee-", "")
    assert not personnummer_in(index) and "elev &lt;personnummer hidden&gt;.csv" in index
    assert [m for m in re.findall(r"<td>(20\d\d-\d\d)</td>", index)] == ["2025-02", "2025-01", "2024-12"]
    for link in re.findall(r'<a href="([^"]+)"', index):
        assert (site / link).is_file(), link
    assert "<td>deltagare</td>" in index, "the dataset by its Swedish name"
