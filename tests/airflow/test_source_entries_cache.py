"""The DAG files' ids and names, kept between parses: never stale, never a failure when damaged."""

from __future__ import annotations

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
