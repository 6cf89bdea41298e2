"""A hostile-input corpus, generated at test time, through the real ingestion of one source.

Every case asserts: no crash, the steward's message, conservation (rows read =
accepted + quarantined, and the quarantine holds exactly the quarantined rows),
nothing written outside the data folder, and no personnummer in any output
(files outside raw/, the manifest, the progress lines and the log).
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import hostile
import pytest
from conftest import TEST_KEY
from deliveries import PARTICIPANT_HEADER, make_pnr, participant, people, write_csv
from privacy import leaks, personnummer_in

from transforms.config.settings import load_settings
from transforms.config.sources import parse_sources
from transforms.ingest import curated, landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source

PERIOD = "2025-01"
PNRS = people(6, seed=21)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def rows():
    return [participant(p) for p in PNRS]


def write(name: str, data: bytes):
    return lambda folder, outside: (folder / name).write_bytes(data)


def csv_rows(name: str, header=None, body=None):
    return lambda folder, outside: write_csv(folder / name, body or rows(), header=header)


def long_line(folder: Path, outside: Path) -> None:
    with open(folder / f"participants_{PERIOD}.csv", "wb") as handle:
        handle.write(b"person_id,programme\n")
        chunk = b"A" * (1 << 20)
        for _ in range(191):  # 200 MB and more in one line
            handle.write(chunk)


def symlink(folder: Path, outside: Path) -> None:
    secret = outside / "passwd"
    secret.write_text(f"root:x:0:0:{PNRS[0]}:/root\n")
    os.symlink(secret, folder / f"participants_{PERIOD}.csv")


def subfolder(folder: Path, outside: Path) -> None:
    (folder / "januari").mkdir()
    write_csv(folder / "januari" / f"participants_{PERIOD}.csv", rows())


def hidden_forms(folder: Path, outside: Path) -> None:
    body = [participant(p) for p in people(12, seed=22)]  # 2 faulty rows stay under the 20 % threshold
    body[0]["person_id"] = body[0]["person_id"].translate(WIDE)  # full width: normalised and loaded
    body[1]["programme"] = f"{PNRS[1][:8]} {PNRS[1][8:]}"  # a spaced number in a code column
    body[2]["person_id"] = "٢٠٠٥٠١٢٨٣٨٤٠"  # another digit script: a row fault, never a crash
    write_csv(folder / f"participants_{PERIOD}.csv", body)


def wide_header(folder: Path, outside: Path) -> None:
    (folder / f"participants_{PERIOD}.csv").write_text(",".join(f"k{i}" for i in range(1_000_000)) + "\n1\n")


CASES = {
    "empty": (write(f"participants_{PERIOD}.csv", b""), "0 byte", {}),
    "bom_only": (write(f"participants_{PERIOD}.csv", b"\xef\xbb\xbf"), "ingen text", {}),
    "nul_bytes": (write(f"participants_{PERIOD}.csv", b"person_id\x00\x00,x\n" * 50), "NUL-tecken", {}),
    "truncated_zip": (write(f"participants_{PERIOD}.xlsx", hostile.truncated_zip()), "går inte att öppna", {}),
    "line_of_200_mb": (long_line, "SAMLA_MAX_FILE_BYTES", {}),
    "duplicate_headers": (csv_rows(f"participants_{PERIOD}.csv", header=PARTICIPANT_HEADER + ["person_id"]),
                          "dubblerad kolumn", {}),
    "name_with_newline": (csv_rows(f"participants_{PERIOD}\n.csv"), "följer inte", {}),
    "name_with_rtl": (csv_rows(f"\u202eparticipants_{PERIOD}.csv"), "följer inte", {}),
    "name_with_sql": (csv_rows(f"participants_{PERIOD}'; DROP TABLE load_ledger;--.csv"), "följer inte", {}),
    "name_is_a_personnummer": (csv_rows(f"{make_pnr(date(2006, 5, 17), 42)}.csv"), "följer inte", {}),
    "symlink": (symlink, "symbolisk länk", {}),
    "fifo": (lambda folder, outside: os.mkfifo(folder / f"attendance_{PERIOD}.csv"), "ingen vanlig fil", {}),
    "subfolder": (subfolder, "undermapp", {}),
    "dimension_bomb": (write(f"participants_{PERIOD}.xlsx", hostile.dimension_bomb()), "obligatorisk kolumn", {}),
    "external_entity": (write(f"participants_{PERIOD}.xlsx", hostile.external_entity()), "dokumenttyp", {}),
    "billion_laughs": (write(f"participants_{PERIOD}.xlsx", hostile.billion_laughs()), "dokumenttyp", {}),
    "cut_off_sheet": (write(f"participants_{PERIOD}.xlsx", hostile.cut_off_sheet()), "går inte att läsa", {}),
    "zip_bomb": (write(f"participants_{PERIOD}.xlsx", hostile.zip_bomb(1_100_000_000)), "uppackat", {}),
    "hidden_personnummer_forms": (hidden_forms, "i karantän", {}),  # Swedish first
    "million_column_header": (wide_header, "SAMLA_MAX_COLUMNS", {}),
    "workbook_named_csv": (write(f"participants_{PERIOD}.csv", hostile.workbook_bytes([["person_id"], ["x"]])),
                           "Excel-arbetsbok", {"format": {"kind": "csv"}}),
    # exports.md: a long cell is its row's fault; the file's other rows load.
    "long_cell": (csv_rows(f"participants_{PERIOD}.csv", body=[participant(PNRS[0], programme="Å" * 20_000)]
                           + [participant(p) for p in PNRS[1:]]), "1 rad i karantän", {}),
}


def files_outside(root: Path, data_dir: Path) -> set[Path]:
    return {p for p in root.rglob("*") if data_dir not in p.parents and p != data_dir}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input(case, samla_env, tmp_path, caplog):
    build, expected, extra = CASES[case]
    settings = load_settings()
    entry = {"id": "s1", "name": "Test", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"}}
    source = parse_sources({"sources": [entry | extra]}, settings.data_dir).get("s1")
    folder = source.delivery.folder
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    build(folder, outside)
    before = files_outside(tmp_path.parent, settings.data_dir)
    progress: list[str] = []

    with caplog.at_level(logging.INFO):
        manifest = ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(folder),
                                 today=date(2025, 3, 15), progress=progress.append).manifest()

    messages = " | ".join(f["message"] for f in manifest["files"])
    assert expected in messages, messages
    assert len(messages) < 3000, "a message echoes delivered content"
    records = Ledger(settings.ledger_dir).counted()
    assert len(records) >= 1
    quarantine = curated.read_quarantine(settings.quarantine_dir)
    for r in records.itertuples():
        assert r.rows_read == r.rows_accepted + r.rows_quarantined
        held = quarantine[quarantine["file_sha256"] == r.file_sha256]["source_row"].nunique()
        assert held == r.rows_quarantined, r
    assert files_outside(tmp_path.parent, settings.data_dir) == before, "written outside the data folder"
    assert not leaks(settings.data_dir), "a personnummer outside raw/"
    output = repr(manifest) + "\n".join(progress) + caplog.text
    assert not personnummer_in(output)
    big = [p for p in settings.data_dir.rglob("*") if p.is_file() and "raw" not in p.parts
           and p.stat().st_size > 5_000_000]
    assert not big, "an output grew with the delivered content"
