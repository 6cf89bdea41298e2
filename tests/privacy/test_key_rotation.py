"""Key continuity — a fingerprint of the key beside the curated data; `samla rotate-key`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import TEST_KEY
from deliveries import attendance, participant, people, write_csv
from privacy import leaks

from transforms.config import key_continuity
from transforms.config.settings import SettingsError, load_settings, pseudonym_key
from transforms.config.sources import load_sources
from transforms.ingest import curated, landing
from transforms.ingest.pipeline import ingest_source
from transforms.privacy.personnummer import parse
from transforms.privacy.pseudonym import pseudonym
from transforms.upkeep import rotation

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

NEW_KEY = "the-new-key-for-samla-0123456789abcdef"
PNRS = people(8, seed=11)
WORKER = Path(__file__).parents[1] / "support" / "rotate_worker.py"


def samla(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture
def loaded(samla_env, tmp_path, monkeypatch):
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n')
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("1489")
    source.delivery.folder.mkdir(parents=True)
    rows = [participant(p) for p in PNRS]
    rows[0]["gender"] = "okänt"  # one quarantined row, with its pseudonym
    write_csv(source.delivery.folder / "participants_2025-01.csv", rows)
    write_csv(source.delivery.folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS[1:]])
    key = pseudonym_key(settings)
    ingest_source(settings, source, key, landing.candidate_files(source.delivery.folder), today=date(2025, 3, 1))
    env = dict(os.environ) | {"AIRFLOW_HOME": str(tmp_path / "airflow")}
    return settings, env


def persons(settings):
    return (set(curated.read_dataset(settings.curated_dir, "participants")["person"]),
            set(curated.read_dataset(settings.curated_dir, "attendance")["person"]),
            set(curated.read_quarantine(settings.quarantine_dir)["person"].dropna()))


def expected(key: str, pnrs) -> set[str]:
    return {pseudonym(key.encode(), parse(p, date(2025, 1, 31)).normalised) for p in pnrs}


def test_fingerprint_is_not_the_key_and_another_key_is_refused(loaded, monkeypatch):
    settings, env = loaded
    stored = (settings.curated_dir / key_continuity.FILE_NAME).read_text()
    assert key_continuity.fingerprint(TEST_KEY.encode()) in stored and TEST_KEY not in stored
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", NEW_KEY)
    with pytest.raises(SettingsError, match="rotate-key"):
        pseudonym_key(settings)
    out = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env | {"SAMLA_PSEUDONYM_KEY": NEW_KEY})
    assert out.returncode == 2 and "samla rotate-key" in out.stderr and NEW_KEY not in out.stderr + out.stdout


def test_rotate_key_re_pseudonymises_curated_and_quarantine(loaded):
    settings, env = loaded
    participants, attended, held = persons(settings)
    assert participants == expected(TEST_KEY, PNRS[1:]) and held == expected(TEST_KEY, PNRS[:1])
    raw = {p: p.read_bytes() for p in settings.archive_dir.rglob("*") if p.is_file()}

    out = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
    assert out.returncode == 0, out.stderr
    assert "Nyckeln är bytt" in out.stdout

    participants, attended, held = persons(settings)
    assert participants == expected(NEW_KEY, PNRS[1:]) and attended == expected(NEW_KEY, PNRS[1:])
    assert held == expected(NEW_KEY, PNRS[:1])
    assert key_continuity.stored(settings.curated_dir) == key_continuity.fingerprint(NEW_KEY.encode())
    assert {p: p.read_bytes() for p in settings.archive_dir.rglob("*") if p.is_file()} == raw
    assert not list((settings.data_dir / "staging").glob("rotate-*")) and not (settings.data_dir / key_continuity.JOURNAL).exists()
    assert not leaks(settings.data_dir)
    refused = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})  # the old key is now refused
    assert refused.returncode == 2 and "inte nyckeln för de inlästa uppgifterna" in refused.stderr


def test_rotation_that_cannot_remake_everything_changes_nothing(loaded):
    settings, env = loaded
    before = {p: p.read_bytes() for p in (settings.curated_dir.rglob("*"))
              if p.is_file()} | {p: p.read_bytes() for p in settings.quarantine_dir.rglob("*") if p.is_file()}
    (gone,) = [d for d in landing.archived(settings.data_dir, "1489") if d.dataset == "attendance"]
    (settings.data_dir / gone.archive_path).unlink()  # as retention would
    out = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
    assert out.returncode == 2 and "attendance 1489 2025-01" in out.stderr
    after = {p: p.read_bytes() for p in (settings.curated_dir.rglob("*"))
             if p.is_file()} | {p: p.read_bytes() for p in settings.quarantine_dir.rglob("*") if p.is_file()}
    assert after == before and not list((settings.data_dir / "staging").glob("rotate-*"))


def test_an_interrupted_rotation_blocks_runs(loaded):
    settings, _ = loaded
    (settings.data_dir / key_continuity.JOURNAL).write_text('{"staging": "/nonexistent"}')
    with pytest.raises(SettingsError, match="avbröts"):
        pseudonym_key(settings)


def test_rotation_waits_for_no_run_it_refuses_while_one_holds_the_data_folder(loaded):
    """A rotation remakes every pseudonym: it refuses while a `samla run` holds the data folder, naming
    that run, and changes nothing."""
    from samla_airflow import locks

    settings, env = loaded
    before = persons(settings)
    with locks.held(locks.lock_path(settings.data_dir, locks.RUN), 0):
        out = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"pid {os.getpid()}" in out.stderr and "Traceback" not in out.stderr
    assert persons(settings) == before


# --------------------------------------------------------------------------- killed at each step


def copies_left(settings) -> list[Path]:
    """Every staging copy or ``.old`` folder a rotation could leave in the data folder."""
    return [*(settings.data_dir / "staging").glob("rotate-*"),
            *(p for p in settings.data_dir.rglob("*.old") if p.is_dir())]


def killed_at(step: str, env: dict, tmp_path: Path) -> None:
    """A rotation in its own process, SIGKILLed when it reaches ``step``."""
    marker, err = tmp_path / f"paused-{step}", tmp_path / f"worker-{step}.err"
    with err.open("wb") as err_fh:
        proc = subprocess.Popen([sys.executable, str(WORKER), step, str(marker)], stdout=subprocess.DEVNULL,
                                stderr=err_fh, env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, f"rotation exited ({proc.returncode}) before {step}:\n{err.read_text()}"
            assert time.monotonic() < deadline, f"rotation did not reach {step}:\n{err.read_text()}"
            time.sleep(0.05)
    finally:
        proc.kill()  # SIGKILL: no cleanup
        proc.wait(timeout=30)
    assert proc.returncode == -9


@pytest.mark.parametrize("step", rotation.STEPS)
def test_a_rotation_killed_at_any_step_is_told_and_the_next_one_leaves_nothing(loaded, tmp_path, step):
    settings, env = loaded
    before = persons(settings)
    killed_at(step, env, tmp_path)
    swapping = (settings.data_dir / key_continuity.JOURNAL).exists()
    assert swapping == (rotation.STEPS.index(step) >= rotation.STEPS.index("journal"))

    status = samla("status", env=env)
    told = " ".join(status.stdout.split())  # as read, whatever the terminal's wrapping
    assert status.returncode == 1, status.stdout + status.stderr
    if swapping:  # the swap is half done: status says so, and every run refuses naming the command
        assert "Ett nyckelbyte är inte slutfört" in told and "samla rotate-key" in told
        run = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env)
        assert run.returncode == 2 and "samla rotate-key" in run.stderr, run.stdout + run.stderr
    else:  # nothing was swapped: the data is whole under the old key, only a staging copy is left
        assert persons(settings) == before and copies_left(settings)
        assert "data/staging" in told and "samla rotate-key" in told

    again = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
    assert again.returncode == 0, again.stdout + again.stderr
    assert not copies_left(settings) and not (settings.data_dir / key_continuity.JOURNAL).exists()
    participants, attended, held = persons(settings)
    assert participants == attended == expected(NEW_KEY, PNRS[1:]) and held == expected(NEW_KEY, PNRS[:1])
    assert key_continuity.stored(settings.curated_dir) == key_continuity.fingerprint(NEW_KEY.encode())
    assert (settings.raw_dir / "archive").is_dir() and not leaks(settings.data_dir)
    status = samla("status", env=env | {"SAMLA_PSEUDONYM_KEY": NEW_KEY})
    assert "nyckelbyte" not in status.stdout, status.stdout


def test_a_copy_left_before_the_swap_is_removed_even_when_there_is_nothing_to_rotate(loaded, tmp_path):
    """Killed while staging, then run again with the key unchanged: it says there is nothing to rotate
    and still removes the copy (and never the raw archive its link points into)."""
    settings, env = loaded
    archive = sorted(p for p in settings.archive_dir.rglob("*") if p.is_file())
    killed_at("staging", env, tmp_path)
    assert copies_left(settings)
    same = samla("rotate-key", env=env | {"SAMLA_NEW_PSEUDONYM_KEY": TEST_KEY})
    assert same.returncode == 2 and "inget att byta" in same.stderr, same.stdout + same.stderr
    assert not copies_left(settings)
    assert sorted(p for p in settings.archive_dir.rglob("*") if p.is_file()) == archive
