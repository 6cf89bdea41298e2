"""Scans for personnummer-shaped strings in what the pipeline writes (exports.md, Privacy)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from transforms.privacy.personnummer import find_in_text


def text_of(path: Path) -> str:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas().to_csv(index=False)
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    if path.suffix in {".db", ".sqlite"}:
        import sqlite3

        con = sqlite3.connect(path)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return "\n".join(str(row) for t in tables for row in con.execute(f'select * from "{t}"'))
    return path.read_bytes().decode("utf-8", errors="replace")


def leaks(root: Path, exclude: tuple[str, ...] = ("raw",)) -> dict[str, list[str]]:
    """File -> personnummer-shaped strings found, for every file under ``root`` outside ``exclude``."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if rel.parts and rel.parts[0] in exclude:
            continue
        hits = find_in_text(text_of(path))
        if hits:
            found[str(rel)] = hits[:3]
    return found
