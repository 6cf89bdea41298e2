"""The one YAML read of the configuration files: kept while a file is unchanged, faults named by file."""

from __future__ import annotations

import os

import pytest

from transforms.config.yaml_file import YamlFileError, read_yaml


def test_kept_while_unchanged_and_read_again_when_the_file_changes(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: [{id: a}]\n", encoding="utf-8")
    first = read_yaml(path, "test")
    assert first == {"sources": [{"id": "a"}]}
    assert read_yaml(path, "test") is first, "the same document while the file is unchanged"
    stamp = path.stat().st_mtime_ns
    path.write_text("sources: [{id: b}]\n", encoding="utf-8")  # the same size
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    assert read_yaml(path, "test") == {"sources": [{"id": "b"}]}


def test_invalid_yaml_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "bad.yaml"
    path.write_text("sources: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(YamlFileError, match="bad.yaml: not valid YAML"):
        read_yaml(path, "sources file")
    monkeypatch.delenv("SAMLA_LANGUAGE")  # Swedish by default
    with pytest.raises(YamlFileError, match="bad.yaml: inte giltig YAML"):
        read_yaml(path, "källfilen")


def test_a_file_over_its_limit_is_never_parsed(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("sources: [unclosed\n", encoding="utf-8")  # invalid too: the size is checked first
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(YamlFileError, match="SAMLA_MAX_SOURCES_BYTES"):
        read_yaml(path, "sources file", (5, "SAMLA_MAX_SOURCES_BYTES"))
