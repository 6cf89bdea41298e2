"""The hostile-input corpus, continued: delivered file names (a final newline, control and bidirectional
characters, many misnamed copies of the same bytes) and sizes (a line of 200 MB, a huge sources file).

Each case goes through the real ingestion (or the real CLI) and asserts what the steward reads.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date

import pytest
import yaml
from conftest import TEST_KEY
from deliveries import participant, people, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.config.settings import Limits, load_settings
from transforms.config.sources import load_sources, parse_sources
from transforms.ingest import landing
from transforms.ingest import parse as parse_module
from transforms.ingest.ledger import Ledger
from transforms.ingest.parse import FileFault, LongCell
from transforms.ingest.pipeline import UNKNOWN_SOURCE, ingest_source, report_unknown_sources
from transforms.names import shown

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

PERIOD = "2025-01"
PNRS = people(4, seed=31)
HIDDEN = ["\x00", "\x07", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9b", "\u061c", "\u200e", "\u200f",
          *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
RTL = f"\u202eparticipants_{PERIOD}.csv"  # shows as "vsc.10-5202_stnapicitrap" read right to left
ESCAPE = f"participants_{PERIOD}\x1b[2K.csv"  # a terminal escape that would erase the line it is on


def source_in(samla_env):
    settings = load_settings()
    entry = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"}}
    source = parse_sources({"sources": [entry]}, settings.data_dir).get("s1")
    source.delivery.folder.mkdir(parents=True)
    return settings, source


def ingest(settings, source, progress=None):
    return ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                         today=date(2025, 3, 15), progress=progress)


def samla(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), timeout=600, **kwargs)


# --------------------------------------------------------------------------- file names


def test_a_name_is_matched_whole_a_final_newline_is_no_delivery(samla_env):
    settings, source = source_in(samla_env)
    name = f"participants_{PERIOD}.csv\n"
    assert landing.identify(source, name)[0] == landing.UNMATCHED
    assert landing.identify(source, name[:-1])[0] == "participants"
    write_csv(source.delivery.folder / name, [participant(p) for p in PNRS])

    result = ingest(settings, source)
    (outcome,) = result.files
    assert outcome.record.status == "rejected" and "följer inte" in outcome.record.message
    assert outcome.record.file_name == name
    archive = landing.archive_root(settings.data_dir)
    assert not [p for p in archive.rglob("*") if p.is_file() and not p.name.startswith("_")], "archived"
    assert (source.delivery.folder / name).exists()  # left where it was delivered


def test_every_control_and_bidirectional_character_is_shown_escaped():
    for char in HIDDEN:
        assert shown(f"a{char}b.csv") == f"a\\u{ord(char):04x}b.csv"
    assert shown("Åsa_Göteborg ärende.csv") == "Åsa_Göteborg ärende.csv"  # Swedish letters as they are
    assert shown("x\udcff.csv") == "x\\udcff.csv"  # an undecodable byte of a name: printable at all


def test_a_name_with_hidden_characters_is_shown_escaped_everywhere(samla_env, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # tables as wide as the names: a wrapped name is no longer one string
    from samla_airflow.cli.run import _report_run
    from samla_airflow.notify import compose_steward_email

    settings, source = source_in(samla_env)
    for name in (RTL, ESCAPE):
        write_csv(source.delivery.folder / name, [participant(p) for p in PNRS])
    progress: list[str] = []
    result = ingest(settings, source, progress.append)
    assert {o.record.file_name for o in result.files} == {RTL, ESCAPE}  # the ledger keeps the name itself

    def escaped(text: str) -> None:
        assert "\u202e" not in text and "\x1b" not in text, repr(text)
        assert "\\u202e" in text and "\\u001b" in text, text

    escaped("\n".join(progress))
    out = io.StringIO()
    _report_run(settings, "", out, None)  # the table `samla run` ends with
    escaped(out.getvalue())
    subject, body = compose_steward_email(source, result)
    escaped(body)
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"id": "s1", "name": "Test", "municipalities": ["1489"],
                                                    "delivery": {"folder": "raw/landing/s1"}}]}))
    env = dict(os.environ) | {"SAMLA_SOURCES": str(sources), "AIRFLOW_HOME": str(tmp_path / "airflow")}
    status = samla("status", env=env)
    escaped(status.stdout)
    one = samla("status", "--file", shown(RTL), env=env)  # the name as shown finds the file
    assert "\u202e" not in one.stdout and "\\u202e" in one.stdout and "följer inte" in one.stdout, one.stdout


@pytest.mark.slow
def test_each_of_many_misnamed_files_with_the_same_bytes_is_reported_by_its_own_name(samla_env):
    settings, source = source_in(samla_env)
    data = b"person_id,programme\n1,2\n"
    names = [f"deltagare-{i:04d}.csv" for i in range(5000)]
    for name in names:
        (source.delivery.folder / name).write_bytes(data)
    unknown = settings.landing_dir / "okand"  # a folder no source owns: the same, file by file
    unknown.mkdir()
    for name in names[:3]:
        (unknown / name).write_bytes(data)

    ingest(settings, source)
    records = Ledger(settings.ledger_dir).counted("s1")
    assert sorted(records["file_name"]) == names and set(records["status"]) == {"rejected"}
    assert all(name in message for name, message in zip(records["file_name"], records["message"], strict=True))
    config = load_sources(settings.sources_file, settings.data_dir, strict=False)
    config.sources["s1"] = source
    report_unknown_sources(settings, config)
    assert sorted(Ledger(settings.ledger_dir).counted(UNKNOWN_SOURCE)["file_name"]) == names[:3]

    again = ingest(settings, source)  # each reported once
    assert again.files == [] and len(Ledger(settings.ledger_dir).history("s1")) == len(names)


# --------------------------------------------------------------------------- sizes

_CELL = st.text(alphabet='ab,;"\n\r x', max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, max_size=6), max_size=30), raw=st.text(alphabet='ab,"\n\r', max_size=60),
       max_cell=st.integers(1, 10), bound=st.sampled_from([0, 4, 1 << 20]))
def test_records_scanned_in_place_are_the_csv_modules_records(rows, raw, max_cell, bound, monkeypatch):
    """A record the csv module is not given (a long line, a long cell) is split exactly as it would split
    it, its long cells kept as their length; an unsplittable text is a fault either way."""
    monkeypatch.setattr(parse_module, "_line_bound", lambda limits: bound)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    limits = Limits(max_rows=100, max_columns=100, max_cell_chars=max_cell)
    for text in (out.getvalue(), raw):
        csv.field_size_limit(1 << 30)
        try:
            expected = [[LongCell(len(c), max_cell) if len(c) > max_cell else c for c in record]
                        for record in csv.reader(io.StringIO(text, newline=""), strict=True)]
        except csv.Error:
            expected = None
        try:
            records, _ = parse_module._split_by_record(text, ",", limits)
        except FileFault as fault:
            assert expected is None, (text, fault)
            continue
        assert records == expected, text


def test_a_record_of_more_columns_than_the_limit_is_stopped_at_the_limit():
    text = "a,b\n" + "," * 5_000_000 + "\n"
    with pytest.raises(FileFault, match="SAMLA_MAX_COLUMNS"):
        parse_module._split(text, ",", Limits(max_columns=200, max_cell_chars=100))


@pytest.mark.slow
def test_a_line_of_200_mb_is_read_in_bounded_memory(samla_env, tmp_path):
    """exports.md: a long cell is its row's fault; reading it costs a bounded multiple of the cell limit,
    not of the line (measured as the peak resident memory of `samla check` on the file)."""
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / f"participants_{PERIOD}.csv"
    with open(path, "wb") as handle:  # within SAMLA_MAX_FILE_BYTES (200 000 000)
        handle.write(b"person_id,programme\n")
        chunk = b"A" * (1 << 20)
        for _ in range(190):
            handle.write(chunk)
        handle.write(b"\n")
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [{"id": "s1", "name": "Test", "municipalities": ["1489"],
                                                    "delivery": {"folder": "raw/landing/s1"}}]}))
    env = dict(os.environ) | {"SAMLA_SOURCES": str(sources), "AIRFLOW_HOME": str(tmp_path / "airflow")}
    try:
        out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "samla_airflow.cli", "check", str(path),
                              "--source", "s1"], capture_output=True, text=True, env=env, timeout=600)
    finally:
        path.unlink()
    peak_kb = int(next(line for line in out.stderr.splitlines() if "Maximum resident" in line).split()[-1])
    assert out.returncode == 1, out.stdout + out.stderr
    assert "SAMLA_MAX_CELL_CHARS" in out.stdout or "obligatorisk" in out.stdout, out.stdout
    assert peak_kb < 600_000, f"peak {peak_kb} kB"


def test_a_sources_file_over_its_size_limit_is_a_configuration_fault(tmp_path, monkeypatch, capsys):
    from samla_airflow.cli import main

    entry = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"},
             "columns": {"person_id": [f"alias {i}" for i in range(150_000)]}}
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [entry]}), encoding="utf-8")
    assert path.stat().st_size > 2_000_000
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path / "data"))

    config = load_sources(path, tmp_path / "data", strict=False)
    assert config.sources == {} and "SAMLA_MAX_SOURCES_BYTES" in config.file_faults[0]
    assert main(["config", "check"]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "mer än gränsen på 2 000 000 byte (SAMLA_MAX_SOURCES_BYTES)" in said.replace("\u202f", " "), said

    monkeypatch.setenv("SAMLA_MAX_SOURCES_BYTES", str(path.stat().st_size))  # raised on purpose: read
    assert "SAMLA_MAX_SOURCES_BYTES" not in " ".join(load_sources(path, tmp_path / "data", strict=False).file_faults)
