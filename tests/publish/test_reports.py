"""What reporting staff get from a demo publish: the README's example queries, and the
HTML indicator report rendered in headless Chromium (no network, every chart present).

The demo warehouse is built once per module from the demo's sample deliveries (two
periods, with its planted faults), ingested and published without Airflow.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import TEST_KEY
from screenshots import keep_for_docs

from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source
from transforms.publish import pipeline as publication
from transforms.publish import warehouse

README = Path(__file__).resolve().parents[2] / "README.md"
CHROMIUM = "/usr/bin/chromium"
PERIODS = ["2024-09", "2024-10"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from transforms.demo import generate as sample_data

    data = tmp_path_factory.mktemp("demo") / "data"
    data.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAMLA_DATA_DIR", str(data))
        mp.setenv("SAMLA_PSEUDONYM_KEY", TEST_KEY)
        settings = load_settings()
        config = load_sources(settings.sources_file, settings.data_dir)
        sample_data.generate(config, data, PERIODS)
        for source in config.sources.values():
            ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder))
        summary = publication.publish(settings, config)
        paths = publication.export_files(settings)
    assert summary["published"] and summary["periods"] == PERIODS
    return settings, paths


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## For reporting staff", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


@pytest.mark.slow
def test_the_readme_queries_run_against_the_demo_warehouse(demo):
    settings, _ = demo
    queries = readme_queries()
    assert len(queries) == 3
    path = settings.warehouse_url.removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        results = [(q, conn.execute(q).fetchall(), [d[0] for d in conn.execute(q).description]) for q in queries]
    (_, by_gender, cols1), (_, attendance, cols2), (_, problems, cols3) = results
    assert {r[cols1.index("gender_sv")] for r in by_gender} == {"kvinnor", "män", "icke-binära", "totalt"}
    assert len({r[cols1.index("area_name")] for r in by_gender}) == 4  # the four federations
    assert [r[0] for r in attendance] == PERIODS
    shown = [r[1] for r in attendance if r[1] is not None]
    assert shown and all(0 <= p <= 100 and p == round(p, 1) for p in shown)  # per cent, one decimal
    counts = [r[cols1.index("deltagare")] for r in by_gender if r[cols1.index("deltagare")] is not None]
    assert counts and all(type(c) is int for c in counts)  # whole numbers, not 51.0
    assert problems and {r[cols3.index("state")] for r in problems} <= {"missing", "rejected"}
    # the demo plants a rejected file: the completeness query names it
    assert "rejected" in {r[cols3.index("state")] for r in problems}


@pytest.mark.slow
def test_restricted_numbers_are_not_in_the_reporting_file(demo):
    settings, _ = demo
    path = Path(settings.warehouse_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "indicator_values_restricted" not in tables and "v_indicators" in tables
    restricted = path.with_name("warehouse_restricted.db")
    assert restricted.stat().st_mode & 0o777 == 0o600
    assert len(warehouse.read_table(settings.warehouse_url, "indicator_values_restricted")) > 0


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        message = "HTML REPORT CHECK NOT RUN: /usr/bin/chromium missing — apt-get install chromium"
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    return CHROMIUM


def _browser_flags(browser: str, tmp_path: Path) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # any request that tried the network would fail
            "--enable-logging=stderr", "--v=0"]


class ValueTables(HTMLParser):
    """The report's value tables as a reader sees them: {(period, level, code, gender, indicator): text}."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple, str] = {}
        self.tables: list[tuple[str, str]] = []  # (area, group) per table
        self._area = self._indicator = self._gender = None
        self._periods: list[str] = []
        self._in_head = self._in_cell = False
        self._column = 0
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "values" in (a.get("class") or ""):
            self._area, self._periods = tuple(a["data-area"].split(":", 1)), []
            self.tables.append((a["data-area"], a["data-group"]))
        elif self._area is None:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._indicator = a["data-indicator"]
        elif tag == "tr":
            self._gender, self._column = a.get("data-gender"), 0
        elif tag in ("th", "td"):
            self._in_cell, self._text = tag, ""

    def handle_data(self, data):
        if self._in_cell:
            self._text += data

    def handle_endtag(self, tag):
        if self._area is None:
            return
        if tag == "table":
            self._area = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._in_cell:
            self._in_cell = False
            if self._in_head:
                self._periods.append(self._text.strip())
            elif tag == "td":
                key = (self._periods[2 + self._column], *self._area, self._gender, self._indicator)
                assert key not in self.cells, f"{key} shown twice"
                self.cells[key] = self._text
                self._column += 1


def as_published(text: str) -> tuple[bool, float | None]:
    """(suppressed, value) from a cell as printed in Swedish: '..', '–', '1 234', '75,9 %'."""
    if text == "..":
        return True, None
    if text == "–":
        return False, None
    plain = text.replace("\u202f", "").replace("\u00a0", "").replace(",", ".")
    assert re.fullmatch(r"\d+(\.\d)?%?", plain), f"not a Swedish number: {text!r}"
    return False, float(plain[:-1]) / 100 if plain.endswith("%") else float(plain)


@pytest.mark.browser
def test_html_report_renders_offline_with_every_area_charted_and_tabled(demo, tmp_path):
    browser = _chromium()
    settings, paths = demo
    report = Path(paths["html_report"])
    assert report == settings.published_dir / "report" / "index.html"
    page = report.read_text(encoding="utf-8")
    # self-contained: nothing to fetch; links only within the page (the table of contents)
    assert not re.search(r"""(src|href)\s*=\s*(?!["']#)|url\(|<script|<link|@import""", page, re.I)

    shot = tmp_path / "report.png"
    common = [*_browser_flags(browser, tmp_path), "--window-size=1280,1000"]
    run = subprocess.run([*common, f"--screenshot={shot}", report.as_uri()], capture_output=True, text=True,
                         timeout=180)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    keep_for_docs(shot, "report.png")
    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180)
    for log in (run.stderr, dom.stderr):
        assert not re.search(r"Failed to load resource|net::ERR_|Refused to", log), log[-2000:]

    areas = warehouse.read_table(settings.warehouse_url, "areas")
    assert len(areas) == 15  # the region, four federations, ten municipalities
    contents = dom.stdout.split('<nav class="toc">', 1)[1].split("</nav>", 1)[0]
    for code in (c.lower() for c in areas.area_code):
        for kind in ("participants", "attendance", "survey", "completion"):
            assert re.search(rf'<svg[^>]+id="{code}-{kind}"', dom.stdout), f"chart {code}-{kind} missing"
        for group in ("esf", "project"):
            assert f'id="table-{code}-{group}"' in dom.stdout, f"table {code}-{group} missing"
        assert f'href="#area-{code}"' in contents and f'id="area-{code}"' in dom.stdout
    assert dom.stdout.count("<polyline") >= len(areas) * 4
    # one rule for an area's name: code, then name; never a second pair of brackets
    assert "<h2>FOKUS Fokus IM (Västsverige, SE23)</h2>" in dom.stdout and "<h2>1480 Göteborg</h2>" in dom.stdout
    assert "(FOKUS)" not in dom.stdout and ") (" not in dom.stdout
    # the data status is on the first screen and does not call the demo complete; the signs are explained
    # once, before any chart, covering secondary suppression, with the threshold of the settings
    status_at = dom.stdout.index('id="status-line"')
    assert status_at < dom.stdout.index('id="signs"') < dom.stdout.index("<svg")
    assert "INTE komplett" in dom.stdout and "1 avvisad datamängd" in dom.stdout
    signs = dom.stdout.split('id="signs">', 1)[1].split("</p>", 1)[0]
    assert f"färre än {settings.suppression_threshold} elever" in signs and "annan dold cell" in signs
    assert "”–”" in signs and "”..”" in signs

    # every published cell of the shown periods is in the tables, as the warehouse has it
    tables = ValueTables()
    tables.feed(dom.stdout)
    values = warehouse.read_table(settings.warehouse_url, "indicator_values")
    kinds = dict(zip(*(warehouse.read_table(settings.warehouse_url, "indicators")[c] for c in ("indicator", "kind")),
                     strict=True))
    assert len(tables.cells) == len(values) == 2 * 15 * 4 * 23
    seen = {"..": 0, "–": 0, "%": 0, "count": 0}
    for r in values.itertuples(index=False):
        text = tables.cells[(r.period, r.area_level, r.area_code, r.gender, r.indicator)]
        suppressed, value = as_published(text)
        assert suppressed == bool(r.suppressed), (r, text)
        if suppressed or value is None:
            assert pd.isna(r.value), (r, text)
        elif kinds[r.indicator] == "rate":
            assert text.endswith("\u00a0%") and abs(value - r.value) <= 0.0005 + 1e-12, (r, text)
        else:
            assert value == r.value, (r, text)
        seen[".." if suppressed else "–" if value is None else "%" if text.endswith("%") else "count"] += 1
    assert all(seen.values()), seen  # each kind of cell occurs in the demo


@pytest.mark.browser
def test_html_report_prints_on_a4_an_area_a_page(demo, tmp_path):
    browser = _chromium()
    _, paths = demo
    report = Path(paths["html_report"])
    pdf = tmp_path / "report.pdf"
    run = subprocess.run([*_browser_flags(browser, tmp_path), "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                          report.as_uri()], capture_output=True, text=True, timeout=300)
    assert pdf.exists(), run.stderr[-2000:]
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    assert (round(width), round(height)) == (595, 842), "A4 portrait"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    first_lines = [next((line.strip() for line in p.splitlines() if line.strip()), "") for p in text.split("\f")]
    areas = warehouse.areas_frame()
    headings = {f"{c} {n}" for c, n in zip(areas.area_code, areas.name, strict=True)}
    # each area starts a page of its own, headed by its name
    assert headings <= set(first_lines), headings - set(first_lines)
    assert all(first_lines.count(h) == 1 for h in headings)


@pytest.mark.browser
def test_screenshot_of_a_municipality_table(demo, tmp_path):
    """The README's picture of the report's table: Göteborg's ESF+ table as the report draws it.
    ``SAMLA_DOCS_SCREENSHOTS=1`` copies it to docs/report-table.png."""
    browser = _chromium()
    _, paths = demo
    page = Path(paths["html_report"]).read_text(encoding="utf-8")
    head = page.split("<body>", 1)[0]
    heading = re.search(r'<h2>1480 [^<]*</h2>', page).group(0)
    signs = re.search(r'<p class="note" id="signs">.*?</p>', page, re.S).group(0)
    table = re.search(r'<table class="values" id="table-1480-esf".*?</table>', page, re.S).group(0)
    excerpt = tmp_path / "table.html"
    excerpt.write_text(f"{head}<body><main>{signs}{heading}<div class='tables'>{table}</div></main></body></html>",
                       encoding="utf-8")
    shot = tmp_path / "report-table.png"
    run = subprocess.run([*_browser_flags(browser, tmp_path), "--window-size=760,1240", "--hide-scrollbars", f"--screenshot={shot}",
                          excerpt.as_uri()], capture_output=True, text=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    keep_for_docs(shot, "report-table.png")
    assert "docs/report-table.png" in README.read_text(encoding="utf-8")


@pytest.mark.slow
def test_fund_report_of_the_demo_has_the_main_charts(demo):
    from openpyxl import load_workbook

    _, paths = demo
    wb = load_workbook(paths["fund_report"])
    charts = wb["Diagram"]._charts
    titles = [c.title.tx.rich.p[0].r[0].t for c in charts]
    assert len(charts) == 5 * 4
    assert any("Närvarograd" in t for t in titles) and any("fullföljer" in t for t in titles)


# --------------------------------------------------------------------------- the report's parts, without a browser


def test_a_suppressed_point_is_a_gap_marked_dots():
    from transforms.publish.html_report import SUPPRESSED, Series, line_chart

    svg = line_chart("x-participants", "T", ["2024-09", "2024-10", "2024-11", "2024-12"],
                     [Series("kvinnor", "#c00", [10.0, SUPPRESSED, 14.0, 15.0])], rate=False)
    assert svg.count("<polyline") == 2  # 2024-09 alone, then 2024-11..12: no line through the hidden point
    assert svg.count(f">{SUPPRESSED}</text>") == 1 and "kvinnor 2024-10" in svg
    assert svg.count("<circle") == 3


def test_the_report_speaks_english_when_asked(monkeypatch):
    import pandas as pd

    from transforms.publish.html_report import render

    status = pd.DataFrame([("2024-09", "1480", "attendance", "rejected", "attendance_2024-09.csv", "t")],
                          columns=["period", "source", "dataset", "state", "file_name", "arrived_at"])
    frames = {"indicator_values": pd.DataFrame(columns=["period", "area_level", "area_code", "gender", "indicator",
                                                        "numerator", "denominator", "value", "suppressed"]),
              "dataset_status": status, "areas": warehouse.areas_frame(), "indicators": warehouse.indicators_dimension(),
              "periods": ["2024-09"], "generated_at": "2026-12-07T12:15:54.258005+00:00", "threshold": 5}
    page = render(**frames)
    assert "INTE komplett" in page and "kvinnor" in page
    assert "Skapad 2026-12-07 13:15:54 (svensk tid)." in page and "12:15:54" not in page  # the stored UTC stamp
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    page = render(**frames)
    assert "NOT complete: 1 rejected dataset and 0 missing datasets" in page and "women" in page and 'lang="en"' in page
    assert "Generated 2026-12-07 13:15:54 (Swedish time)." in page and "+00:00" not in page
    first_screen = render(**dict(frames, dataset_status=status.head(0))).split("<svg")[0]
    assert "Complete: every dataset" in first_screen and "NOT complete" not in first_screen


def test_the_report_title_names_the_project_of_the_project_file(monkeypatch, tmp_path):
    import pandas as pd

    from transforms.config.settings import DEFAULT_PROJECT
    from transforms.publish.html_report import render

    frames = {"indicator_values": pd.DataFrame(columns=["period", "area_level", "area_code", "gender", "indicator",
                                                        "numerator", "denominator", "value", "suppressed"]),
              "dataset_status": None, "areas": warehouse.areas_frame(), "indicators": warehouse.indicators_dimension(),
              "periods": ["2024-09"], "generated_at": "now", "threshold": 5}
    frames["dataset_status"] = pd.DataFrame(columns=["period", "source", "dataset", "state", "file_name", "arrived_at"])
    assert "<h1>Fokus IM – indikatorer</h1>" in render(**frames)
    other = tmp_path / "project.yaml"
    other.write_text(Path(DEFAULT_PROJECT).read_text(encoding="utf-8").replace("name: Fokus IM", "name: Nya Vägar <&>"),
                     encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(other))
    page = render(**frames)
    assert "<h1>Nya Vägar &lt;&amp;&gt; – indikatorer</h1>" in page and "Fokus IM" not in page.split("</header>")[0]


def test_chart_axis_numbers_are_written_in_the_report_language():
    from transforms.publish.html_report import Series, line_chart

    series = [Series("kvinnor", "#c00", [1000.0, 2000.0])]
    assert ">2\u202f000</text>" in line_chart("x-p", "T", ["2024-09", "2024-10"], series, rate=False)
    assert ">2,000</text>" in line_chart("x-p", "T", ["2024-09", "2024-10"], series, rate=False, lang="en")
    rates = [Series("närvaro", "#c00", [0.5, 1.0])]
    assert "\u00a0%</text>" in line_chart("x-a", "T", ["2024-09", "2024-10"], rates, rate=True)


def test_cells_are_written_as_the_report_language_writes_numbers():
    from transforms.publish.html_report import NO_VALUE, SUPPRESSED, cell_text

    assert cell_text(0.759, "rate", "sv") == "75,9\u00a0%" and cell_text(0.759, "rate", "en") == "75.9%"
    assert cell_text(1234.0, "count", "sv") == "1\u202f234" and cell_text(1234.0, "count", "en") == "1,234"
    assert cell_text(SUPPRESSED, "count", "sv") == ".." and cell_text(None, "rate", "sv") == NO_VALUE == "–"


def test_areas_are_named_by_one_rule_and_counts_take_their_plural_form():
    import pandas as pd

    from transforms.publish.report_text import area_label, problem_counts

    assert area_label("FOKUS", "Fokus IM (Västsverige, SE23)") == "FOKUS Fokus IM (Västsverige, SE23)"
    assert area_label("1480", "Göteborg") == "1480 Göteborg" and area_label("X1", "") == "X1"

    def counts(states, lang="sv"):
        return problem_counts(pd.DataFrame({"state": states}), lang)

    assert counts(["rejected"]) == "1 avvisad datamängd och 0 saknade datamängder"
    assert counts(["rejected", "rejected", "missing"]) == "2 avvisade datamängder och 1 saknad datamängd"
    assert counts(["rejected", "missing", "missing"], "en") == "1 rejected dataset and 2 missing datasets"


def test_a_long_project_gets_a_further_table_for_every_twelve_periods():
    from transforms.period import Period
    from transforms.publish.html_report import TABLE_PERIODS, value_tables

    periods = [str(p) for p in Period.range("2024-09", "2025-10")]
    assert len(periods) == 14 and TABLE_PERIODS == 12
    index = {(p, "municipality", "1480", g, "EECO01"): (float(i), False) for i, p in enumerate(periods)
             for g in ("all", "female", "male", "nonbinary")}
    markup = value_tables(index, periods, ("municipality", "1480"), "esf", [("EECO01", "Deltagare", "count")], 0)
    tables = ValueTables()
    tables.feed(markup)
    assert tables.tables == [("municipality:1480", "esf")] * 2
    assert 'id="table-1480-esf"' in markup and 'id="table-1480-esf-2"' in markup
    assert {k[0] for k in tables.cells} == set(periods) and len(tables.cells) == 14 * 4
    assert tables.cells[("2025-10", "municipality", "1480", "male", "EECO01")] == "13"
