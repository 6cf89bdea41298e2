"""What a run published, as one digest per table: two runs of the same deliveries compare in a line.

    uv run python benchmarks/published_numbers.py DATA_DIR [--compare OTHER.json] [--out FILE.json]

The benchmark (``run_benchmark.py --compare``) uses it to show that making Samla faster changed no
published number: the generator writes the same deliveries every time and the demo key pseudonymises
them the same way, so every published table of a size must come out equal, cell by cell. Left out
are the columns that say *when* (arrival and publication times, entry numbers, page names with their
time stamps), and in the fund report the cells that print a time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

# Columns that change from run to run of the same deliveries.
WHEN = {"arrived_at", "published_at", "processed_at", "entry_no", "state_no", "data_docs", "steward_page",
        "fingerprint", "inputs"}
TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def _digest(frame) -> dict[str, object]:
    """Rows as text, sorted, without the time columns: equal tables give equal digests."""
    kept = frame[[c for c in frame.columns if c not in WHEN]]
    text = kept.astype("string").fillna("<NA>")
    lines = sorted("\x1f".join(row) for row in text.itertuples(index=False, name=None))
    body = "\x1e".join(["\x1f".join(map(str, kept.columns)), *lines])
    return {"rows": len(kept), "cells": int(kept.size), "sha256": hashlib.sha256(body.encode()).hexdigest()}


def _workbook(path: Path) -> dict[str, object]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    digest, cells = hashlib.sha256(), 0
    for sheet in book.worksheets:
        digest.update(f"\x1d{sheet.title}".encode())
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if value is None or isinstance(value, str) and TIME_TEXT.search(value):
                    continue
                cells += 1
                digest.update(f"\x1f{value!r}".encode())
    book.close()
    return {"cells": cells, "sha256": digest.hexdigest()}


def fingerprint(data_dir: Path) -> dict[str, dict[str, object]]:
    """One digest per published Parquet table, warehouse table (both databases) and fund report."""
    import pandas as pd
    import sqlalchemy as sa

    data_dir = Path(data_dir)
    found: dict[str, dict[str, object]] = {}
    for path in sorted((data_dir / "published").glob("*.parquet")):
        found[f"parquet:{path.stem}"] = _digest(pd.read_parquet(path))
    for database in ("warehouse.db", "warehouse_restricted.db"):
        if not (data_dir / database).exists():
            continue
        engine = sa.create_engine(f"sqlite:///{data_dir / database}")
        try:
            for name in sorted(sa.inspect(engine).get_table_names()):
                if name != "alembic_version":
                    found[f"{database}:{name}"] = _digest(pd.read_sql_table(name, engine))
        finally:
            engine.dispose()
    for path in sorted((data_dir / "reports").glob("*.xlsx")):
        found[f"report:{path.name}"] = _workbook(path)
    return found


def differences(ours: dict[str, dict[str, object]], theirs: dict[str, dict[str, object]]) -> list[str]:
    """Tables that differ or exist on one side only; empty when every published number is the same."""
    return [f"{name}: {'missing' if name not in ours else 'new' if name not in theirs else 'differs'}"
            for name in sorted(ours.keys() | theirs.keys()) if ours.get(name) != theirs.get(name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--compare", type=Path, help="a JSON file written by --out for the same deliveries")
    parser.add_argument("--out", type=Path, help="write the digests here as JSON")
    args = parser.parse_args(argv)
    found = fingerprint(args.data_dir)
    if args.out:
        args.out.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
    cells = found.get("parquet:indicator_values", {}).get("rows", 0)
    print(f"{len(found)} tables; indicator_values: {cells:,} published cells")
    if args.compare:
        diff = differences(found, json.loads(args.compare.read_text(encoding="utf-8")))
        print("every published table the same" if not diff else "\n".join(diff))
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
