"""A source delivering by SFTP, pulled with the Airflow SFTP provider from a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os

import pytest
from deliveries import attendance, participant, people, write_csv
from sftp_server import sftp_server

from transforms.ingest import curated
from transforms.ingest.ledger import Ledger

pytestmark = pytest.mark.sftp
PNRS = people(10, seed=11)


def test_sftp_source_lands_in_curated(samla_env, tmp_path, monkeypatch):
    remote_root = tmp_path / "sftp-root"
    exports = remote_root / "exports" / "fokus"
    write_csv(exports / "participants_2025-01.csv", [participant(p) for p in PNRS])
    write_csv(exports / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1480"\n    municipalities: ["1480"]\n'
                       '    delivery: {sftp: {conn_id: sftp_goteborg, path: /exports/fokus}}\n')
    monkeypatch.setenv("SAMLA_SOURCES", str(sources))
    with sftp_server(remote_root) as server:
        monkeypatch.setenv("AIRFLOW_CONN_SFTP_GOTEBORG", json.dumps({
            "conn_type": "sftp", "host": server.host, "port": server.port, "login": server.username,
            "password": server.password, "extra": {"no_host_key_check": True}}))
        from samla_airflow.ingestion import ingest_one_source

        manifest = ingest_one_source("1480", None)
        assert {f["status"] for f in manifest["files"]} == {"loaded"}
        assert ingest_one_source("1480", None)["files"] == [], "the same bytes are processed once"
    assert len(curated.read_dataset(samla_env / "curated", "attendance")) == 10
    records = Ledger(samla_env / "ledger").counted()
    assert (records["rows_read"] == records["rows_accepted"]).all()
    assert sorted(os.listdir(samla_env / "raw" / "landing" / "_sftp" / "1480")) == ["attendance_2025-01.csv",
                                                                             "participants_2025-01.csv"]
