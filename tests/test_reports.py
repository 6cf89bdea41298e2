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
from pathlib import Path

import pytest
from conftest import TEST_KEY

from transforms.config.settings import load_settings
from transforms.config.sources import load_sources
from transforms.ingest import landing
from transforms.ingest.pipeline import ingest_source
from transforms.publish import pipeline as publication
from transforms.publish import warehouse

README = Path(__file__).resolve().parents[1] / "README.md"
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
    assert all(0 <= r[1] <= 1 for r in attendance if r[1] is not None)
    assert problems and {r[cols3.index("state")] for r in problems} <= {"missing", "rejected"}
    # the demo plants a rejected file: the completeness query names it
    assert "rejected" in {r[cols3.index("state")] for r in problems}


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


def test_html_report_renders_offline_with_every_chart(demo, tmp_path):
    browser = _chromium()
    settings, paths = demo
    report = Path(paths["html_report"])
    assert report == settings.published_dir / "report" / "index.html"
    page = report.read_text(encoding="utf-8")
    # self-contained: nothing to fetch
    assert not re.search(r"""(src|href)\s*=|url\(|<script|<link|@import""", page, re.I)

    shot = tmp_path / "report.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
              "--host-resolver-rules=MAP * ~NOTFOUND",  # any request that tried the network would fail
              "--enable-logging=stderr", "--v=0", "--window-size=1280,1000"]
    run = subprocess.run([*common, f"--screenshot={shot}", report.as_uri()], capture_output=True, text=True,
                         timeout=180)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180)
    for log in (run.stderr, dom.stderr):
        assert not re.search(r"Failed to load resource|net::ERR_|Refused to", log), log[-2000:]

    areas = warehouse.read_table(settings.warehouse_url, "areas")
    top = [c.lower() for level, c in zip(areas.area_level, areas.area_code, strict=True)
           if level in ("region", "federation")]
    for code in top:
        for kind in ("participants", "attendance", "survey", "completion"):
            assert re.search(rf'<svg[^>]+id="{code}-{kind}"', dom.stdout), f"chart {code}-{kind} missing"
    assert dom.stdout.count("<polyline") >= len(top) * 4
    # the data status is on the first screen and does not call the demo complete
    status_at = dom.stdout.index('id="status-line"')
    assert status_at < dom.stdout.index("<svg")
    assert "INTE komplett" in dom.stdout and "avvisad" in dom.stdout


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
    assert "NOT complete: 1 rejected and 0 missing" in page and "women" in page and 'lang="en"' in page
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
