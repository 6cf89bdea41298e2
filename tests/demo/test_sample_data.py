"""The sample deliveries: every file, in each source's own physical format, with valid,
stable personnummer and only the documented faults (transforms/demo/)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from transforms.config.schema import DATASETS
from transforms.config.settings import DEFAULT_SOURCES
from transforms.config.sources import Source, SourcesConfig, load_sources, parse_sources
from transforms.demo.generate import default_periods, generate
from transforms.demo.rendering import file_name, write_delivery
from transforms.demo.synthetic_pnr import luhn_digit
from transforms.period import Period
from transforms.privacy.personnummer import PersonnummerError, parse

PERIODS = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02"]


def _config(data_dir: Path) -> SourcesConfig:
    return load_sources(DEFAULT_SOURCES, data_dir)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    data_dir = root / "data"
    config = _config(data_dir)
    manifest = generate(config, data_dir, PERIODS, seed=7, faults=True)
    return root, data_dir, config, manifest


def test_the_sample_covers_the_projects_first_half_year_unless_told(tmp_path):
    import dataclasses

    project = _config(tmp_path / "data").project
    assert default_periods(project) == PERIODS
    earlier = dataclasses.replace(project, first_period="2023-01")
    assert default_periods(earlier) == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
    assert default_periods(dataclasses.replace(earlier, last_period="2023-02")) == ["2023-01", "2023-02"]


def read_table(source: Source, dataset: str, path: Path) -> list[dict]:
    """A delivered file read back with canonical column names (values as written)."""
    fmt = source.datasets[dataset].format
    if fmt.kind == "xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        sheet = workbook[fmt.sheet] if isinstance(fmt.sheet, str) else workbook.worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        data = path.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        elif data.startswith(b"\xef\xbb\xbf"):
            text = data.decode("utf-8-sig")
        else:
            text = data.decode(fmt.encoding or "utf-8")
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter or ","))
    if fmt.header_row:
        start = fmt.header_row - 1
    else:
        start = next(i for i, r in enumerate(table) if any(v not in (None, "") for v in r))
    aliases = source.datasets[dataset].aliases
    header = [aliases.get(str(h).strip().lower(), str(h).strip()) for h in table[start]]
    return [dict(zip(header, row, strict=False)) for row in table[start + 1 :]]


def _fault_rows(manifest: dict, path: Path, rule: str | None = None) -> set[int]:
    return {
        r
        for f in manifest["faults"]
        if f["file"] == path and rule in (None, f["rule"])
        for r in f["rows"]
    }


def _faulty_files(manifest: dict) -> set[Path]:
    return {f["file"] for f in manifest["faults"] if f["level"] == "file"}


def test_every_source_dataset_and_period_is_written(world):
    _, data_dir, config, manifest = world
    assert set(manifest["files"]) == set(config.sources)
    for sid, source in config.sources.items():
        expected = {
            source.delivery.folder.resolve() / file_name(source, d, p)
            for d in DATASETS
            for p in PERIODS
        }
        assert set(manifest["files"][sid]) == expected
        assert all(p.is_file() and p.stat().st_size > 0 for p in expected)
    assert sum(len(f) for f in manifest["files"].values()) == len(config.sources) * len(
        DATASETS
    ) * len(PERIODS)
    skovde = config.get("1496")
    assert file_name(skovde, "survey", "2024-11") == "fokus_enkat_202411.csv"
    assert file_name(config.get("1384"), "participants", "2024-11") == "participants_2024-11.txt"


def test_files_carry_the_configured_physical_format(world):
    _, _, config, manifest = world
    for sid, source in config.sources.items():
        for path in manifest["files"][sid]:
            dataset = next(d for d in DATASETS if source.datasets[d].file_token in path.name)
            fmt = source.datasets[dataset].format
            data = path.read_bytes()
            if fmt.kind == "xlsx":
                assert data[:2] == b"PK"
                workbook = openpyxl.load_workbook(path)
                if isinstance(fmt.sheet, str):
                    assert workbook.sheetnames[0] != fmt.sheet and fmt.sheet in workbook.sheetnames
                continue
            if fmt.encoding == "utf-16":
                assert data.startswith(b"\xff\xfe")
                text = data[2:].decode("utf-16-le")
            elif fmt.encoding == "utf-8-sig":
                assert data.startswith(b"\xef\xbb\xbf")
                text = data.decode("utf-8-sig")
            elif fmt.encoding == "cp1252":
                assert not data.startswith(b"\xef\xbb\xbf")
                text = data.decode("cp1252")
            else:
                assert not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe"))
                text = data.decode("utf-8")
            header = text.splitlines()[0]
            assert header.count(fmt.delimiter) >= 3, (path, header)
            if fmt.encoding == "cp1252" and dataset == "participants":
                assert "Kön".encode("cp1252") in data and "Kön".encode() not in data
            if fmt.encoding == "utf-16" and dataset == "participants":
                assert "Kön".encode("utf-16-le") in data


def test_decimal_marks_and_date_formats(world):
    _, _, config, manifest = world
    patterns = {
        "YYYY-MM-DD": r"^\d{4}-\d{2}-\d{2}$",
        "YYYYMMDD": r"^\d{8}$",
        "YYYY/MM/DD": r"^\d{4}/\d{2}/\d{2}$",
        "DD.MM.YYYY": r"^\d{2}\.\d{2}\.\d{4}$",
    }
    for sid, source in config.sources.items():
        fmt = source.datasets["survey"].format
        decimals, dates = [], []
        for period in PERIODS:
            path = source.delivery.folder / file_name(source, "survey", period)
            for row in read_table(source, "survey", path):
                decimals += [
                    row[c]
                    for c in ("motivation", "future_hope", "wellbeing")
                    if row[c] not in ("", None)
                ]
                dates.append(row["answered_on"])
        assert decimals and dates
        if fmt.kind == "xlsx":
            assert all(isinstance(v, int | float) for v in decimals)
            assert all(isinstance(v, datetime) for v in dates), "xlsx dates are real date cells"
            continue
        mark = fmt.decimal or "."
        assert any(mark in v for v in decimals), sid
        other = "," if mark == "." else "."
        assert not any(other in v for v in decimals), sid
        assert all(re.match(patterns[fmt.date_format], v) for v in dates), sid


def test_xlsx_title_row_and_checkbox_booleans(world):
    _, _, config, _ = world
    vargarda, partille = config.get("1442"), config.get("1402")
    sheet = openpyxl.load_workbook(vargarda.delivery.folder / "participants_2024-10.xlsx")[
        "Fokus IM"
    ]
    assert "Vårgårda" in sheet.cell(row=1, column=1).value
    assert sheet.cell(row=2, column=1).value is None
    assert sheet.cell(row=3, column=1).value == "Personnummer"
    rows = read_table(
        partille, "participants", partille.delivery.folder / "participants_2025-02.xlsx"
    )
    assert {r["newly_arrived"] for r in rows} == {"x", None}
    assert all(isinstance(r["entry_date"], datetime) for r in rows)
    labels = {r["gender"] for r in rows}
    assert labels <= {"K", "M", "X"}


def test_swedish_headers_and_labels_come_from_the_config(world):
    _, _, config, _ = world
    alingsas = config.get("1489")
    text = (alingsas.delivery.folder / "participants_2025-02.csv").read_bytes().decode("cp1252")
    assert text.splitlines()[0].startswith("Personnummer;Program;Kön;Startdatum")
    activities = set()
    for period in PERIODS:
        activities |= {
            r["activity"]
            for r in read_table(
                alingsas, "activities", alingsas.delivery.folder / f"activities_{period}.csv"
            )
        }
    assert {"MI-samtal", "Praktik"} <= activities or {"MI-samtal", "APL"} <= activities
    kfv = config.get("kfv")
    rows = read_table(kfv, "attendance", kfv.delivery.folder / "attendance_2024-12.csv")
    assert {r["kommunkod"] for r in rows} == {"1488", "1487"}


def test_participant_numbers_are_valid_personnummer(world):
    _, _, config, manifest = world
    coordination = 0
    for source in config.sources.values():
        for period in PERIODS:
            path = source.delivery.folder.resolve() / file_name(source, "participants", period)
            bad = _fault_rows(manifest, path)
            mistyped = _fault_rows(manifest, path, "invalid_personnummer")
            last = Period.parse(period).last_day
            for number, row in enumerate(read_table(source, "participants", path), start=1):
                if number in mistyped:
                    with pytest.raises(PersonnummerError):
                        parse(row["person_id"], last)
                    continue
                pnr = parse(row["person_id"], last)
                coordination += pnr.coordination
                if number not in bad:
                    age = (date(2025, 3, 1) - pnr.birth_date).days // 365
                    assert 14 <= age <= 25
    assert coordination > 0, "a few samordningsnummer"


def test_persons_are_stable_across_months(world):
    _, _, config, manifest = world
    movers: dict[str, set[str]] = {}
    for sid, source in config.sources.items():
        previous: dict[str, object] = {}
        for period in PERIODS:
            path = source.delivery.folder.resolve() / file_name(source, "participants", period)
            bad = _fault_rows(manifest, path, "invalid_personnummer")
            rows = [
                r
                for i, r in enumerate(read_table(source, "participants", path), start=1)
                if i not in bad
            ]
            current = {r["person_id"]: r["entry_date"] for r in rows}
            assert len(current) == len(rows), "a person appears once per snapshot"
            for person, entry in previous.items():
                assert current.get(person) == entry, f"{sid} {period}: a person changed or vanished"
            previous = current
        for person in previous:
            movers.setdefault(parse(person, date(2025, 2, 28)).normalised, set()).add(sid)
    assert sum(len(s) > 1 for s in movers.values()) >= 2, "a couple of pupils move between sources"
    assert 480 <= len(movers) <= 530


def test_attendance_survey_and_activities_follow_the_rules(world):
    _, _, config, manifest = world
    for source in config.sources.values():
        for period in PERIODS:
            first, last = Period.parse(period).first_day, Period.parse(period).last_day
            members = {
                r["person_id"]
                for r in read_table(
                    source,
                    "participants",
                    source.delivery.folder / file_name(source, "participants", period),
                )
            }
            for dataset in ("attendance", "survey", "activities"):
                path = source.delivery.folder.resolve() / file_name(source, dataset, period)
                if path in _faulty_files(manifest):
                    continue
                bad = _fault_rows(manifest, path)
                for i, row in enumerate(read_table(source, dataset, path), start=1):
                    if i in bad:
                        continue
                    assert row["person_id"] in members, (path, i)
                    if dataset == "attendance":
                        s, a, v, n = (
                            int(row[c])
                            for c in (
                                "scheduled_min",
                                "attended_min",
                                "absence_valid_min",
                                "absence_invalid_min",
                            )
                        )
                        assert 0 <= a <= s <= 20000
                        assert abs(a + v + n - s) <= max(5, s / 100)
                        assert row["month"] == period
                    else:
                        column = "answered_on" if dataset == "survey" else "date"
                        value = row[column]
                        if not isinstance(value, datetime):
                            value = datetime.strptime(
                                value,
                                {
                                    "YYYY-MM-DD": "%Y-%m-%d",
                                    "YYYYMMDD": "%Y%m%d",
                                    "YYYY/MM/DD": "%Y/%m/%d",
                                    "DD.MM.YYYY": "%d.%m.%Y",
                                }[source.datasets[dataset].format.date_format],
                            )
                        assert first <= value.date() <= last, (path, i)


def test_faults_are_recorded(world):
    _, data_dir, config, manifest = world
    faults = manifest["faults"]
    assert len([f for f in faults if f["level"] == "file"]) == 1
    rules = {f["rule"] for f in faults}
    assert {
        "invalid_personnummer",
        "unknown_code",
        "attended_over_scheduled",
        "exit_before_entry",
        "duplicate_key",
        "person_not_in_participants",
        "date_outside_period",
        "required_column_missing",
    } <= rules
    assert len({f["source"] for f in faults}) >= 6, "spread over the sources"
    for fault in faults:
        assert {"source", "dataset", "period", "file", "description", "rows", "source_rows"} <= set(
            fault
        )
        header_row = config.get(fault["source"]).datasets[fault["dataset"]].format.header_row or 1
        assert fault["source_rows"] == [header_row + r for r in fault["rows"]]
        assert fault["file"] in manifest["files"][fault["source"]]
        assert not re.search(r"\d{6}[-+]?\d{4}", fault["description"]), (
            "no personnummer in the manifest"
        )
    file_fault = next(f for f in faults if f["level"] == "file")
    source = config.get(file_fault["source"])
    header = read_table(source, file_fault["dataset"], file_fault["file"])[0]
    assert "attended_min" not in header
    for fault in faults:
        source = config.get(fault["source"])
        rows = read_table(source, fault["dataset"], fault["file"])
        picked = [rows[r - 1] for r in fault["rows"]]
        if fault["rule"] == "invalid_personnummer":
            digits = re.sub(r"\D", "", picked[0]["person_id"])[-10:]
            assert luhn_digit(digits[:9]) != digits[9]
        if fault["rule"] == "duplicate_key":
            assert picked[0] == picked[1]
        if fault["rule"] == "attended_over_scheduled":
            assert int(picked[0]["attended_min"]) > int(picked[0]["scheduled_min"])


def test_same_seed_gives_the_same_data_and_no_faults_means_clean(world, tmp_path):
    _, data_dir, config, manifest = world
    other_dir = tmp_path / "again"
    again = generate(_config(other_dir), other_dir, PERIODS, seed=7, faults=True)
    for sid, source in config.sources.items():
        for period in PERIODS:
            for dataset in DATASETS:
                # Byte for byte, workbooks too (fixed timestamps inside the xlsx).
                name = file_name(source, dataset, period)
                a, b = source.delivery.folder / name, other_dir / "raw" / "landing" / sid / name
                assert a.read_bytes() == b.read_bytes(), name
    assert [(f["source"], f["rule"], f["rows"]) for f in again["faults"]] == [
        (f["source"], f["rule"], f["rows"]) for f in manifest["faults"]
    ]
    clean_dir = tmp_path / "clean"
    clean = generate(_config(clean_dir), clean_dir, PERIODS[:2], seed=7, faults=False)
    assert clean["faults"] == []
    other_seed = tmp_path / "seed8"
    generate(_config(other_seed), other_seed, PERIODS[:1], seed=8, faults=False)
    name = "participants_2024-09.csv"
    assert (other_seed / "raw/landing/1480" / name).read_bytes() != (
        clean_dir / "raw/landing/1480" / name
    ).read_bytes()


def test_nothing_is_written_outside_data_dir(world, tmp_path, monkeypatch):
    root, data_dir, _, manifest = world
    assert {p.name for p in root.iterdir()} == {"data"}
    files = {p for p in data_dir.rglob("*") if p.is_file()}
    assert files == {p for paths in manifest["files"].values() for p in paths}
    # A folder outside data_dir is refused before anything is written.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()  # the sources check refuses a missing one outside data_dir itself
    outside = parse_sources(
        {
            "sources": [
                {
                    "id": "1480",
                    "municipalities": ["1480"],
                    "delivery": {"folder": str(tmp_path / "elsewhere")},
                }
            ]
        },
        tmp_path / "data",
    )
    with pytest.raises(ValueError, match="outside data_dir"):
        generate(outside, tmp_path / "data", PERIODS[:1])
    assert [p.name for p in tmp_path.iterdir()] == ["elsewhere"]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_write_delivery_renders_a_canonical_frame(tmp_path):
    config = _config(tmp_path)
    mark = config.get("1463")
    frame = pd.DataFrame(
        [
            {
                "person_id": "20080315-1234",
                "programme": "IMS",
                "gender": "female",
                "entry_date": date(2024, 9, 2),
                "exit_date": None,
                "exit_status": None,
                "qualification": None,
                "track": "worklife",
                "labour_status": "inactive",
                "newly_arrived": True,
                "foreign_background": True,
                "disability": "unknown",
            }
        ]
    )
    path = write_delivery(mark, "participants", "2024-09", frame, tmp_path / "out")
    assert path == tmp_path / "out" / "participants_2024-09.csv"
    text = path.read_bytes().decode("cp1252")
    assert text == (
        "Personnummer;Program;Kön;Startdatum;Slutdatum;Avslutsorsak;Behörighet;Spår;Sysselsättning;"
        "Nyanländ;Utländsk bakgrund;Funktionsnedsättning\r\n"
        "20080315-1234;IMS;K;02.09.2024;;;;Arbetsliv;Studerande;Ja;Ja;Vet ej\r\n"
    )
    # Survey numbers take the decimal comma; a file name may be forced (e.g. an invalid period).
    survey = pd.DataFrame(
        [
            {
                "person_id": "20080315-1234",
                "wave": "T0",
                "answered_on": date(2024, 9, 5),
                "motivation": 3.5,
                "future_hope": None,
                "wellbeing": 4.0,
            }
        ]
    )
    path = write_delivery(
        mark, "survey", "2024-09", survey, tmp_path, name="survey_2023-13.csv"
    )
    assert (
        path.read_bytes().decode("cp1252").splitlines()[1] == "20080315-1234;T0;05.09.2024;3,5;;4"
    )

