"""The DAG files' ids and names, kept between parses: never stale, never a failure when damaged."""

from __future__ import annotations

import pytest
from samla_airflow.dag_config import source_entries

ENTRY = "sources:\n  - {{id: '{sid}', name: {name}, municipalities: ['1480'], delivery: {{folder: in}}}}\n"


def test_kept_by_content_and_read_again_when_the_file_or_the_cache_changes(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    path.write_text(ENTRY.format(sid="s1", name="Ett"), encoding="utf-8")
    assert [(e.id, e.label) for e in source_entries()] == [("s1", "s1 Ett")]
    (cache,) = (tmp_path / "home" / "samla_cache").iterdir()
    assert [(e.id, e.label) for e in source_entries()] == [("s1", "s1 Ett")], "read from the cache"
    path.write_text(ENTRY.format(sid="s2", name="Två"), encoding="utf-8")  # same size, other content
    assert [e.id for e in source_entries()] == ["s2"], "a changed file is never answered from the cache"
    path.write_text(ENTRY.format(sid="s1", name="Ett"), encoding="utf-8")
    cache.write_text("{damaged", encoding="utf-8")
    assert [e.id for e in source_entries()] == ["s1"], "a damaged cache is read past"


def test_a_home_that_cannot_be_written_still_gives_the_entries(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    path.write_text(ENTRY.format(sid="s1", name="Ett"), encoding="utf-8")
    home = tmp_path / "home"
    home.write_text("a file where the home folder should be", encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    assert [e.id for e in source_entries()] == ["s1"]


ODD = {
    "typed scalars": ('sources:\n  - {id: 1480, name: Göteborg}\n  - id: "0115"\n    name: 7\n  - {id: x, name: x}\n',
                      [("1480", "1480 Göteborg"), ("0115", "0115"), ("x", "x")]),
    "no id, a list, a string": ("sources:\n  - {name: Utan}\n  - [a, list]\n  - just-a-string\n  - {id: {a: 1}}\n",
                                [("sources[0]", "sources[0] Utan"), ("sources[1]", "sources[1]"),
                                 ("sources[2]", "sources[2]"), ("sources[3]", "sources[3]")]),
    "an id used twice": ("sources: [{id: a, name: A}, {id: a, name: B}]\n", [("a", "a A")]),
    "anchors and merge keys": ("base: &b {name: Samma}\nsources:\n  - <<: *b\n    id: a\n", [("a", "a Samma")]),
    "no list": ("sources: {id: a}\n", []),
    "not YAML": ("sources: [unclosed\n", []),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_entries_of_odd_files_name_a_task_for_each_item(tmp_path, monkeypatch, name):
    text, expected = ODD[name]
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    assert [(e.id, e.label) for e in source_entries()] == expected
    assert [(e.id, e.label) for e in source_entries()] == expected, "the same from the cache"
