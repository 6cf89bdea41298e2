"""The project file: the window and the areas as configuration (exports.md, version 2)."""

from __future__ import annotations

import re

import pytest

from transforms.config.project import ProjectError, current_project, project_from_file
from transforms.config.sources import SourcesError, load_sources

TWO_REGIONS = """
project:
  code: VAST2
  name: Väst två
  first_period: "2025-01"
  last_period: "2026-06"
  region: {code: VAST, name: Väst}
  federations:
    - {code: NORR, name: Norra, municipalities: {"1488": Trollhättan, "1487": Vänersborg, "1490": Borås}}
    - {code: SODER, name: Södra, municipalities: {"1480": Göteborg}}
"""


def test_default_project_is_fokus_im(monkeypatch):
    monkeypatch.delenv("SAMLA_PROJECT", raising=False)
    monkeypatch.delenv("SAMLA_SOURCES", raising=False)
    project = current_project()
    assert (project.region_code, project.first_period, project.last_period) == ("FOKUS", "2024-09", "2027-08")
    assert len(project.municipalities) == 10 and project.federation_of("1496") == "SKARABORG"
    assert project.last_day == "2027-08-31" and list(project.federations) == ["GR", "SJUHARAD", "SKARABORG",
                                                                               "FYRBODAL"]


def test_project_section_of_the_sources_file(monkeypatch, tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(TWO_REGIONS + 'sources:\n  - {id: boras, municipalities: ["1490"], delivery: {folder: b}}\n',
                    encoding="utf-8")
    monkeypatch.delenv("SAMLA_PROJECT", raising=False)
    monkeypatch.setenv("SAMLA_SOURCES", str(path))
    assert current_project().areas()[-3:] == [("federation", "NORR"), ("federation", "SODER"), ("region", "VAST")]
    config = load_sources(path, tmp_path)
    assert config.project.code == "VAST2" and config.get("boras").municipalities == ("1490",)


def test_source_with_a_kommunkod_outside_the_project_is_a_configuration_error(monkeypatch, tmp_path):
    project = tmp_path / "project.yaml"
    project.write_text(TWO_REGIONS, encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(project))
    path = tmp_path / "sources.yaml"
    path.write_text('sources:\n  - {id: skovde, municipalities: ["1496"], delivery: {folder: s}}\n'
                    '  - {id: gbg, municipalities: ["1480"], delivery: {folder: g}}\n', encoding="utf-8")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(SourcesError, match="source 'skovde': key 'municipalities': '1496' is not a municipality "
                                           "of the project Väst två"):
        load_sources(path, tmp_path)
    monkeypatch.delenv("SAMLA_LANGUAGE")  # Swedish by default, the same facts
    with pytest.raises(SourcesError, match="källan 'skovde': nyckeln 'municipalities': '1496' är ingen kommun "
                                           "i projektet Väst två"):
        load_sources(path, tmp_path)
    assert list(load_sources(path, tmp_path, strict=False).sources) == ["gbg"]


def test_project_faults_all_at_once(monkeypatch, tmp_path):
    path = tmp_path / "project.yaml"
    path.write_text(TWO_REGIONS.replace('"2025-01"', '"2025-13"').replace("code: SODER", "code: NORR")
                    .replace("name: Väst\n", "name: Väst, extra: 1\n").replace("{code: VAST, name: Väst}",
                                                                                "{code: VAST, nam: Väst}"),
                    encoding="utf-8")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(ProjectError) as raised:
        project_from_file(path)
    lines = str(raised.value).splitlines()
    where = f"project file {path}"
    assert f"{where}: key 'project.first_period': must be a period written YYYY-MM (got '2025-13')" in lines
    assert f"{where}: key 'project.region.nam': unknown key" in lines
    assert f"{where}: key 'project.region.name': is required" in lines
    monkeypatch.delenv("SAMLA_LANGUAGE")  # Swedish by default, the same facts
    with pytest.raises(ProjectError) as raised:
        project_from_file(path)
    lines = str(raised.value).splitlines()
    where = f"projektfilen {path}"
    assert f"{where}: nyckeln 'project.first_period': ska vara en period skriven ÅÅÅÅ-MM (fick '2025-13')" in lines
    assert f"{where}: nyckeln 'project.region.nam': okänd nyckel" in lines
    assert f"{where}: nyckeln 'project.region.name': krävs" in lines


@pytest.mark.parametrize(("change", "english", "swedish"), [
    ({"first_period": "2025-12", "last_period": "2025-01"}, "key 'project': first_period 2025-12 is after "
     "last_period 2025-01", "nyckeln 'project': first_period 2025-12 ligger efter last_period 2025-01"),
    ({"region": {"code": "F", "name": "R"}}, "key 'project': federation and region codes must differ: F, F",
     "nyckeln 'project': förbundens och regionens koder måste skilja sig åt: F, F"),
    ({"federations": [{"code": "F", "name": "A", "municipalities": {"1480": "G"}},
                      {"code": "G", "name": "B", "municipalities": {"1480": "G"}}]},
     "key 'project': kommunkod 1480 is in two federations (F, G)",
     "nyckeln 'project': kommunkod 1480 finns i två förbund (F, G)"),
    ({"federations": []}, "key 'project.federations': must not be empty",
     "nyckeln 'project.federations': får inte vara tom"),
    ({"extra": 1}, "key 'project.extra': unknown key", "nyckeln 'project.extra': okänd nyckel"),
])
def test_project_file_faults_in_swedish_and_english(monkeypatch, change, english, swedish):
    from transforms.config.project import parse_project

    section = {"code": "P", "name": "Prov", "first_period": "2025-01", "last_period": "2025-12",
               "region": {"code": "R", "name": "Region"},
               "federations": [{"code": "F", "name": "Förbund", "municipalities": {"1480": "Göteborg"}}]} | change
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    with pytest.raises(ProjectError, match=re.escape(swedish)):
        parse_project(section, "projektfilen p.yaml")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    with pytest.raises(ProjectError, match=re.escape(english)):
        parse_project(section, "project file p.yaml")


def test_an_eleventh_municipality_by_yaml_only_reaches_the_published_tables(samla_env, monkeypatch):
    """Borås joins SJUHARAD: one line in a project file and one source entry, no code."""
    from conftest import TEST_KEY
    from deliveries import attendance, participant, people, write_csv

    from transforms.config.settings import DEFAULT_PROJECT, load_settings
    from transforms.ingest import landing
    from transforms.ingest.pipeline import ingest_source
    from transforms.publish import pipeline as publication
    from transforms.publish import warehouse

    text = DEFAULT_PROJECT.read_text(encoding="utf-8")
    assert '"1442": Vårgårda}' in text
    project = samla_env.parent / "project.yaml"
    project.write_text(text.replace('"1442": Vårgårda}', '"1442": Vårgårda, "1490": Borås}'), encoding="utf-8")
    monkeypatch.setenv("SAMLA_PROJECT", str(project))
    settings = load_settings()
    sources = samla_env.parent / "sources.yaml"
    sources.write_text('sources:\n  - {id: "1490", name: Borås, municipalities: ["1490"], '
                       'delivery: {folder: raw/landing/1490}}\n', encoding="utf-8")
    config = load_sources(sources, settings.data_dir)
    persons = people(8, seed=11)
    folder = config.get("1490").delivery.folder
    write_csv(folder / "participants_2024-09.csv", [participant(p, entry_date="2024-09-02") for p in persons])
    write_csv(folder / "attendance_2024-09.csv", [attendance(p, "2024-09") for p in persons])
    ingest_source(settings, config.get("1490"), TEST_KEY.encode(), landing.candidate_files(folder))
    assert publication.publish(settings, config)["published"]

    values = warehouse.read_table(settings.warehouse_url, "indicator_values")
    total = values[(values["indicator"] == "EECO01") & (values["gender"] == "all") & (values["period"] == "2024-09")]
    by_area = dict(zip(total["area_code"], total["value"], strict=True))
    assert by_area["1490"] == 8 and by_area["SJUHARAD"] == 8 and by_area["FOKUS"] == 8
    areas = warehouse.read_table(settings.warehouse_url, "areas")
    row = areas[areas["area_code"] == "1490"].iloc[0]
    assert (row["name"], row["federation_code"], row["area_level"]) == ("Borås", "SJUHARAD", "municipality")
