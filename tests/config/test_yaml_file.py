"""The DAG files' cheap read of the sources file: ids and names from the YAML event stream must be
exactly what the full loader gives (issue 10.5: parse cost of a national configuration)."""

from __future__ import annotations

import pytest

from transforms.config import yaml_file
from transforms.config.settings import DEFAULT_SOURCES
from transforms.config.yaml_file import YamlFileError, list_item_fields, read_yaml

FIELDS = ("id", "name")


def full(path):
    document = read_yaml(path, "test")
    raw = document.get("sources") if isinstance(document, dict) else None
    return [({f: v for f, v in item.items() if f in FIELDS and not isinstance(v, dict | list)}
             if isinstance(item, dict) else item if not isinstance(item, list) else None)
            for item in (raw if isinstance(raw, list) else [])]


DOCUMENTS = {
    "typed scalars": 'sources:\n  - {id: 0114, name: Upplands Väsby}\n  - id: "0115"\n    name: 7\n'
                     "  - id: 1480\n    name: ~\n  - {id: true, name: 1e3}\n",
    "other keys and nesting": "project: {code: X}\nsources:\n  - id: a\n    delivery: {folder: x, list: [1, 2]}\n"
                              "    name: [not, scalar]\n  - just-a-string\n  - [a, list]\n  - {}\nafter: 1\n",
    "repeated key, last counts": "sources: [{id: a}]\nsources: [{id: b, name: B}]\n",
    "repeated field": "sources:\n  - {id: a, id: b, name: x, name: [y]}\n",
    "no list": "sources: {id: a}\n",
    "scalar document": "just text\n",
    "empty file": "",
    "anchors (full loader)": "base: &b {name: Samma}\nsources:\n  - <<: *b\n    id: a\n  - &c {id: c, name: C}\n",
    "tags (full loader)": "sources:\n  - {id: !!str 0114, name: !!str 12}\n",
    "aliases outside the fields": "x: &a {k: 1}\nsources:\n  - id: &i a\n    columns: *a\n    codes: {g: &g {K: f}, h: *g}\n",
    "alias as an item (full loader)": "one: &o {id: o, name: O}\nsources: [*o, {id: p}]\n",
    "alias as a field (full loader)": "n: &n Namn\nsources: [{id: p, name: *n}]\n",
    "block and quoted styles": "sources:\n- id: 'x y'\n  name: |\n    två\n    rader\n- id: \"z\\u00e5\"\n  name: >-\n    vikt\n",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_event_read_equals_the_full_loader(tmp_path, name):
    path = tmp_path / f"{len(name)}.yaml"
    path.write_text(DOCUMENTS[name], encoding="utf-8")
    assert list_item_fields(path, "test", "sources", FIELDS) == full(path)


def test_event_read_is_used_for_plain_files_and_matches_on_the_default_sources():
    text = DEFAULT_SOURCES.read_text(encoding="utf-8")
    assert yaml_file._items_from_events(text, "sources", FIELDS) is not None, "the default file needs no fallback"
    assert list_item_fields(DEFAULT_SOURCES, "test", "sources", FIELDS) == full(DEFAULT_SOURCES)
    assert yaml_file._items_from_events(DOCUMENTS["anchors (full loader)"], "sources", FIELDS) is None


def test_invalid_yaml_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "bad.yaml"
    path.write_text("sources: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(YamlFileError, match="bad.yaml: not valid YAML"):
        list_item_fields(path, "sources file", "sources", FIELDS)
    monkeypatch.delenv("SAMLA_LANGUAGE")  # Swedish by default
    with pytest.raises(YamlFileError, match="bad.yaml: inte giltig YAML"):
        list_item_fields(path, "källfilen", "sources", FIELDS)
