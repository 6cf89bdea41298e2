"""The settings contract and the sources file: defaults, refusal without a key, errors naming source and key."""

from __future__ import annotations

import pytest

from transforms.config.settings import SettingsError, load_settings, pseudonym_key
from transforms.config.sources import SourcesError, load_sources, parse_sources

MINIMAL = """
sources:
  - id: kfv
    name: Kunskapsförbundet Väst
    municipalities: ["1488", "1487"]
    delivery: {folder: /data/landing/kfv}
  - id: "1480"
    municipalities: ["1480"]
    delivery: {sftp: {conn_id: sftp_goteborg, path: /exports/fokus}}
"""


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.warehouse_url == f"sqlite:///{tmp_path}/warehouse.db"
    assert settings.suppression_threshold == 5 and settings.sources_file.name == "sources.yaml"


def test_refuses_without_key_outside_demo(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SAMLA_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("SAMLA_DEMO", raising=False)
    with pytest.raises(SettingsError, match="SAMLA_PSEUDONYM_KEY is not set"):
        pseudonym_key()


def test_demo_mode_creates_and_keeps_a_local_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SAMLA_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("SAMLA_DEMO", "1")
    first = pseudonym_key()
    assert first == pseudonym_key() and len(first) >= 32
    assert (tmp_path / ".demo_pseudonym_key").stat().st_mode & 0o077 == 0


def test_bad_threshold_names_the_setting(monkeypatch):
    monkeypatch.setenv("SAMLA_SUPPRESSION_THRESHOLD", "five")
    with pytest.raises(SettingsError, match="SAMLA_SUPPRESSION_THRESHOLD"):
        load_settings()


def test_minimal_configuration_works_as_written(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    config = load_sources(path, tmp_path)
    kfv, gbg = config.get("kfv"), config.get("1480")
    assert kfv.municipalities == ("1488", "1487") and str(kfv.delivery.folder) == "/data/landing/kfv"
    assert gbg.delivery.sftp_conn_id == "sftp_goteborg" and gbg.delivery.sftp_path == "/exports/fokus"
    assert gbg.quarantine_threshold == 0.2 and gbg.delivery.pattern == "{dataset}_{period}.{ext}"
    assert gbg.datasets["participants"].format.date_format == "YYYY-MM-DD"


@pytest.mark.parametrize("source, message", [
    ({"id": "x", "municipalities": ["1480"]}, "source 'x': key 'delivery'"),
    ({"id": "x", "municipalities": ["9999"], "delivery": {"folder": "f"}}, "source 'x': key 'municipalities'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"delimiter": "|"}},
     "source 'x': key 'format.delimiter'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "quarantine_threshold": 2},
     "source 'x': key 'quarantine_threshold'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "colums": {}}, "source 'x': key 'colums'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"},
      "datasets": {"participants": {"format": {"date_format": "MM/DD/YYYY"}}}},
     "dataset 'participants': key 'format.date_format'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"sftp": {"path": "/x"}}},
     "source 'x': key 'delivery.sftp.conn_id'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "steward": {"email": "nope"}},
     "source 'x': key 'steward.email'"),
])
def test_errors_name_source_and_key(tmp_path, source, message):
    with pytest.raises(SourcesError, match=message.replace(".", r"\.")):
        parse_sources({"sources": [source]}, tmp_path)


def test_municipality_claimed_twice(tmp_path):
    doc = {"sources": [{"id": "a", "municipalities": ["1480"], "delivery": {"folder": "a"}},
                       {"id": "b", "municipalities": ["1480"], "delivery": {"folder": "b"}}]}
    with pytest.raises(SourcesError, match="source 'b': key 'municipalities': 1480 is already delivered by source 'a'"):
        parse_sources(doc, tmp_path)


def test_project_sources_file_has_ten_municipalities(tmp_path):
    config = load_sources(load_settings().sources_file, tmp_path)
    municipalities = [m for s in config.sources.values() for m in s.municipalities]
    assert sorted(municipalities) == sorted(["1489", "1480", "1384", "1402", "1463", "1442", "1496", "1498",
                                             "1488", "1487"])
    assert config.get("kfv").municipalities == ("1488", "1487")
