"""Published layer: the fund report workbook (fund_report.write_fund_report)."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from xlsxwriter import Workbook

from transforms.config.schema import GENDERS
from transforms.publish import fund_report
from transforms.publish.fund_report import write_fund_report
from transforms.publish.warehouse import areas_frame, indicators_dimension

PERIODS = ["2025-01", "2025-02", "2025-03"]

GENDER_LABELS = ("Totalt", "Kvinnor", "Män", "Icke-binära")
LEVEL = {"Region": "region", "Delregion": "federation", "Kommun": "municipality"}
EVIL_SOURCE = '=HYPERLINK("http://x")'
EVIL_AREA = "+SUM(A1:A9)"


def published(periods: list[str], seed: int = 0) -> pd.DataFrame:
    """A synthetic PUBLISHED table: suppressed cells without numbers, zero-denominator rates."""
    rng = random.Random(seed)
    kinds = dict(zip(indicators_dimension().indicator, indicators_dimension().kind, strict=True))
    rows = []
    for p in periods:
        for level, code in zip(areas_frame().area_level, areas_frame().area_code, strict=True):
            for g in GENDERS:
                for ind, kind in kinds.items():
                    key = (p, level, code, g, ind)
                    n = rng.choice([0, 2, 6, 11, 25, rng.randint(0, 400)])
                    if 1 <= n < 5:
                        rows.append((*key, None, None, None, True))
                    elif kind == "rate":
                        d = n + rng.choice([0, 7, 20])
                        rows.append((*key, n, d, n / d if d else None, False))
                    else:
                        rows.append((*key, n, None, float(n), False))
    frame = pd.DataFrame(rows, columns=["period", "area_level", "area_code", "gender", "indicator",
                                        "numerator", "denominator", "value", "suppressed"])
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "value": "Float64"})


def status(periods: list[str]) -> pd.DataFrame:
    rows = []
    for p in periods:
        rows.append((p, "1480", False, p))
        rows.append((p, "kfv", p >= "2025-02", "2025-01"))
        rows.append((p, EVIL_SOURCE, True, None))
    return pd.DataFrame(rows, columns=["period", "source", "stale", "snapshot_period"])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    areas = areas_frame()
    areas.loc[areas.area_code == "1442", "name"] = EVIL_AREA  # a name as a delivery might spell it
    iv = published(PERIODS)
    path = tmp_path_factory.mktemp("report") / "out" / "fokus_im_esf.xlsx"
    result = write_fund_report(
        path, indicator_values=iv, source_status=status(PERIODS), areas=areas,
        indicators=indicators_dimension(), periods=PERIODS, generated_at=datetime(2025, 4, 2, 6, tzinfo=UTC),
    )
    assert result == path
    return path, iv


def table_rows(ws, first_label: str) -> tuple[list[str], list[tuple]]:
    """Header and data rows of the table whose header row starts with ``first_label``."""
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r[0] == first_label)
    return list(rows[h]), [r for r in rows[h + 1:] if r[0] is not None]


def expected(rec: pd.Series | None, field: str = "value"):
    """What the workbook must show for ``rec``. Counts exactly; a rate to 16 significant
    digits, as openpyxl writes floats ("%.16g"; Excel itself keeps 15)."""
    if rec is None:
        return None
    if rec.suppressed:
        return ".."
    v = rec[field]
    if pd.isna(v):
        return "." if field == "value" else None
    if float(v).is_integer():
        return v
    return pytest.approx(float(v), rel=1e-15, abs=0)


def test_workbook_opens_with_its_sheets(report):
    path, _ = report
    wb = load_workbook(path)
    assert wb.sheetnames == ["ESF+ indikatorer", "Dataläge", "Tidsserie", "Projektindikatorer", "Definitioner",
                             "Diagram"]
    assert len(wb["Diagram"]._charts) == 5 * 4
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None, ws.title
        assert ws.column_dimensions["A"].width > 5
    assert not list(path.parent.glob("*.tmp"))


def test_esf_sheet_equals_the_published_latest_period(report):
    path, iv = report
    ws = load_workbook(path)["ESF+ indikatorer"]
    header, rows = table_rows(ws, "Nivå")
    assert header == ["Nivå", "Kod", "Område", "Indikator", "Benämning", *GENDER_LABELS]
    esf = sorted(c for c in indicators_dimension().indicator if c.startswith(("EECO", "EECR")))
    assert len(rows) == 15 * len(esf)
    assert rows[0][:3] == ("Region", "FOKUS", "Fokus IM (Västsverige, SE23)")
    idx = iv.set_index(["period", "area_level", "area_code", "gender", "indicator"]).sort_index()
    dots = 0
    for r in rows:
        for g, cell in zip(GENDERS, r[5:9], strict=True):
            rec = idx.loc[("2025-03", LEVEL[r[0]], r[1], g, r[3])]
            assert cell == expected(rec), (r[:4], g)
            dots += cell == ".."
    assert dots > 0


def test_series_and_project_sheets_equal_the_table(report):
    path, iv = report
    wb = load_workbook(path)
    idx = iv.set_index(["period", "area_level", "area_code", "gender", "indicator"]).sort_index()

    _, series = table_rows(wb["Tidsserie"], "Period")
    assert {r[0] for r in series} == set(PERIODS)
    for r in random.Random(3).sample(series, 150):
        for g, cell in zip(GENDERS, r[6:10], strict=True):
            assert cell == expected(idx.loc[(r[0], LEVEL[r[1]], r[2], g, r[4])])

    ws = wb["Projektindikatorer"]
    header, rows = table_rows(ws, "Period")
    assert header == ["Period", "Nivå", "Kod", "Område", "Indikator", "Benämning", "Kön",
                      "Värde", "Täljare", "Nämnare"]
    assert not any(r[4].startswith(("EECO", "EECR")) for r in rows)
    assert {r[4] for r in rows} >= {"ENTRANTS", "EXITS", "ACTIVE", "ATTENDANCE_RATE",
                                    "MOTIVATION_IMPROVED", "WORK_PLACEMENT", "COMPLETION"}
    gender = dict(zip(GENDER_LABELS, GENDERS, strict=True))
    seen = {"..": 0, ".": 0, "rate": 0}
    for r in rows:
        rec = idx.loc[(r[0], LEVEL[r[1]], r[2], gender[r[6]], r[4])]
        assert expected(rec) == r[7], r[:7]
        assert r[8] == expected(rec, "numerator"), r[:7]
        assert r[9] == expected(rec, "denominator"), r[:7]
        seen[".."] += r[7] == ".."
        seen["."] += r[7] == "."
        seen["rate"] += isinstance(r[7], float) and not float(r[7]).is_integer()
    assert all(seen.values()), seen

    # rates are shown as percent, counts as whole numbers
    formats = {}
    for row in ws.iter_rows(min_row=1):
        if row[4].value in ("COMPLETION", "ENTRANTS") and isinstance(row[7].value, int | float):
            formats[row[4].value] = row[7].number_format
    assert formats == {"COMPLETION": "0.0%", "ENTRANTS": "#,##0"}


def test_definitions_list_every_indicator_and_the_stale_sources(report):
    path, _ = report
    ws = load_workbook(path)["Definitioner"]
    values = [r for r in ws.iter_rows(values_only=True)]
    text = "\n".join(str(v) for r in values for v in r if v is not None)
    for ind in indicators_dimension().itertuples(index=False):
        row = next(r for r in values if r[0] == ind.indicator)
        assert row[1:5] == (ind.name_sv, ind.name_en, ind.definition_sv, ind.definition)
    assert "Röjandeskydd" in text and ".." in text and "5 elever" in text

    values = [r for r in load_workbook(path)["Dataläge"].iter_rows(values_only=True)]

    stale = [(r[0], r[1], r[3]) for r in values if r[2] == "Inaktuell"]
    assert ("2025-01", "kfv", "2025-01") not in stale  # kfv is current in 2025-01
    assert ("2025-02", "kfv", "2025-01") in stale
    assert ("2025-03", EVIL_SOURCE, "saknas (aldrig godkänd)") in stale
    assert {p for p, *_ in stale} == set(PERIODS)


def test_text_from_deliveries_is_never_a_formula(report):
    path, _ = report
    wb = load_workbook(path)
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in (EVIL_SOURCE, EVIL_AREA):
                    found.add(cell.value)
                    assert cell.data_type == "s" and cell.quotePrefix
    assert found == {EVIL_SOURCE, EVIL_AREA}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "plain"])
def test_text_is_stored_as_text(value, tmp_path):
    path = tmp_path / "t.xlsx"
    wb = Workbook(str(path), {"constant_memory": True})
    sheet = fund_report._Sheet(wb, "t", {})
    sheet.put(1, 1, fund_report._text(value))
    sheet.put(2, 1, fund_report._text("a\x00b\x07c"))  # characters XML cannot hold are dropped, not fatal
    wb.close()
    cell, cleaned = load_workbook(path)["t"]["A1"], load_workbook(path)["t"]["A2"]
    # a control character is stored as Excel's escape (_x000D_ for CR), which Excel reads back; openpyxl does not
    shown = re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), cell.value)
    assert shown == value and cell.data_type == "s"
    assert bool(cell.quotePrefix) == (value != "plain")
    assert cleaned.value == "abc"


def test_refuses_the_restricted_table(tmp_path):
    iv = published(["2025-01"]).assign(persons=1)
    with pytest.raises(ValueError, match="restricted"):
        write_fund_report(tmp_path / "x.xlsx", indicator_values=iv, source_status=status([]),
                          areas=areas_frame(), indicators=indicators_dimension(),
                          periods=["2025-01"], generated_at="now")
    assert fund_report.SUPPRESSED == ".."


def test_data_status_sheet_names_every_problem_and_says_complete_only_without_one(tmp_path):
    areas, iv = areas_frame(), published(PERIODS)
    delivered = [(p, s, d, "delivered", f"{d}_{p}.csv", "2025-04-01T06:00:00+00:00")
                 for p in PERIODS for s in ("1480", "kfv") for d in ("participants", "attendance", "survey",
                                                                     "activities")]
    columns = ["period", "source", "dataset", "state", "file_name", "arrived_at"]

    def sheet(rows) -> str:
        path = write_fund_report(tmp_path / f"r{len(rows)}.xlsx", indicator_values=iv, source_status=status(PERIODS)[:0],
                                 areas=areas, indicators=indicators_dimension(), periods=PERIODS,
                                 generated_at="2025-04-02T06:00:00.123456+00:00",
                                 dataset_status=pd.DataFrame(rows, columns=columns))
        wb = load_workbook(path)
        esf_notes = " ".join(str(c) for r in wb["ESF+ indikatorer"].iter_rows(max_row=5, values_only=True)
                             for c in r if c)
        return esf_notes, [r for r in wb["Dataläge"].iter_rows(values_only=True)]

    notes, rows = sheet(delivered)
    assert "komplett" in rows[1][0] and "INTE" not in rows[1][0] and "komplett" in notes
    broken = [r if (r[0], r[1], r[2]) != ("2025-02", "kfv", "attendance") else
              (*r[:3], "rejected", "attendance_2025-02.csv", "2025-03-03T07:00:00+00:00") for r in delivered]
    broken = [r for r in broken if (r[0], r[1], r[2]) != ("2025-03", "1480", "survey")]
    broken.append(("2025-03", "1480", "survey", "missing", None, None))
    notes, rows = sheet(broken)
    assert rows[1][0].startswith("Dataläge 2025-01–2025-03: INTE komplett – 1 avvisad datamängd och 1 saknad datamängd")
    assert "INTE komplett" in notes
    listed = [r[:5] for r in rows if r[3] in ("Avvisad", "Saknas")]
    assert listed == [("2025-02", "kfv", "Närvaro", "Avvisad", "attendance_2025-02.csv"),
                      ("2025-03", "1480", "Enkät", "Saknas", None)]
    # times in Swedish time, to the second: the arrival in winter (UTC+1), the report made in summer (UTC+2)
    header = next(r for r in rows if r[0] == "Period")
    assert header[5] == "Ankom (svensk tid)"
    assert [r[5] for r in rows if r[3] in ("Avvisad", "Saknas")] == ["2025-03-03 08:00:00", None]
    assert "Skapad 2025-04-02 08:00:00 (svensk tid)" in notes
    assert "Skapad 2025-04-02 08:00:00 (svensk tid)." in " ".join(str(c) for r in rows for c in r if c)
    assert not any("+00:00" in str(c) or "T0" in str(c) for r in rows for c in r if c)


# --------------------------------------------------------------------------- printing (LibreOffice)

PRINT_TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo")


def _print_tools() -> None:
    missing = [t for t in PRINT_TOOLS if shutil.which(t) is None]
    if missing:
        message = (f"PRINT CHECK NOT RUN: {', '.join(missing)} missing — install with "
                   "`apt-get install libreoffice-calc-nogui poppler-utils` (.ci/run does this as root)")
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)


def to_pdf(xlsx: Path, out: Path) -> Path:
    # A profile of its own: a shared one is locked by any other soffice running on the machine.
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=300)
    return out / f"{xlsx.stem}.pdf"


SIX_MONTHS = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]  # the demo's


def _page_sizes(pdf: Path) -> list[tuple[int, int]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return [(round(float(w)), round(float(h))) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)",
                                                                         info, re.M)]


@pytest.mark.office
def test_six_months_print_on_at_most_30_a4_pages_with_whole_charts_and_codes(tmp_path):
    _print_tools()
    iv = published(SIX_MONTHS, seed=6)  # every area and indicator of the project, as the demo publishes
    path = write_fund_report(tmp_path / "six.xlsx", indicator_values=iv, source_status=status(SIX_MONTHS),
                             areas=areas_frame(), indicators=indicators_dimension(), periods=SIX_MONTHS,
                             generated_at="2025-03-02 06:00 UTC")
    pdf = to_pdf(path, tmp_path)
    sizes = _page_sizes(pdf)
    assert 10 <= len(sizes) <= 30, len(sizes)
    assert set(sizes) <= {(842, 595), (595, 842)} and sizes[0] == (842, 595), "A4, tables landscape"

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")[:len(sizes)]
    for code in indicators_dimension().indicator:
        assert re.search(rf"\b{code}\b", text), f"{code} cut or missing in the printout"
    definitions = [i for i, t in enumerate(pages) if "Definition (svenska)" in t]
    assert 1 <= len(definitions) <= 2, "definitions fit on at most two pages"
    assert "Totalt antal deltagare" in text and "Total number of participants" in text
    assert "minute-weighted" in text and "viktat med minuter" in text
    assert "annan dold cell" in text  # the signs cover secondary suppression

    # the time series prints its notes only, which say so; the project sheet its latest period,
    # every page with the column headers
    series = [t for t in pages if "tidsserie" in t]
    assert len(series) == 1 and "skrivs inte ut" in series[0]
    project = [t for t in pages if re.search(r"^\s*20\d\d-\d\d\s+(Region|Delregion|Kommun)\s", t, re.M)]
    assert len(project) > 2 and all("Benämning" in t and "Nämnare" in t for t in project)
    printed_periods = {m for t in project for m in re.findall(r"^\s*(20\d\d-\d\d)\s+(?:Region|Delregion|Kommun)", t, re.M)}
    assert printed_periods == {SIX_MONTHS[-1]}

    # the charts: a portrait page per region and federation, headed by that area alone, its four charts whole
    areas = areas_frame()
    headings = [f"{c} {n}" for lv, c, n in zip(areas.area_level, areas.area_code, areas.name, strict=True)
                if lv in ("region", "federation")]
    chart_pages = [i for i, t in enumerate(pages) if "Kvinnor" in t and "Välbefinnande" in t and "Period" in t
                   and "Närvarograd" in t and sizes[i] == (595, 842)]
    assert len(chart_pages) == len(headings)
    for i, heading in zip(chart_pages, headings, strict=True):
        on_page = [h for h in headings if h in pages[i]]
        assert on_page == [heading], (i + 1, on_page)
        titles = ("Deltagare (EECO01,", "Närvarograd", "Ökad motivation,", "Andel som fullföljer")
        assert all(t in pages[i] for t in titles), (i + 1, pages[i][:400])
    assert "(FOKUS)" not in text and ") (" not in text, "one pair of brackets in an area's name"

    # rendered, for a person to look at (PNG next to the PDF)
    for name, page in (("definitions", definitions[0] + 1), ("chart", chart_pages[-1] + 1)):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(pdf),
                        str(tmp_path / name)], check=True, timeout=120)
        assert list(tmp_path.glob(f"{name}*.png"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_labels_follow_samla_language_and_the_numbers_do_not(lang, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMLA_LANGUAGE", lang)
    iv = published(["2025-01"])
    path = write_fund_report(tmp_path / "r.xlsx", indicator_values=iv, source_status=status(["2025-01"]),
                             areas=areas_frame(), indicators=indicators_dimension(), periods=["2025-01"],
                             generated_at="now")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "ESF+ indikatorer"  # sheet names stay Swedish: lookups by name keep working
    esf_header, esf_rows = table_rows(wb["ESF+ indikatorer"], {"sv": "Nivå", "en": "Level"}[lang])
    project_header, project_rows = table_rows(wb["Projektindikatorer"], "Period")
    status_text = " ".join(str(v) for r in wb["Dataläge"].iter_rows(values_only=True) for v in r if v)
    definitions = [r for r in wb["Definitioner"].iter_rows(values_only=True)]
    chart_titles = [c.title.tx.rich.p[0].r[0].t for c in wb["Diagram"]._charts]
    if lang == "sv":
        assert esf_header == ["Nivå", "Kod", "Område", "Indikator", "Benämning", *GENDER_LABELS]
        assert project_header[6:] == ["Kön", "Värde", "Täljare", "Nämnare"]
        assert {r[0] for r in esf_rows} == {"Region", "Delregion", "Kommun"}
        assert "Inaktuella källor per period" in status_text and "Dataläge 2025-01" in status_text
        assert "Kod" in definitions[3] and "Närvarograd" in chart_titles
    else:
        assert esf_header == ["Level", "Code", "Area", "Indicator", "Name", "Total", "Women", "Men", "Non-binary"]
        assert project_header[6:] == ["Gender", "Value", "Numerator", "Denominator"]
        assert {r[0] for r in esf_rows} == {"Region", "Federation", "Municipality"}
        assert {r[6] for r in project_rows} == {"Total", "Women", "Men", "Non-binary"}
        assert "Stale sources per period" in status_text and "Data status 2025-01" in status_text
        assert "Inaktuell" not in status_text and "Skapad" not in status_text
        assert definitions[3][:2] == ("Code", "Name") and "Attendance rate" in chart_titles
        indicator = indicators_dimension().iloc[0]
        row = next(r for r in definitions if r[0] == indicator.indicator)
        assert row[1:5] == (indicator.name_en, indicator.name_sv, indicator.definition, indicator.definition_sv)
    # the numbers are the same in either language: value cells of the ESF sheet, row by row
    idx = iv.set_index(["period", "area_level", "area_code", "gender", "indicator"]).sort_index()
    level = {**LEVEL, "Federation": "federation", "Municipality": "municipality"}
    for r in esf_rows:
        for g, cell in zip(GENDERS, r[5:9], strict=True):
            assert cell == expected(idx.loc[("2025-01", level[r[0]], r[1], g, r[3])])


def test_a_killed_earlier_write_leaves_no_temporary_file_for_good(tmp_path):
    """The next export removes what a kill during an earlier one left behind."""
    from transforms import atomic
    from transforms.publish.published_files import write_published_parquet

    reports, published_dir = tmp_path / "reports", tmp_path / "published"
    leftovers = []
    for folder, name in ((reports, ".fokus_im_esf.xlsx.a8f3k2.tmp"),
                         (published_dir, ".indicator_values.parquet.q9z1x0.tmp")):
        folder.mkdir()
        leftover = folder / name
        leftover.write_bytes(b"PK\x03\x04 half a workbook")
        old = leftover.stat().st_mtime - atomic.STALE_AFTER_SECONDS - 60
        os.utime(leftover, (old, old))
        leftovers.append(leftover)
    iv = published(["2025-01"])
    write_fund_report(reports / "fokus_im_esf.xlsx", indicator_values=iv, source_status=status(["2025-01"]),
                      areas=areas_frame(), indicators=indicators_dimension(), periods=["2025-01"],
                      generated_at="now")
    write_published_parquet(published_dir, {"indicator_values": iv})
    assert not any(p.exists() for p in leftovers)
    assert sorted(p.name for p in reports.iterdir()) == ["fokus_im_esf.xlsx"]
    assert sorted(p.name for p in published_dir.iterdir()) == ["indicator_values.parquet"]
