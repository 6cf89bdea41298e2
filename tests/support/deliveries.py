"""Builders for synthetic test deliveries. Every personnummer here is generated, never real."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path

# The one synthetic-personnummer builder, shared with the demo generator (its own Luhn sum).
from transforms.demo.synthetic_pnr import synthetic_pnr as make_pnr

PARTICIPANT_HEADER = ["person_id", "programme", "gender", "entry_date", "exit_date", "exit_status", "qualification",
                      "track", "labour_status", "newly_arrived", "foreign_background", "disability"]


def people(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        out.add(make_pnr(date(rng.randint(2005, 2009), rng.randint(1, 12), rng.randint(1, 28)), rng.randint(0, 999)))
    return sorted(out)


def participant(pnr: str, **overrides) -> dict[str, str]:
    row = {"person_id": pnr, "programme": "IMS", "gender": "female", "entry_date": "2024-10-01", "exit_date": "",
           "exit_status": "", "qualification": "", "track": "none", "labour_status": "inactive",
           "newly_arrived": "1", "foreign_background": "1", "disability": "no"}
    row.update(overrides)
    return row


def attendance(pnr: str, month: str, scheduled=1000, attended=900, valid=50, invalid=50, **extra) -> dict[str, str]:
    row = {"person_id": pnr, "month": month, "scheduled_min": str(scheduled), "attended_min": str(attended),
           "absence_valid_min": str(valid), "absence_invalid_min": str(invalid)}
    row.update({k: str(v) for k, v in extra.items()})
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None, delimiter: str = ",",
              encoding: str = "utf-8", line_end: str = "\n") -> Path:
    header = header or list(rows[0])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
