"""Published layer: the published tables as Parquet files (indicators.md, "The published table").

Each file is written to a temporary file in the same folder, flushed to disk
and then renamed over the old one (``os.replace`` is atomic within a file
system), so a reader opens the old file or the new one, never a half-written
one. Files are replaced one by one: the set is not replaced atomically as a
whole — the warehouse is the place for that guarantee.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) everywhere.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_published_parquet(out_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """Write every table as ``<out_dir>/<name>.parquet``, each atomically.

    The published folder is public within the reporting organisation, so a
    ``*_restricted`` table (unsuppressed numbers, project office only) is refused.
    Returns the path of each file written.
    """
    out_dir = Path(out_dir)
    for name in tables:
        if not _NAME_RE.match(name):
            raise ValueError(f"table name {name!r} is not a plain identifier (letters, digits, _)")
        if "restricted" in name.lower():
            raise ValueError(
                f"{name!r} is restricted to the project office and is never written to the "
                "published folder"
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        target = out_dir / f"{name}.parquet"
        table = pa.Table.from_pandas(frame, preserve_index=False)
        fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".parquet.tmp")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                pq.write_table(table, fh)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp creates 0600; give the file the mode a plain open() would.
            os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else _default_mode())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written[name] = target
    _fsync_dir(out_dir)
    return written


def atomic_text(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` the same way: temporary file, fsync, rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return target
