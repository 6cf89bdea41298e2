"""A generated project (transforms/demo/scale.py): its geography, every delivery format, and
deliveries the real per-file check accepts under that project — at a tiny scale."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date

import pytest
import yaml

from transforms.config.sources import load_sources
from transforms.demo import scale
from transforms.demo.synthetic_pnr import luhn_digit, synthetic_pnr
from transforms.privacy.personnummer import parse

MUNICIPALITIES, REGIONS, PUPILS, MONTHS = 9, 2, 4, 2


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("tiny") / "data"
    generated = scale.project(MUNICIPALITIES, REGIONS, PUPILS, MONTHS)
    path, config, manifest = scale.deliver(generated, data_dir)
    return generated, data_dir, path, config, manifest


def test_the_project_file_matches_the_sources(tiny, monkeypatch):
    generated, data_dir, path, config, manifest = tiny
    section = yaml.safe_load(path.read_text(encoding="utf-8"))["project"]
    assert len(section["federations"]) == REGIONS
    kommunkoder = [k for f in section["federations"] for k in f["municipalities"]]
    assert len(kommunkoder) == len(set(kommunkoder)) == MUNICIPALITIES
    assert all(k[:2] == f["code"][-2:] for f in section["federations"] for k in f["municipalities"])
    assert sorted(config.sources) == sorted(kommunkoder)
    assert section["first_period"] <= generated.periods[0] <= generated.periods[-1] <= section["last_period"]
    # The sources file alone (its project: section) is a valid configuration for the pipeline.
    monkeypatch.delenv("SAMLA_PROJECT", raising=False)
    again = load_sources(path, data_dir)
    assert again.project.municipalities.keys() == set(kommunkoder)
    assert {k: m.federation for k, m in again.project.municipalities.items()} == {
        k: f["code"] for f in section["federations"] for k in f["municipalities"]
    }


def test_every_format_of_the_fokus_sources_is_delivered(tiny):
    _, _, _, config, manifest = tiny
    formats = {
        (f.kind, f.encoding, f.delimiter, f.decimal, f.date_format, f.sheet, f.header_row, f.checkbox_booleans)
        for s in config.sources.values()
        for f in [s.datasets["participants"].format]
    }
    assert len(formats) >= 8, formats
    suffixes = Counter(p.suffix for files in manifest["files"].values() for p in files)
    assert set(suffixes) == {".csv", ".txt", ".xlsx"}
    assert sum(suffixes.values()) == MUNICIPALITIES * 4 * MONTHS
    assert any(s.delivery.pattern != "{dataset}_{period}.{ext}" for s in config.sources.values())
    rows = manifest["rows"]
    persons = sum(rows[s]["participants"][manifest["periods"][-1]] for s in rows)
    assert MUNICIPALITIES * PUPILS - 2 <= persons <= MUNICIPALITIES * PUPILS + 2  # planted/moved rows aside


def test_the_pipeline_check_loads_the_deliveries(tiny, monkeypatch):
    """Each source's participants and attendance of the first month (the faults are planted
    later), through the real
    parse/harmonise/validate, under the generated project: loaded unless a fault was planted."""
    _, data_dir, path, config, manifest = tiny
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.delenv("SAMLA_PROJECT", raising=False)
    from transforms.demo.rendering import file_name
    from transforms.ingest.file_context import FileContext
    from transforms.ingest.landing import sha256_of
    from transforms.ingest.pipeline import evaluate_file

    period = manifest["periods"][0]
    planted = {(f["source"], f["dataset"], f["period"]) for f in manifest["faults"]}
    key = secrets.token_bytes(32)
    checked = 0
    for sid, source in config.sources.items():
        if (sid, "participants", period) in planted:
            continue  # in a file this small one planted row is above the failing-share threshold
        snapshot = None
        for dataset in ("participants", "attendance"):
            file = source.delivery.folder / file_name(source, dataset, period)
            ctx = FileContext(source, dataset, period, file.name, sha256_of(file))
            result = evaluate_file(file, ctx, key, snapshot)
            assert result.rows_read == result.rows_accepted + result.rows_quarantined
            if (sid, dataset, period) not in planted:
                assert result.status == "loaded" and result.rows_quarantined == 0, (sid, dataset, result.message)
                checked += 1
            if dataset == "participants":
                snapshot = result.accepted
    assert checked == 2 * MUNICIPALITIES


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="regions"):
        scale.project(10, 22, 5, 1)
    with pytest.raises(ValueError, match="municipalities"):
        scale.project(1, 2, 5, 1)
    national = scale.project(**scale.NATIONAL)
    section = national.document["project"]
    assert len(section["federations"]) == 21
    assert sum(len(f["municipalities"]) for f in section["federations"]) == 290
    assert len(national.periods) == 12 and sum(national.sizes.values()) == 290 * 138


def test_synthetic_numbers_agree_with_published_test_numbers_and_the_parser():
    # Skatteverket's classic example 19121212-1212 and a samordningsnummer (day + 60).
    assert luhn_digit("121212121") == "2"
    assert synthetic_pnr(date(1912, 12, 12), 121, sep="-") == "19121212-1212"
    number = synthetic_pnr(date(2006, 5, 20), 44, coordination=True)
    assert number[6:8] == "80" and parse(number, date(2025, 1, 31)).coordination
    for serial in range(0, 1000, 37):  # the parser's own Luhn agrees with this one
        assert parse(synthetic_pnr(date(2007, 3, 12), serial), date(2025, 1, 31)).birth_date == date(2007, 3, 12)
