"""The load ledger: a record for every check of a delivered file, with its counts, status and message.

exports.md, Conservation: rows read = rows accepted + rows quarantined for
every delivered file. A ``LedgerRecord`` refuses to exist otherwise, and cannot
be changed once it exists.

Records are JSON files, one per check of a delivery (``DeliveryKey``), at
``<ledger>/<source>/<dataset>/<period or _>/<sha256>.json``; a re-check of the
same file adds ``<sha256>.<n>.json``, and no record is ever overwritten (the
history is kept). ``Ledger`` is the one way to write and read them; the frames
it returns (``history``, ``counted``) are views of the records, one column per
field of ``LedgerRecord.to_dict``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import atomic
from transforms.clock import local_time
from transforms.ingest.landing import DeliveryKey
from transforms.paths import inside_data_dir
from transforms.privacy.personnummer import mask_in_text

STATUSES = ("loaded", "loaded_with_quarantine", "rejected")


class ConservationError(AssertionError):
    """Counts that do not add up, or contradict the status: a bug, never an input problem."""


@dataclass(frozen=True, kw_only=True)
class LedgerRecord:
    """One check of one delivered file: built once, with every fact, and never changed.

    ``sequence`` is given by ``Ledger.write`` (0 for a file's first record, then 1, 2 …);
    the record it returns carries it.
    """

    key: DeliveryKey
    file_name: str
    arrived_at: str
    processed_at: str
    status: str
    message: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    detected_format: str = ""
    warnings: tuple[str, ...] = ()
    participants_sha256: str = ""  # the snapshot that membership was checked against
    data_docs: str = ""  # the file's Data Docs page, relative to the data folder
    steward_page: str = ""  # the file's page for its steward (steward_pages), relative to the data folder
    rule: str = ""  # the file-level rule of a rejected file (e.g. internal_error)
    sequence: int = 0
    recheck: bool = False  # a re-check of a file already recorded (e.g. against a new participants snapshot)
    headers: tuple[tuple[str, str], ...] = ()  # (canonical column, the file's own header)

    def __post_init__(self) -> None:
        # The ledger is shown everywhere (status, e-mail, warehouse): nothing delivered reaches it unmasked.
        object.__setattr__(self, "file_name", mask_in_text(self.file_name))
        object.__setattr__(self, "message", mask_in_text(self.message))
        object.__setattr__(self, "warnings", tuple(mask_in_text(w) for w in self.warnings))
        object.__setattr__(self, "headers", tuple(dict(self.headers).items()))
        if self.status not in STATUSES:
            raise ValueError(f"unknown ledger status {self.status!r}")
        read, accepted, held = self.rows_read, self.rows_accepted, self.rows_quarantined
        fault = ("a negative count" if min(read, accepted, held, self.sequence) < 0
                 else "rows read != accepted + quarantined" if read != accepted + held
                 else "a rejected file with accepted rows" if self.status == "rejected" and accepted
                 else "a loaded file with quarantined rows" if self.status == "loaded" and held
                 else "no quarantined rows" if self.status == "loaded_with_quarantine" and not held
                 else None)
        if fault:
            key = self.key
            raise ConservationError(
                f"{key.source}/{key.dataset}/{key.period} {self.file_name}: {fault} (status {self.status}, "
                f"rows read {read}, accepted {accepted}, quarantined {held})")

    @property
    def source(self) -> str:
        return self.key.source

    @property
    def dataset(self) -> str:
        return self.key.dataset

    @property
    def period(self) -> str:
        return self.key.period

    @property
    def file_sha256(self) -> str:
        return self.key.sha256

    def to_dict(self) -> dict[str, Any]:
        """The record as stored: one flat JSON object, the key's fields first."""
        document: dict[str, Any] = {"source": self.source, "dataset": self.dataset, "period": self.period,
                    "file_name": self.file_name, "file_sha256": self.file_sha256}
        for name in _FACTS:
            document[name] = getattr(self, name)
        document["warnings"], document["headers"] = list(self.warnings), dict(self.headers)
        return document

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> LedgerRecord:
        """A stored record, from any version of Samla: fields added since are left at their defaults."""
        facts = {name: document[name] for name in _FACTS if document.get(name) is not None}
        facts["headers"] = tuple(facts.get("headers", {}).items())
        return cls(key=DeliveryKey(document["source"], document["dataset"], document["period"] or "",
                                   document["file_sha256"]), file_name=document["file_name"], **facts)


# Every stored field after the key's and the file name, in the order of the stored JSON's columns.
_FACTS = ("arrived_at", "detected_format", "rows_read", "rows_accepted", "rows_quarantined", "status", "message",
          "processed_at", "warnings", "participants_sha256", "data_docs", "rule", "sequence", "recheck", "headers",
          "steward_page")
COLUMNS = ["source", "dataset", "period", "file_name", "file_sha256", *_FACTS]
_FILE = ["source", "dataset", "period", "file_sha256"]


class Ledger:
    """The ledger folder: writes records, each exactly once, and reads them back.

    A record is written with ``atomic.write_new`` (a hard link), not with the
    ``os.replace`` every other Samla file is written with: a record's sequence number
    is chosen by counting the records already there, and with a replace a second
    writer that counted at the same moment would overwrite the first one's record,
    neither noticing. The link fails instead when the name is taken, and the writer
    takes the next number: every check keeps its own record.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: DeliveryKey, sequence: int = 0) -> Path:
        name = f"{key.sha256}.json" if sequence == 0 else f"{key.sha256}.{sequence}.json"
        return self.folder / key.source / key.dataset / (key.period or "_") / name

    def _files(self, key: DeliveryKey) -> list[Path]:
        """Every record file of ``key``: its first, ``<sha>.json``, and its re-checks, ``<sha>.<n>.json``."""
        first = self.path(key)
        if not first.parent.is_dir():
            return []
        rechecks = first.parent.glob(f"{atomic.glob_escape(key.sha256)}.*.json")
        return [p for p in (first, *rechecks) if p.exists()]

    def write(self, record: LedgerRecord) -> LedgerRecord:
        """Add ``record`` as its file's next record and return it as stored (with its ``sequence``).

        An earlier record is never replaced."""
        sequence = len(self._files(record.key))
        while True:
            path = self.path(record.key, sequence)
            inside_data_dir(path, self.folder)
            stored = replace(record, sequence=sequence)
            text = json.dumps(stored.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)
            try:
                atomic.write_new(path, text.encode("utf-8"))
                return stored
            except FileExistsError:  # another process wrote this one meanwhile
                sequence += 1

    def exists(self, key: DeliveryKey) -> bool:
        """Whether the file has been recorded at all."""
        return self.path(key).exists()

    def latest(self, key: DeliveryKey) -> LedgerRecord | None:
        """The newest record of one file, or None."""
        found = [_load(p) for p in self._files(key)]
        return max(found, key=lambda r: r.sequence) if found else None

    def records(self, source: str | None = None) -> list[LedgerRecord]:
        """Every record ever written (of ``source``), in path order."""
        root = self.folder / source if source else self.folder
        return [_load(p) for p in sorted(root.rglob("*.json"))] if root.is_dir() else []

    def history(self, source: str | None = None) -> pd.DataFrame:
        """Every record ever written as a frame (``COLUMNS``), oldest check of each file first."""
        return _frame(self.documents(source))

    def documents(self, source: str | None = None) -> list[dict[str, Any]]:
        """``history`` as plain records (``LedgerRecord.to_dict``), in the same order, without the frame."""
        # Sorted as plain dicts, the frame made once: a source's few records cost pandas' fixed overhead
        # per operation many times over (stable sorts, as the frame's were).
        documents = [r.to_dict() for r in self.records(source)]
        documents.sort(key=lambda d: (*(d[c] for c in _FILE), d["sequence"]))
        return documents

    def counted(self, source: str | None = None) -> pd.DataFrame:
        """What counts, one row per file: its newest record — except that a re-check rejecting a file whose
        rows were loaded earlier does not undo that load (the rows stay in curated): the earlier
        load counts, and the re-check is told in its message and warnings."""
        history = self.documents(source)
        newest = sorted({_file(d): i for i, d in enumerate(history)}.values())
        rows = [history[i] for i in newest if not _undone(history[i])]
        for i in (i for i in newest if _undone(history[i])):
            check = history[i]
            same = [d for d in history[:i + 1] if _file(d) == _file(check) and d["status"] != "rejected"]
            if not same:
                rows.append(check)
                continue
            counted = dict(same[-1])
            when = local_time(check["processed_at"])
            note = f"re-check {when} rejected the file: {check['message']}; the rows loaded earlier stay"
            counted.update(message=f"{counted['message']}; {note}", warnings=[*counted["warnings"], note],
                           processed_at=check["processed_at"], sequence=check["sequence"], recheck=True)
            rows.append(counted)
        rows.sort(key=lambda d: (d["source"], d["dataset"], d["period"], d["arrived_at"]))
        return _frame(rows)


def _file(document: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(document[c] for c in _FILE)


def _undone(document: Mapping[str, Any]) -> bool:
    """A re-check that rejected its file: whether it undoes an earlier load is decided by ``counted``."""
    return bool(document["recheck"]) and document["status"] == "rejected"


def _load(path: Path) -> LedgerRecord:
    return LedgerRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS).astype({"sequence": int, "recheck": bool})
