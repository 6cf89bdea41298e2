"""Steward files for the steward pages' tests: a source with the municipality's own headers and labels,
participants rows in those headers, a file checked as ingestion checks it, a ledger row."""

from __future__ import annotations

from conftest import TEST_KEY
from deliveries import participant, people, write_csv

from transforms.config.sources import parse_sources
from transforms.ingest.file_context import FileContext
from transforms.ingest.ledger import COLUMNS
from transforms.ingest.pipeline import evaluate_file

KEY = TEST_KEY.encode()
PERIOD = "2025-01"
PNRS = people(20, seed=17)
HEADERS = {"person_id": "Personnummer", "programme": "Program", "gender": "Kön", "entry_date": "Startdatum",
           "exit_date": "Slutdatum", "exit_status": "Avslutsorsak", "qualification": "Behörighet", "track": "Spår",
           "labour_status": "Sysselsättning", "newly_arrived": "Nyanländ", "foreign_background": "Utländsk bakgrund",
           "disability": "Funktionsnedsättning", "hours": "Timmar", "activity": "Aktivitet", "date": "Datum"}
RAW = {"id": "s1", "name": "Alingsås", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/s1"},
       "columns": {k: [v] for k, v in HEADERS.items()},
       "codes": {"gender": {"K": "female", "M": "male", "X": "nonbinary"}}}
# Forms of one (synthetic) personnummer as a steward's export may carry it, a float from a numeric column too.
PNR_FORMS = ("9001011239", "900101-1239", "19900101-1239", "199001011239", "9001011239.0", "900101+1239")


def source(tmp_path):
    return parse_sources({"sources": [RAW]}, tmp_path).get("s1")


def own_headers(row: dict[str, str]) -> dict[str, str]:
    return {HEADERS.get(k, k): v for k, v in row.items()}


def participants_rows() -> list[dict[str, str]]:
    return [own_headers(participant(p, gender="K")) for p in PNRS]


def checked(tmp_path, rows, dataset="participants", name=None):
    path = write_csv(tmp_path / (name or f"{dataset}_{PERIOD}.csv"), rows)
    ctx = FileContext(source(tmp_path), dataset, PERIOD, path.name, "e" * 64)
    return ctx, evaluate_file(path, ctx, KEY, None, membership=False)


def ledger_row(name, dataset, period, arrived, status, sha):
    read, accepted = (5, 5) if status == "loaded" else (5, 0)
    return {**dict.fromkeys(COLUMNS, ""), "source": "s1", "dataset": dataset, "period": period, "file_name": name,
            "file_sha256": sha * 64, "arrived_at": arrived, "status": status, "rows_read": read,
            "rows_accepted": accepted, "rows_quarantined": read - accepted, "sequence": 0, "recheck": False}
