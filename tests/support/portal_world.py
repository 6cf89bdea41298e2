"""The portal's test world: two sources with a steward each, their passwords, and a file with a planted fault."""

from __future__ import annotations

from pathlib import Path

from deliveries import participant, people, write_csv

PERIOD = "2025-01"
PASSWORD = "rätt-lösenord-123"
OTHER_PASSWORD = "annat-lösenord-456"
STEWARD = "maria@alingsas.example"
OTHER = "johan@mark.example"
SOURCES = f"""sources:
  - id: "1489"
    name: Alingsås
    municipalities: ["1489"]
    delivery: {{folder: raw/landing/1489}}
    columns: {{person_id: [PersonNr], entry_date: [Startdatum], exit_date: [Slutdatum]}}
    steward: {{name: Maria Lindqvist, email: {STEWARD}}}
  - id: "1463"
    name: Mark
    municipalities: ["1463"]
    delivery: {{folder: raw/landing/1463}}
    steward: {{name: Johan Berglund, email: {OTHER}}}
"""


def set_up(data_dir: Path, tmp_path: Path, monkeypatch) -> Path:
    """The sources file and both stewards' passwords; returns the sources file."""
    from samla_airflow.portal import accounts

    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    monkeypatch.delenv("SAMLA_PORTAL_SECRET", raising=False)
    accounts.set_password(data_dir, STEWARD, PASSWORD)
    accounts.set_password(data_dir, OTHER, OTHER_PASSWORD)
    return sources


def planted_fault(folder: Path, name: str = f"participants_{PERIOD}.csv") -> Path:
    """A participants export in the source's own headers, row 4 (as numbered in the file) ending before it began."""
    rows = [participant(p) for p in people(8, seed=41)]
    rows[2].update(exit_date="2024-08-29", entry_date="2024-09-02", exit_status="employed", qualification="1")
    renamed = [{{"person_id": "PersonNr", "entry_date": "Startdatum", "exit_date": "Slutdatum"}.get(k, k): v
                for k, v in row.items()} for row in rows]
    return write_csv(folder / name, renamed)


def files_under(folder: Path) -> dict[str, float]:
    """Every file below ``folder`` with its modification time: what a check must leave unchanged."""
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}
