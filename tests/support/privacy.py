"""Scans for personnummer in what the pipeline writes (exports.md, Privacy).

``personnummer_in`` is deliberately not the production scanner: it tries every
stretch of the NFKC text that starts and ends at a digit-group boundary and asks
``personnummer.parse`` (the definition of an accepted form) about each, so a gap
in ``mask_in_text`` shows up here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from transforms.privacy.personnummer import SEPARATORS, PersonnummerError, parse

# Digits and whatever people type between them (spaces, tabs, - + . _ / and dashes), in any mix;
# not across lines, where a file's rows would run together.
_STRETCH = re.compile(rf"[0-9][0-9 \t{re.escape(SEPARATORS)}]*")
_NOT_DIGIT = re.compile(r"[^0-9]")
_HOUR = re.compile(r":[0-9]")  # "08:30": the 08 is an hour (a timestamp), never a check digit
# A SHA-256 digest (file and record ids) holds a personnummer-shaped, Luhn-valid run of
# digits about once in 1 250 digests: chance, not a leak. Such tokens are blanked first.
_DIGEST = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z])")
# A digest's 12-character prefix names a Data Docs page (``2024-10/682393ecfa97-<run>.html``): as above.
_DIGEST_PREFIX = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])[0-9a-f]{12}(?![0-9A-Za-z])")
# GX's compact UTC times (a batch's ge_load_time ``20261207T192008.249654Z``, older page names
# ``20261207T190608913935Z``): in the evening the time of day with its microseconds reads as a 12-digit
# personnummer of the 1900s, Luhn-valid by chance. Blanked first.
_RUN_TIME = re.compile(r"(?<![0-9])[0-9]{8}T[0-9]{6}(?:[.,]?[0-9]{1,9})?Z")
_FUTURE = date(2099, 12, 31)
# A 12-digit run with the century 00-17 (a 12-character file-hash prefix of digits only, as in
# Data Docs page names) parses, but nobody alive was born in the year 19: not a leak.
_OLDEST = 1870


def personnummer_in(text: str) -> list[str]:
    """Every substring of ``text`` bounded by non-digits whose digits alone ``parse`` accepts."""
    text = unicodedata.normalize("NFKC", str(text))
    for digest in (_RUN_TIME, _DIGEST, _DIGEST_PREFIX):
        text = digest.sub(lambda m: "#" * len(m.group()), text)
    found = []
    for stretch in _STRETCH.finditer(text):
        s, e = stretch.span()
        starts = [i for i in range(s, e) if text[i].isdigit() and (i == 0 or not text[i - 1].isdigit())]
        ends = [j for j in range(s + 1, e + 1) if text[j - 1].isdigit() and (j == len(text) or not text[j].isdigit())]
        for i in starts:
            for j in ends:
                digits = _NOT_DIGIT.sub("", text[i:j])
                if j > i and 10 <= len(digits) <= 12 and not _HOUR.match(text, j):
                    try:
                        number = parse(digits, _FUTURE)
                    except PersonnummerError:
                        continue
                    if number.birth_date.year >= _OLDEST:
                        found.append(text[i:j])
    return found


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
        if rel.parts and rel.parts[0] in exclude or rel.parts[:2] == ("data_docs", "static"):
            continue  # GX's own shipped assets (numbers in SVG paths read like spaced forms)
        hits = personnummer_in(text_of(path))
        if hits:
            found[str(rel)] = hits[:3]
    return found
