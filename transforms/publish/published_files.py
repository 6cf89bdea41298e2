"""Published layer: the published tables as Parquet files (indicators.md, "The published table").

Each file is written with ``transforms.atomic`` (temporary file in the same
folder, fsync, ``os.replace``), so a reader opens the old file or the new one,
never a half-written one. Files are replaced one by one: the set is not replaced atomically as a
whole — the warehouse is the place for that guarantee.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa

from transforms import atomic

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def write_published_parquet(out_dir: Path, tables: dict[str, pd.DataFrame], *,
                            root: Path | None = None) -> dict[str, Path]:
    """Write every table as ``<out_dir>/<name>.parquet``, each atomically.

    The published folder is public within the reporting organisation, so a
    ``*_restricted`` table (unsuppressed numbers, project office only) is refused.
    Returns the path of each file written. ``root``: the data folder every file must lie in.
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
    if root is not None:
        from transforms.paths import inside_data_dir

        inside_data_dir(out_dir, root)  # before the folder is created
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        target = out_dir / f"{name}.parquet"
        atomic.write_parquet(target, pa.Table.from_pandas(frame, preserve_index=False), root=root)
        written[name] = target
    return written

