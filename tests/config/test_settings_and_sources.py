"""The settings contract and the sources file: defaults, refusal without a key, errors naming source and key."""

from __future__ import annotations

import re

import pytest

from transforms.config.settings import SettingsError, load_limits, load_settings, pseudonym_key
from transforms.config.sources import SourcesError, load_sources, parse_sources


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """The fault texts below are the English ones (SAMLA_LANGUAGE=en); the Swedish: test_faults_in_swedish."""
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")

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
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    with pytest.raises(SettingsError, match="SAMLA_PSEUDONYM_KEY är inte satt .*SAMLA_DEMO=1"):
        pseudonym_key()
    monkeypatch.setenv("SAMLA_MAX_ROWS", "många")
    with pytest.raises(SettingsError, match="SAMLA_MAX_ROWS='många' är inget heltal"):
        load_limits()


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
    folder = tmp_path / "landing" / "kfv"  # an absolute folder outside the data folder must exist
    folder.mkdir(parents=True)
    path.write_text(MINIMAL.replace("/data/landing/kfv", str(folder)), encoding="utf-8")
    config = load_sources(path, tmp_path / "data")
    kfv, gbg = config.get("kfv"), config.get("1480")
    assert kfv.municipalities == ("1488", "1487") and kfv.delivery.folder == folder
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
     "source 'x': key 'datasets.participants.format.date_format': 'MM/DD/YYYY' is not one of YYYY-MM-DD, "),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"delimiter": "|"}},
     "source 'x': key 'format.delimiter': '|' is not one of , ; tab"),
    # rules once checked for some keys and not others
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "columns": {"persn_id": ["Pnr"]}},
     "source 'x': key 'columns.persn_id': not a canonical column"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"},
      "datasets": {"participants": {"columns": {"month": ["Månad"]}}}},
     "source 'x': key 'datasets.participants.columns.month': not a canonical column of participants"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "steward": {"mail": "a@b.se"}},
     "source 'x': key 'steward.mail': unknown key; allowed: name, email"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "steward": "Maria"},
     "source 'x': key 'steward': must be a mapping"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "quarantine_threshold": True},
     "source 'x': key 'quarantine_threshold': must be a share between 0 and 1"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"sheet": 0}},
     "source 'x': key 'format.sheet': must be a sheet name, or a sheet number counted from 1"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"sheet": ""}},
     "source 'x': key 'format.sheet'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "format": {"sheet": True}},
     "source 'x': key 'format.sheet'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"sftp": {"path": "/x"}}},
     "source 'x': key 'delivery.sftp.conn_id'"),
    ({"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}, "steward": {"email": "nope"}},
     "source 'x': key 'steward.email'"),
])
def test_errors_name_source_and_key(tmp_path, source, message):
    with pytest.raises(SourcesError, match=re.escape(message)):
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


def test_every_fault_at_once_and_only_the_faulty_source_stops(tmp_path):
    doc = {"sources": [
        {"id": "a", "municipalities": ["1480"], "delivery": {"folder": "a"},
         "format": {"delimiter": "|", "sheet": 0}, "quarantine_threshold": True, "colums": {}},
        {"id": "b", "municipalities": ["1489"], "delivery": {"folder": "b"}, "format": {"sheet": 2}},
        {"municipalities": ["1384"], "delivery": {"folder": "c"}},
    ]}
    with pytest.raises(SourcesError) as raised:
        parse_sources(doc, tmp_path)
    lines = str(raised.value).splitlines()
    assert lines == [
        "source 'a': key 'format.delimiter': '|' is not one of , ; tab",
        "source 'a': key 'format.sheet': must be a sheet name, or a sheet number counted from 1 (got 0)",
        "source 'a': key 'quarantine_threshold': must be a share between 0 and 1 (e.g. 0.2) (got True)",
        "source 'a': key 'colums': unknown key; allowed: id, name, municipalities, delivery, format, columns, "
        "codes, steward, quarantine_threshold, participants_drop, datasets",
        "sources[2]: key 'id': is required",
    ]
    config = parse_sources(doc, tmp_path, strict=False)
    assert sorted(config.sources) == ["b"] and config.get("b").datasets["survey"].format.sheet == 2
    with pytest.raises(SourcesError, match="source 'a': key 'format.delimiter'"):
        config.get("a")


def test_source_ids_unique_ignoring_case(tmp_path):
    doc = {"sources": [{"id": "kfv", "municipalities": ["1488"], "delivery": {"folder": "a"}},
                       {"id": "KFV", "municipalities": ["1487"], "delivery": {"folder": "b"}}]}
    config = parse_sources(doc, tmp_path, strict=False)
    assert list(config.sources) == ["kfv"]
    with pytest.raises(SourcesError, match="source 'KFV': key 'id': is used by two sources"):
        config.get("KFV")


def test_participants_drop_key(tmp_path):
    """Warn by default at 10 %; a source may say reject, and the key is checked."""
    base = {"id": "x", "municipalities": ["1480"], "delivery": {"folder": "f"}}
    default = parse_sources({"sources": [base]}, tmp_path).get("x")
    assert (default.participants_drop_share, default.participants_drop_action) == (0.10, "warn")
    strict = parse_sources({"sources": [base | {"participants_drop": {"max_share": 0.05, "action": "reject"}}]},
                           tmp_path).get("x")
    assert (strict.participants_drop_share, strict.participants_drop_action) == (0.05, "reject")
    with pytest.raises(SourcesError, match="participants_drop.action"):
        parse_sources({"sources": [base | {"participants_drop": {"action": "ignore"}}]}, tmp_path)


@pytest.mark.parametrize("folder, problem", [
    ("/etc", "/etc is a system folder"),
    ("/", "/ is a system folder"),
    ("/proc/self", "is a system folder"),
    ("/var", "/var is a system folder"),
    ("/root/x", "is a system folder"),
    (".", "is the data folder (SAMLA_DATA_DIR) or contains it"),
    ("..", "is the data folder (SAMLA_DATA_DIR) or contains it"),
    ("curated", "lies in Samla's own folder 'curated'"),
    ("raw/archive/x", "lies in Samla's own folder 'raw/archive'"),
    ("/nonexistent/samla/kfv", "does not exist, and Samla only creates delivery folders inside the data folder"),
])
def test_unusable_delivery_folders(tmp_path, folder, problem):
    doc = {"sources": [{"id": "x", "municipalities": ["1480"], "delivery": {"folder": folder}},
                       {"id": "y", "municipalities": ["1489"], "delivery": {"folder": "raw/landing/y"}}]}
    config = parse_sources(doc, tmp_path, strict=False)
    assert list(config.sources) == ["y"]  # the other source is untouched
    assert len(config.faults["x"]) == 1
    assert config.faults["x"][0].startswith("source 'x': key 'delivery.folder': ") and problem in config.faults["x"][0]


def test_a_folder_shared_by_two_sources(tmp_path):
    doc = {"sources": [{"id": "a", "municipalities": ["1480"], "delivery": {"folder": "raw/landing/a"}},
                       {"id": "b", "municipalities": ["1489"], "delivery": {"folder": str(tmp_path / "raw/landing/a")}}]}
    config = parse_sources(doc, tmp_path, strict=False)
    assert list(config.sources) == ["a"]
    assert "is already the delivery folder of source 'a'; every source needs" in config.faults["b"][0]


@pytest.mark.parametrize("sid", ["", "a/b", "../../escape_1498", "Göteborg", "x" * 41, "a\nb", "a b"])
def test_source_ids_are_names_of_folders_and_tasks(tmp_path, sid):
    doc = {"sources": [{"id": sid, "municipalities": ["1480"], "delivery": {"folder": "raw/landing/x"}}]}
    with pytest.raises(SourcesError, match="key 'id': must be 1-40 letters A-Z, digits"):
        parse_sources(doc, tmp_path)


def test_writers_refuse_paths_outside_the_data_folder(tmp_path):
    from transforms.paths import UnsafePathError, inside_data_dir

    data = tmp_path / "data"
    (data / "ledger").mkdir(parents=True)
    assert inside_data_dir(data / "ledger" / "x.json", data) == (data / "ledger" / "x.json").resolve()
    for bad in (data / ".." / "escape", tmp_path / "elsewhere", data, "/etc/passwd"):
        with pytest.raises(UnsafePathError, match="outside the data folder"):
            inside_data_dir(bad, data)
    (data / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        inside_data_dir(data / "link" / "x", data)


def test_faults_in_swedish_by_default_with_the_same_facts(monkeypatch, tmp_path):
    """Swedish first: the source, the key and the value as in English, the words in Swedish."""
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    doc = {"sources": [{"id": "a", "municipalities": ["1480"], "delivery": {"folder": "a"}},
                       {"id": "b", "municipalities": ["1480"], "delivery": {"folder": "/etc"}},
                       {"id": "c", "municipalities": ["1489"], "delivery": {"folder": "c"},
                        "format": {"delimiter": "|"}, "steward": {"mail": "a@b.se"}},
                       {"municipalities": ["1488"], "delivery": {"folder": "d"}}], "extra": 1}
    config = parse_sources(doc, tmp_path, strict=False)
    faults = config.all_faults
    assert "källfilen: nyckeln 'extra': okänd nyckel; tillåtna: sources, project" in faults
    assert "källan 'b': nyckeln 'delivery.folder': /etc är en systemmapp; ge källan en egen mapp" in faults
    assert "källan 'b': nyckeln 'municipalities': 1480 levereras redan av källan 'a'" in faults
    assert "källan 'c': nyckeln 'format.delimiter': '|' är inte ett av , ; tab" in faults
    assert "källan 'c': nyckeln 'steward.mail': okänd nyckel; tillåtna: name, email" in faults
    assert "post nr 3 i sources: nyckeln 'id': krävs" in faults
    assert set(config.faults) == {"b", "c", "sources[3]"}
    with pytest.raises(SourcesError, match="okänd källa 'zz'; kända källor: "):
        parse_sources({"sources": []}, tmp_path, strict=False).get("zz")


def test_loaded_once_per_process_until_file_folder_or_language_changes(tmp_path, monkeypatch):
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    path = tmp_path / "sources.yaml"
    entry = "sources:\n  - {{id: {sid}, municipalities: ['1480'], delivery: {{folder: '{folder}'}}}}\n"
    path.write_text(entry.format(sid="s1", folder=outside), encoding="utf-8")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    first = load_sources(path, data, strict=False)
    assert not first.faults
    assert load_sources(path, data, strict=False) is first, "unchanged: the same validated configuration"
    # the folder check depends on the file system, not only on the file: seen again when a folder goes
    outside.rename(tmp_path / "moved")
    gone = load_sources(path, data, strict=False)
    assert "does not exist" in gone.faults["s1"][0]
    with pytest.raises(SourcesError, match="does not exist"):
        load_sources(path, data)  # strict raises from the kept configuration too
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    assert "finns inte" in load_sources(path, data, strict=False).faults["s1"][0], "faults in the language asked for"
    (tmp_path / "moved").rename(outside)
    assert not load_sources(path, data, strict=False).faults, "the folder is back"
    path.write_text(entry.format(sid="s2", folder=outside), encoding="utf-8")
    assert set(load_sources(path, data, strict=False).sources) == {"s2"}, "an edited file is read again"
