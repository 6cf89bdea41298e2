"""``samla config check``: every fault of the sources and project files at once (exit 2), or ok (exit 0)."""

from __future__ import annotations

import pytest
import yaml
from samla_airflow.cli import main

PROJECT = {"code": "P", "name": "Prov", "first_period": "2025-01", "last_period": "2025-12",
           "region": {"code": "R", "name": "Region"},
           "federations": [{"code": "F", "name": "Förbund", "municipalities": {"1480": "Göteborg", "1489": "Alingsås"}}]}


def _run(monkeypatch, tmp_path, capsys, document, lang="sv"):
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAMLA_LANGUAGE", lang)
    status = main(["config", "check"])
    return status, capsys.readouterr().out


def test_every_fault_of_both_files_at_once(monkeypatch, tmp_path, capsys):
    document = {"project": PROJECT | {"first_period": "2025-13"}, "sources": [
        {"id": "a", "municipalities": ["1480"], "delivery": {"folder": "/etc"}, "format": {"delimiter": "|"}},
        {"id": "b/c", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/b"}, "steward": "Eva"},
    ]}
    status, out = _run(monkeypatch, tmp_path, capsys, document)
    assert status == 2
    lines = out.splitlines()
    assert lines[0].startswith("Konfigurationen har 5 fel (källfil ")
    faults = [line.removeprefix("  - ") for line in lines if line.startswith("  - ")]
    assert len(faults) == 5
    assert faults[0].startswith("källfilen ") and "nyckeln 'project.first_period'" in faults[0]
    assert "källan 'a': nyckeln 'format.delimiter': '|' är inte ett av , ; tab" in faults
    assert "källan 'a': nyckeln 'delivery.folder': /etc är en systemmapp; ge källan en egen mapp" in faults
    assert any(f.startswith("källan 'b/c': nyckeln 'id': ska vara 1–40 bokstäver") for f in faults)
    assert "källan 'b/c': nyckeln 'steward': ska vara en avbildning (nyckel: värde)" in faults
    assert lines[-1].startswith("Rätta nycklarna ovan")
    status, out = _run(monkeypatch, tmp_path, capsys, document, lang="en")
    faults = [line.removeprefix("  - ") for line in out.splitlines() if line.startswith("  - ")]
    assert status == 2 and len(faults) == 5
    assert faults[0].startswith("sources file ") and "key 'project.first_period'" in faults[0]
    assert "source 'a': key 'format.delimiter': '|' is not one of , ; tab" in faults
    assert "source 'a': key 'delivery.folder': /etc is a system folder; give the source a folder of its own" in faults
    assert any(f.startswith("source 'b/c': key 'id': must be 1-40 letters") for f in faults)
    assert "source 'b/c': key 'steward': must be a mapping (key: value)" in faults


def test_ok_with_one_line_per_source(monkeypatch, tmp_path, capsys):
    document = {"project": PROJECT, "sources": [
        {"id": "gbg", "name": "Göteborg", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/gbg"},
         "format": {"kind": "xlsx"}, "steward": {"email": "eva@goteborg.example"}},
        {"id": "als", "municipalities": ["1489"], "delivery": {"sftp": {"conn_id": "sftp_als", "path": "/ut"}}},
    ]}
    status, out = _run(monkeypatch, tmp_path, capsys, document)
    assert status == 0
    assert out.splitlines() == [
        "ok: 2 källor i projektet Prov (2025-01..2025-12, 2 kommuner)",
        f"  gbg Göteborg: kommuner 1480; levererar till {tmp_path / 'data' / 'raw/landing/gbg'}; format xlsx; "
        "förvaltare eva@goteborg.example",
        "  als: kommuner 1489; levererar till sftp sftp_als:/ut; format avgörs per fil; förvaltare ingen angiven",
    ]
    status, out = _run(monkeypatch, tmp_path, capsys, document, lang="en")
    assert status == 0 and out.startswith("ok: 2 sources in the project Prov (2025-01..2025-12, 2 municipalities)")


def test_other_commands_run_beside_a_faulty_entry_and_name_it_for_its_source(monkeypatch, tmp_path, capsys):
    document = {"project": PROJECT, "sources": [
        {"id": "gbg", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/gbg"}},
        {"id": "als", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/als"},
         "format": {"delimiter": "|"}},
    ]}
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)  # Swedish by default
    delivered = tmp_path / "participants_2025-01.csv"
    delivered.write_text("person_id\n", encoding="utf-8")
    assert main(["status"]) == 0
    assert main(["check", str(delivered), "--source", "als"]) == 2
    assert "samla check: källan 'als': nyckeln 'format.delimiter': '|' är inte ett av , ; tab" in capsys.readouterr().err


def test_a_faulty_file_fails_every_task_at_once(monkeypatch, tmp_path):
    from airflow.sdk.exceptions import AirflowFailException
    from samla_airflow import ingestion, publication

    path = tmp_path / "sources.yaml"
    path.write_text("sources: [\n  - id: x\n", encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)  # Swedish by default
    for call in (lambda: ingestion.ingest_one_source("x", None), ingestion.check_unknown_sources,
                 lambda: ingestion.summarise_run(None), lambda: publication.publish_indicators(None),
                 publication.export_published_files):
        with pytest.raises(AirflowFailException, match="källfilen \\(SAMLA_SOURCES\\) .*: inte giltig YAML"):
            call()
