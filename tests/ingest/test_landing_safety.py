"""Landing takes regular files only; links, devices, FIFOs and subfolders are reported, never read."""

from __future__ import annotations

import os
from datetime import date

import pytest
from conftest import TEST_KEY
from deliveries import participant, people, write_csv
from privacy import personnummer_in

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source
from transforms.paths import UnsafePathError

KEY = TEST_KEY.encode()
TODAY = date(2025, 3, 15)
SECRET = "root:x:0:0:SECRET-LINE"


def setup(samla_env):
    settings = load_settings()
    config = parse_sources({"sources": [
        {"id": "s1", "name": "One", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"}},
        {"id": "s2", "name": "Two", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/s2"}},
    ]}, settings.data_dir)
    for source in config.sources.values():
        source.delivery.folder.mkdir(parents=True)
    return settings, config.get("s1"), config.get("s2")


def ingest(settings, source):
    return ingest_source(settings, source, KEY, landing.candidate_files(source.delivery.folder), today=TODAY).manifest()


def archived_bytes(settings) -> bytes:
    return b"".join(p.read_bytes() for p in settings.archive_dir.rglob("*") if p.is_file())


def test_links_devices_subfolders_and_unmatched_names_are_reported_not_taken(samla_env, tmp_path):
    settings, s1, s2 = setup(samla_env)
    outside = tmp_path / "passwd"
    outside.write_text(SECRET + "\n")
    theirs = write_csv(s2.delivery.folder / "participants_2025-01.csv", [participant(p) for p in people(5, 9)])
    folder = s1.delivery.folder
    os.symlink(outside, folder / "participants_2025-02.csv")  # a link with a matching name
    os.symlink(outside, folder / "passwd")  # a link with any name
    os.symlink(theirs, folder / "participants_2025-01.csv")  # another source's personnummer
    os.symlink("/etc", folder / "etc")  # a link to a folder
    os.mkfifo(folder / "attendance_2025-01.csv")  # would block a reader forever
    (folder / "januari").mkdir()
    write_csv(folder / "januari" / "participants_2025-01.csv", [participant(p) for p in people(3)])
    write_csv(folder / "deltagare.csv", [participant(p) for p in people(3)])  # matches no pattern

    manifest = ingest(settings, s1)

    by_name = {f["file_name"]: f for f in manifest["files"]}
    assert set(by_name) == {"participants_2025-02.csv", "passwd", "participants_2025-01.csv", "etc",
                            "attendance_2025-01.csv", "januari", "deltagare.csv"}
    assert all(f["status"] == "rejected" and f["rows_read"] == 0 for f in manifest["files"])
    assert "symbolisk länk" in by_name["passwd"]["message"]
    assert "symbolisk länk" in by_name["etc"]["message"]
    assert "ingen vanlig fil" in by_name["attendance_2025-01.csv"]["message"]
    assert "undermapp" in by_name["januari"]["message"]
    assert "följer inte" in by_name["deltagare.csv"]["message"]
    assert "arkiverades inte" in by_name["deltagare.csv"]["message"]
    text = repr(manifest) + repr(Ledger(settings.ledger_dir).counted().to_dict("records"))
    assert "SECRET" not in text and str(outside) not in text and not personnummer_in(text)
    # nothing of s1 was archived: no link target, no unmatched file, no subfolder content
    assert [p.name for p in settings.archive_dir.rglob("*") if p.is_file()] == ["_seen_by_name.json"]
    assert not list(settings.curated_dir.rglob("*.parquet"))
    # reported once
    assert ingest(settings, s1)["files"] == []
    assert len(Ledger(settings.ledger_dir).counted("s1")) == 7


def test_a_link_swapped_in_after_the_scan_is_not_read(samla_env, tmp_path):
    settings, s1, _ = setup(samla_env)
    path = write_csv(s1.delivery.folder / "participants_2025-01.csv", [participant(p) for p in people(3)])
    files = landing.candidate_files(s1.delivery.folder)
    path.unlink()
    (tmp_path / "secret").write_text(SECRET)
    os.symlink(tmp_path / "secret", path)
    try:
        landing.archive(settings.data_dir, s1, files, TODAY)
    except OSError as exc:
        assert "SECRET" not in str(exc)
    else:
        raise AssertionError("a link was followed")
    assert SECRET.encode() not in archived_bytes(settings)


def test_refusals_are_swedish_first_and_english_on_request(monkeypatch):
    from transforms.ingest.pipeline import _has_warning
    from transforms.messages import t

    entry = landing.Refused("passwd", "symlink", "id")
    assert entry.message == "'passwd' är en symbolisk länk; Samla tar bara vanliga filer och följer aldrig länkar"
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert entry.message == "'passwd' is a symbolic link; Samla takes only regular files and never follows links"
    # a warning written in either language still makes the file need the steward's attention
    assert _has_warning("20 rader inlästa" + t("intake.warning", text="x", lang="sv"))
    assert _has_warning("20 rows loaded" + t("intake.warning", text="x", lang="en"))
    assert not _has_warning("20 rows loaded")


def test_an_archive_folder_linked_out_of_the_data_folder_is_refused_before_writing(samla_env, tmp_path):
    """Every path written is checked to lie under SAMLA_DATA_DIR: the copy, its record and
    the source's seen-by-name file alike."""
    settings, s1, _ = setup(samla_env)
    write_csv(s1.delivery.folder / "participants_2025-01.csv", [participant(p) for p in people(3)])
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    settings.archive_dir.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, settings.archive_dir / "s1")
    with pytest.raises(UnsafePathError, match="SAMLA_DATA_DIR"):
        landing.archive(settings.data_dir, s1, landing.candidate_files(s1.delivery.folder), TODAY)
    assert list(outside.iterdir()) == []
