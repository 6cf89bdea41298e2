"""Whether a folder source has anything to do, decided without opening a file.

A source task that finishes without an internal error leaves a stamp: what its
landing folder held when it listed it (names, sizes, times, inodes), the digest of
the source's configuration and of the project, and the periods of archived
deliveries it left unprocessed because they were outside the run's periods. The
next run skips the source when its folder still looks the same, its
configuration is unchanged and no waiting period falls in the run's periods.
Anything else runs the task, which decides by content (sha256) as always.

Why: in the national benchmark's empty month (290 sources, nothing delivered)
every source task spent most of the month's time finding nothing; a skipped task
costs Airflow almost nothing. The stamp may only ever make a run do *more* than needed: a missing,
unreadable or older-version stamp means "run".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from transforms import atomic
from transforms.ingest.landing import archive_root

VERSION = 1
STAMP = "_work_stamp.json"  # beside _seen_by_name.json; archived() reads only three levels down


def _path(data_dir: Path, source_id: str) -> Path:
    return archive_root(data_dir) / source_id / STAMP


def listing(folder: Path) -> list[list[Any]]:
    """Every entry of a landing folder as seen by ``lstat``: a new, changed, renamed or removed one shows."""
    try:
        with os.scandir(folder) as entries:
            found = []
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                found.append([entry.name, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                              info.st_ino])
    except FileNotFoundError:
        return []
    return sorted(found)


def project_digest(project: Any) -> str:
    """The project as loaded (frozen dataclasses: their repr is their content); once per run, not per source."""
    return hashlib.sha256(repr(project).encode()).hexdigest()


def configuration_digest(source: Any, project: str) -> str:
    """The source's entry as loaded, under the project of ``project_digest``."""
    return hashlib.sha256(f"{VERSION}\0{source!r}\0{project}".encode()).hexdigest()


def forget(data_dir: Path, source_id: str) -> None:
    """Called as a task starts: a task that dies half-way must not leave the old stamp standing."""
    with contextlib.suppress(OSError):  # e.g. a folder in its place: unreadable as a stamp, so "run" anyway
        _path(data_dir, source_id).unlink(missing_ok=True)


def write(data_dir: Path, source_id: str, folder_listing: list[list[Any]], digest: str,
          waiting_periods: list[str]) -> bool:
    """Leave the stamp; False when it cannot be written (the load stands, the next run runs the source)."""
    try:
        atomic.write_json(_path(data_dir, source_id), {
            "version": VERSION, "configuration": digest, "listing": folder_listing,
            "waiting_periods": sorted(waiting_periods)}, root=data_dir)
    except OSError:
        return False
    return True


def nothing_to_do(data_dir: Path, source_id: str, folder: Path, digest: str,
                  periods: tuple[str, str] | None) -> bool:
    """True only when the last clean run saw this very folder and configuration and left nothing in ``periods``."""
    try:
        stamp = json.loads(_path(data_dir, source_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp.get("version") != VERSION or stamp.get("configuration") != digest:
        return False
    if stamp.get("listing") != listing(folder):  # JSON gives lists: compared as such
        return False
    waiting = stamp.get("waiting_periods") or []
    return not any(periods is None or periods[0] <= period <= periods[1] for period in waiting)
