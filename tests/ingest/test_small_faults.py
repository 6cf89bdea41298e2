"""Small faults of the host: a full disk leaves no temporary file and no traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from datetime import date

import pytest
from deliveries import participant, people, write_csv

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing


def test_full_disk_while_archiving_leaves_no_temporary_file(samla_env, monkeypatch):
    settings = load_settings()
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": "raw/landing/s1"}}]}, settings.data_dir).get("s1")
    source.delivery.folder.mkdir(parents=True)
    write_csv(source.delivery.folder / "participants_2025-01.csv", [participant(p) for p in people(3)])

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)  # the disk fills up at the moment of writing
    with pytest.raises(OSError):
        landing.archive(settings.data_dir, source, landing.candidate_files(source.delivery.folder), date(2025, 3, 1))
    monkeypatch.undo()
    assert not [p for p in settings.raw_dir.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_unwritable_data_folder_is_a_message_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = dict(os.environ) | {"SAMLA_DATA_DIR": str(blocker / "data"), "AIRFLOW_HOME": str(tmp_path / "airflow"),
                              "SAMLA_PSEUDONYM_KEY": "small-faults-key-0123456789abcdef"}
    env.pop("SAMLA_LANGUAGE", None)
    command = [sys.executable, "-m", "samla_airflow.cli", "run", "--from", "2025-01", "--to", "2025-01"]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1 and "samla run: datamappen går inte att skriva till eller läsa från" in out.stderr
    assert "Traceback" not in out.stderr
    out = subprocess.run(command, capture_output=True, text=True, env=env | {"SAMLA_LANGUAGE": "en"}, timeout=300)
    assert out.returncode == 1 and "samla run: the data folder cannot be written or read" in out.stderr
    assert "Traceback" not in out.stderr
