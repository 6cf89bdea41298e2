"""One way to write a file so that a reader sees the old content or the new, never half.

The new content goes to a unique temporary file in the target's folder (same file
system, so ``os.replace`` is atomic), is flushed to disk, replaces the target, and the
folder entry is flushed too, so a crash after the call returns cannot lose the rename.
On any failure the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transforms.paths import inside_data_dir

# A process killed mid-write leaves ".<name>.<random>.tmp" behind: readers of landing
# folders and of the data folder's trees ignore that suffix.
TEMP_SUFFIX = ".tmp"
# The next write of the same target removes such leftovers once they are this old: no
# live write takes an hour, and age (unlike a pid) also holds on a folder shared by hosts.
STALE_AFTER_SECONDS = 3600


def _umask_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def fsync_dir(folder: Path) -> None:
    # Makes a rename durable; some file systems refuse it on a folder (nothing to do there).
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temps(target: Path, older_than: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Remove ``target``'s temporary files left by a killed earlier write; return them."""
    target = Path(target)
    cutoff = time.time() - older_than
    removed = []
    for leftover in target.parent.glob(f".{glob_escape(target.name)}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):  # gone already, or another writer's sweep won
            if leftover.is_file() and not leftover.is_symlink() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed.append(leftover)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


@contextlib.contextmanager
def atomic_path(target: Path, mode: int | None = None, *, root: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; write it inside the block.

    On leaving the block without error the file is fsynced, given ``mode`` (default:
    the target's current mode, else what a plain ``open()`` would give) and renamed
    over ``target``. Stale temporary files of earlier killed writes of ``target`` go first.
    With ``root`` (the data folder), a target resolving outside it is
    refused before anything, even its folder, is created.
    """
    target = Path(target)
    if root is not None:
        inside_data_dir(target, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if mode is None:
            mode = target.stat().st_mode & 0o777 if target.exists() else _umask_mode()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_bytes(target: Path, data: bytes, mode: int | None = None, *, root: Path | None = None) -> Path:
    with atomic_path(target, mode, root=root) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: Path, text: str, mode: int | None = None, *, root: Path | None = None) -> Path:
    return write_bytes(target, text.encode("utf-8"), mode, root=root)


def write_json(target: Path, document: Any, mode: int | None = None, *, root: Path | None = None) -> Path:
    """JSON as Samla keeps its records: UTF-8, readable, keys sorted."""
    return write_text(target, json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True), mode, root=root)


def write_parquet(target: Path, table: Any, mode: int | None = None, *, root: Path | None = None) -> Path:
    """A ``pyarrow.Table`` as one Parquet file."""
    import pyarrow.parquet as pq

    with atomic_path(target, mode, root=root) as tmp:
        pq.write_table(table, tmp)
    return Path(target)


def write_new(target: Path, data: bytes) -> Path:
    """Write ``data`` as ``target``, which must not exist yet: ``FileExistsError`` when it does.

    For records that are kept, never replaced (the ledger). The content is written and
    flushed in a temporary file beside the target, as ``atomic_path`` does, then hard-linked
    to the target's name: unlike ``os.replace`` the link fails when the name is taken, even
    by another process writing the same moment, and unlike opening the target with
    ``O_EXCL`` a reader never sees it half-written, nor does a crash leave a truncated file
    holding the name.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.link(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return target
