"""The load ledger: a record for every check of a delivered file, with its counts, status and message.

exports.md, Conservation: rows read = rows accepted + rows quarantined for
every delivered file. ``LedgerRecord`` refuses to exist otherwise.
Records are JSON files, one per check of a source/dataset/period/checksum,
written atomically and never overwritten (history is kept): a re-check
appends ``<sha>.<n>.json``. ``read`` derives what counts from them; ``history``
returns every record.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from transforms import atomic
from transforms.clock import local_time
from transforms.paths import inside_data_dir
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
    sequence: int = 0  # 0 for a file's first record, then 1, 2 … for each re-check
    recheck: bool = False  # a re-check of a file already recorded (e.g. against a new participants snapshot)
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> the file's own header

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


def record_path(ledger_dir: Path, source: str, dataset: str, period: str, sha: str, sequence: int = 0) -> Path:
    name = f"{sha}.json" if sequence == 0 else f"{sha}.{sequence}.json"
    return ledger_dir / source / dataset / (period or "_") / name


def write(ledger_dir: Path, record: LedgerRecord) -> Path:
    """Append ``record`` as the file's next record; an earlier record is never replaced."""
    folder = record_path(ledger_dir, record.source, record.dataset, record.period, record.file_sha256).parent
    folder.mkdir(parents=True, exist_ok=True)
    record.sequence = len(list(folder.glob(f"{record.file_sha256}*.json")))
    while True:
        path = record_path(ledger_dir, record.source, record.dataset, record.period, record.file_sha256,
                           record.sequence)
        inside_data_dir(path, ledger_dir)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(record), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        try:
            os.link(tmp, path)  # fails rather than replace a record another process wrote meanwhile
            return path
        except FileExistsError:
            record.sequence += 1
        finally:
            tmp.unlink(missing_ok=True)


def complete(ledger_dir: Path, record: LedgerRecord) -> Path:
    """Rewrite the record just written (same check, same sequence) once its Data Docs page exists."""
    path = record_path(ledger_dir, record.source, record.dataset, record.period, record.file_sha256, record.sequence)
    inside_data_dir(path, ledger_dir)
    return atomic.write_json(path, asdict(record))


_FILE = ["source", "dataset", "period", "file_sha256"]


def history(ledger_dir: Path, source: str | None = None) -> pd.DataFrame:
    """Every record ever written, oldest check of each file first."""
    root = ledger_dir / source if source else ledger_dir
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.json"))] if root.is_dir() else []
    frame = pd.DataFrame(records, columns=list(LedgerRecord.__dataclass_fields__))
    frame["sequence"] = frame["sequence"].fillna(0).astype(int)
    frame["recheck"] = frame["recheck"].fillna(False).astype(bool)
    return frame.sort_values(_FILE + ["sequence"], kind="stable").reset_index(drop=True)


def read(ledger_dir: Path, source: str | None = None) -> pd.DataFrame:
    """What counts, one row per file: its newest record — except that a re-check rejecting a file whose
    rows were loaded earlier does not undo that load (the rows stay in curated): the earlier
    load counts, and the re-check is told in its message and warnings."""
    frame = history(ledger_dir, source)
    last = frame.groupby(_FILE, sort=False, dropna=False).tail(1)
    undone = last[last["recheck"] & (last["status"] == "rejected")]
    rows = last.drop(index=undone.index).to_dict("records")
    for index, check in undone.iterrows():
        same = frame.loc[:index]
        same = same[(same[_FILE] == check[_FILE]).all(axis=1) & (same["status"] != "rejected")]
        if same.empty:
            rows.append(check.to_dict())
            continue
        counted = same.iloc[-1].to_dict()
        when = local_time(check["processed_at"])
        note = f"re-check {when} rejected the file: {check['message']}; the rows loaded earlier stay"
        counted.update(message=f"{counted['message']}; {note}", warnings=[*counted["warnings"], note],
                       processed_at=check["processed_at"], sequence=check["sequence"], recheck=True)
        rows.append(counted)
    out = pd.DataFrame(rows, columns=frame.columns)
    return out.sort_values(["source", "dataset", "period", "arrived_at"], kind="stable").reset_index(drop=True)


def latest(ledger_dir: Path, source: str, dataset: str, period: str, sha: str) -> dict | None:
    """The newest record of one file, or None."""
    folder = record_path(ledger_dir, source, dataset, period, sha).parent
    found = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob(f"{sha}*.json")]
    return max(found, key=lambda r: r.get("sequence", 0)) if found else None


def exists(ledger_dir: Path, source: str, dataset: str, period: str, sha: str) -> bool:
    return record_path(ledger_dir, source, dataset, period, sha).exists()
