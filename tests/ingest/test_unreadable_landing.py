"""A landing file that cannot be read is that file's fault: rejected with a message in the ledger and in
`samla status`, while the source's other files go on; read as any delivery once it can be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv
from file_modes import bound_by_file_modes

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import UNREADABLE, ingest_source

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

SAMLA = str(Path(sys.executable).parent / "samla")
PNRS = people(8, seed=61)


def samla(*args, env, bound=False) -> subprocess.CompletedProcess:
    return subprocess.run([SAMLA, *args], env=env, capture_output=True, text=True, timeout=600,
                          preexec_fn=bound_by_file_modes if bound else None)


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW_CTX_"))}
    env.update(SAMLA_DATA_DIR=str(data), SAMLA_SOURCES=str(sources), AIRFLOW_HOME=str(tmp_path / "airflow"),
               SAMLA_PSEUDONYM_KEY="unreadable-test-key-0123456789")
    return data, data / "raw" / "landing" / "1489", env


def test_an_unreadable_file_is_rejected_alone_and_read_once_it_can_be(folder):
    data, landing_folder, env = folder
    write_csv(landing_folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    locked = write_csv(landing_folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    stray = landing_folder / "anteckningar.csv"  # a name no pattern matches, unreadable too
    stray.write_text("x\n")
    for path in (locked, stray):
        path.chmod(0o000)
    refused = subprocess.run(["cat", str(locked)], capture_output=True, preexec_fn=bound_by_file_modes)
    assert refused.returncode != 0 and b"Permission denied" in refused.stderr  # the run below is refused as well

    run = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env, bound=True)
    assert run.returncode == 1, run.stdout + run.stderr  # a file was rejected: a summary, no traceback
    assert "Traceback" not in run.stdout + run.stderr and "filen går inte att läsa" in run.stdout
    records = Ledger(data / "ledger").history("1489")
    assert (records["rows_read"] == records["rows_accepted"] + records["rows_quarantined"]).all()  # conservation
    by_name = {r["file_name"]: r for r in records.to_dict("records")}
    assert by_name["participants_2025-01.csv"]["status"] == "loaded"  # the other file went on
    assert by_name["participants_2025-01.csv"]["rows_accepted"] == len(PNRS)
    rejected = by_name["attendance_2025-01.csv"]
    assert (rejected["status"], rejected["rule"], rejected["dataset"], rejected["period"]) == (
        "rejected", UNREADABLE, "attendance", "2025-01")
    assert (rejected["rows_read"], rejected["rows_accepted"], rejected["rows_quarantined"]) == (0, 0, 0)
    assert rejected["message"].startswith("filen går inte att läsa: Samla har inte behörighet att läsa den "
                                          "(ge Samlas användare läsrätt) (PermissionError). Inget av den lästes in")
    assert by_name["anteckningar.csv"]["dataset"] == landing.UNMATCHED  # named, though never read

    status = samla("status", "--period", "2025-01", "--source", "1489", env=env | {"COLUMNS": "250"})
    assert status.returncode == 1  # (a wide terminal: the table's message column is not wrapped)
    line = next(row for row in status.stdout.splitlines() if "attendance_2025-01.csv" in row)
    assert "avvisad" in line and "filen går inte att läsa" in line, status.stdout
    datasets = status.stdout.split("Datamängder som saknas eller är avvisade")[-1]  # the period's attendance
    assert "avvisad: inga data för perioden" in next(row for row in datasets.splitlines() if "närvaro" in row)
    full = samla("status", "--file", "attendance_2025-01.csv", "--source", "1489", env=env | {"SAMLA_LANGUAGE": "en"})
    assert "Samla has no permission to read" not in full.stdout  # stored in the language of the run that wrote it
    assert "Samla har inte behörighet att läsa den" in " ".join(full.stdout.split())

    locked.chmod(0o644)  # mended: the next run reads it like any delivery, by its checksum
    again = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env, bound=True)
    assert again.returncode == 0, again.stdout + again.stderr
    latest = json.loads(samla("status", "--period", "2025-01", "--json", env=env).stdout)["deliveries"]
    assert {(d["dataset"], d["status"], d["rows_accepted"]) for d in latest if d["dataset"] != landing.UNMATCHED} \
        == {("participants", "loaded", len(PNRS)), ("attendance", "loaded", len(PNRS))}
    assert len(Ledger(data / "ledger").history("1489")) == 4  # the stray file is not reported twice


def test_a_folder_or_link_swapped_in_after_the_listing_rejects_that_file_only(samla_env, tmp_path):
    """Other real causes of an OSError on one file: a folder or a symbolic link where the listing saw a
    file (open_regular refuses both); the other files of the source are processed."""
    settings = load_settings()
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
    folder = source.delivery.folder
    write_csv(folder / "participants_2025-01.csv", [participant(p) for p in PNRS])
    swapped = [write_csv(folder / f"attendance_{p}.csv", [attendance(n, p) for n in PNRS]) for p in ("2025-01", "2025-02")]
    files = landing.candidate_files(folder)
    for path in swapped:
        path.unlink()
    swapped[0].mkdir()
    (tmp_path / "elsewhere.csv").write_text("SECRET\n")
    swapped[1].symlink_to(tmp_path / "elsewhere.csv")

    manifest = ingest_source(settings, source, TEST_KEY.encode(), files, today=date(2025, 3, 15)).manifest()
    # (the second look at the folder, for links and subfolders, reports them as such as well)
    outcomes = {f["file_name"]: f for f in manifest["files"] if f["dataset"] != landing.REFUSED}
    assert outcomes["participants_2025-01.csv"]["status"] == "loaded"
    assert "den är inte längre en vanlig fil" in outcomes["attendance_2025-01.csv"]["message"]
    assert "den byttes mot en symbolisk länk" in outcomes["attendance_2025-02.csv"]["message"]
    assert {outcomes[p.name]["status"] for p in swapped} == {"rejected"}
    assert b"SECRET" not in b"".join(p.read_bytes() for p in settings.archive_dir.rglob("*") if p.is_file())
    # reported once: the same entries again give no new record
    again = ingest_source(settings, source, TEST_KEY.encode(), files, today=date(2025, 3, 15)).manifest()
    assert again["files"] == []


def test_the_reason_is_said_in_words_for_each_kind_of_read_error():
    import errno

    assert landing.read_fault(PermissionError(errno.EACCES, "Permission denied")).startswith("Samla har inte")
    assert landing.read_fault(OSError(errno.EIO, "Input/output error")) == "läsfel på lagringen (in/ut-fel)"
    assert landing.read_fault(OSError(errno.ENAMETOOLONG, "File name too long")) == "File name too long"
