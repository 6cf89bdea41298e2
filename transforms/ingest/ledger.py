"""The load ledger: one record per delivered file, with its counts, status and message.

exports.md, Conservation: rows read = rows accepted + rows quarantined for
every delivered file. ``LedgerRecord`` refuses to exist otherwise.
Records are JSON files (one per source/dataset/period/checksum), written
atomically, so parallel source tasks never contend for one file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from transforms import atomic
from transforms.config.paths import inside_data_dir
from transforms.privacy.personnummer import mask_in_text

STATUSES = ("loaded", "loaded_with_quarantine", "rejected", "superseded")


class ConservationError(AssertionError):
    """Rows read != accepted + quarantined: a bug, never an input problem."""


@dataclass
class LedgerRecord:
    source: str
    dataset: str
    period: str
    file_name: str
    file_sha256: str
    arrived_at: str
    detected_format: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    status: str
    message: str
    processed_at: str
    warnings: list[str] = field(default_factory=list)
    participants_sha256: str = ""  # the snapshot that membership was checked against
    data_docs: str = ""
    rule: str = ""  # the file-level rule of a rejected file (e.g. internal_error)

    def __post_init__(self):
        # The ledger is shown everywhere (status, e-mail, warehouse): nothing delivered reaches it unmasked.
        self.file_name, self.message = mask_in_text(self.file_name), mask_in_text(self.message)
        self.warnings = [mask_in_text(w) for w in self.warnings]
        if self.rows_read != self.rows_accepted + self.rows_quarantined:
            raise ConservationError(
                f"{self.source}/{self.dataset}/{self.period} {self.file_name}: rows read {self.rows_read} "
                f"!= accepted {self.rows_accepted} + quarantined {self.rows_quarantined}"
            )
        if self.status not in STATUSES:
            raise ValueError(f"unknown ledger status {self.status!r}")


def record_path(ledger_dir: Path, source: str, dataset: str, period: str, sha: str) -> Path:
    return ledger_dir / source / dataset / (period or "_") / f"{sha}.json"


def write(ledger_dir: Path, record: LedgerRecord) -> Path:
    path = record_path(ledger_dir, record.source, record.dataset, record.period, record.file_sha256)
    inside_data_dir(path, ledger_dir)
    return atomic.write_json(path, asdict(record))


def read(ledger_dir: Path, source: str | None = None) -> pd.DataFrame:
    root = ledger_dir / source if source else ledger_dir
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.json"))] if root.is_dir() else []
    columns = list(LedgerRecord.__dataclass_fields__)
    frame = pd.DataFrame(records, columns=columns)
    return frame.sort_values(["source", "dataset", "period", "arrived_at"], kind="stable").reset_index(drop=True)


def exists(ledger_dir: Path, source: str, dataset: str, period: str, sha: str) -> bool:
    return record_path(ledger_dir, source, dataset, period, sha).exists()
