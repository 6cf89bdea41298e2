"""The project's name comes from the project file, in every user-facing text."""

from pathlib import Path

from transforms.config.settings import DEFAULT_PROJECT


def test_the_cli_description_names_the_project_and_survives_a_faulty_project_file(monkeypatch, tmp_path):
    from samla_airflow.cli import build_parser

    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert "Samla: Fokus IM " in build_parser().description
    other = tmp_path / "project.yaml"
    other.write_text(Path(DEFAULT_PROJECT).read_text(encoding="utf-8").replace("name: Fokus IM", "name: Nya Vägar"),
                     encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(other))
    assert "Samla: Nya Vägar " in build_parser().description
    monkeypatch.setenv("SAMLA_PROJECT", str(tmp_path / "missing.yaml"))
    assert "Samla: ESF+ " in build_parser().description  # --help still works; `samla config check` names the fault
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    assert "Samla: rapporteringsflödet för ESF+ i kommunerna" in build_parser().description
