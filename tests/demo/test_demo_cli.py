"""``samla demo --deliver-only`` (landing folders filled, nothing run) and a generated project
by options, as a user runs them: the real command in a child process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from privacy import personnummer_in

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test


def samla(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMLA_")}
    env.update(AIRFLOW_HOME=str(tmp_path / "airflow"), SAMLA_LANGUAGE="sv")
    return env


def test_deliver_only_fills_the_landing_folders_and_runs_nothing(tmp_path):
    data = tmp_path / "data"
    out = samla("demo", "--deliver-only", "--data-dir", str(data), "--periods", "2024-09:2024-10",
                env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    landing = data / "raw" / "landing"
    files = [p for p in landing.rglob("*") if p.is_file()]
    assert len(files) == 9 * 4 * 2 and len({p.parent.name for p in files}) == 9
    # Nothing ran: no ledger, no curated data, no warehouse, no archive.
    assert not any((data / name).exists() for name in ("ledger", "curated", "warehouse.db", "published"))
    assert not (data / "raw" / "archive").exists()
    assert "SAMLA_DEMO=1 samla run --from 2024-09 --to 2024-10" in out.stdout
    assert "make airflow" in out.stdout and "Inget har körts" in out.stdout
    assert not personnummer_in(out.stdout + out.stderr)


def test_a_generated_project_by_options(tmp_path):
    data = tmp_path / "data"
    env = _env(tmp_path)
    out = samla("demo", "--deliver-only", "--data-dir", str(data), "--municipalities", "5", "--regions", "2",
                "--pupils", "3", "--months", "2", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 0, out.stderr
    sources_file = data / "config" / "sources.yaml"
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    assert len(document["project"]["federations"]) == 2 and len(document["sources"]) == 5
    assert f"export SAMLA_SOURCES={sources_file}" in out.stdout
    files = [p for p in (data / "raw" / "landing").rglob("*") if p.is_file()]
    assert len(files) == 5 * 4 * 2
    assert not personnummer_in(out.stdout + out.stderr)


def test_wrong_options_are_usage_errors(tmp_path):
    env = _env(tmp_path)
    data = str(tmp_path / "data")
    out = samla("demo", "--deliver-only", "--data-dir", data, "--municipalities", "40", "--regions", "30", env=env)
    assert out.returncode == 2 and "--regions ska vara 1..21 (länskoderna), inte 30" in out.stderr
    out = samla("demo", "--deliver-only", "--data-dir", data, "--pupils", "3", env=env)
    assert out.returncode == 2 and "ett genererat projekt behöver --municipalities N (eller --national)" in out.stderr
    out = samla("demo", "--deliver-only", "--data-dir", data, "--pupils", "3", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 2 and "a generated project needs --municipalities N (or --national)" in out.stderr
    out = samla("demo", "--scale", "0", "--data-dir", data, env=env)
    assert out.returncode == 2 and "'0' måste vara större än 0" in out.stderr
    out = samla("demo", "--scale", "many", "--data-dir", data, env=env)
    assert out.returncode == 2 and "'many' är inget tal" in out.stderr
    out = samla("demo", "--scale", "many", "--data-dir", data, env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 2 and "'many' is not a number" in out.stderr
    out = samla("demo", "--periods", "2024-11:2024-09", "--data-dir", data, env=env)
    assert out.returncode == 2 and "periodintervallet 2024-11:2024-09 går baklänges" in out.stderr
    assert not (tmp_path / "data" / "raw").exists()


def test_the_demo_lists_its_planted_faults_in_the_language(tmp_path):
    data = tmp_path / "data"
    out = samla("demo", "--deliver-only", "--data-dir", str(data), "--periods", "2024-09:2024-11",
                env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "inplanterat fel:" in out.stdout
    assert ("närvarofil utan den obligatoriska kolumnen attended_min: exportmallen döpte om 'Närvaro minuter' till "
            "'Närvarotid (min)'") in out.stdout
    for english in ("planted fault", "attendance file without", "participants row", "Nothing has run"):
        assert english not in out.stdout, english


def test_the_sample_data_script_speaks_the_language(tmp_path, capsys, monkeypatch):
    from transforms.demo.cli import main

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    monkeypatch.delenv("SAMLA_SOURCES", raising=False)
    assert main(["--data-dir", str(tmp_path / "sv"), "--periods", "2024-09:2024-11"]) == 0
    swedish = capsys.readouterr().out
    assert " filer, " in swedish and " rader i raw/landing/" in swedish and "fel [file] " in swedish
    assert "(hela filen): närvarofil utan den obligatoriska kolumnen" in swedish and "(rader " in swedish
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert main(["--data-dir", str(tmp_path / "en"), "--periods", "2024-09:2024-11"]) == 0
    english = capsys.readouterr().out
    assert " files, " in english and " rows in raw/landing/" in english
    assert "(whole file): attendance file without the required column" in english


def test_the_demo_summary_names_its_columns_in_the_language(monkeypatch, capsys):
    import pandas as pd
    from samla_airflow.cli.demo import print_summary

    import transforms.publish.warehouse as warehouse

    values = pd.DataFrame([{"period": "2024-09", "indicator": "EECO01", "area_level": "region", "area_code": "FOKUS",
                            "gender": g, "value": v, "suppressed": s}
                           for g, v, s in (("all", 40.0, False), ("female", 20.0, False), ("male", 18.0, False),
                                           ("nonbinary", None, True))])
    monkeypatch.setattr(warehouse, "read_table", lambda url, table: values)

    class Settings:
        warehouse_url, suppression_threshold = "sqlite://", 5

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    print_summary(Settings())
    swedish = capsys.readouterr().out
    assert "EECO01 deltagare per kön, 2024-09" in swedish
    assert swedish.split("\n")[2].split() == ["Område", "totalt", "kvinnor", "män", "icke-binära"]
    assert swedish.split("\n")[4].split() == ["FOKUS", "40", "20", "18", ".."]
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    print_summary(Settings())
    assert capsys.readouterr().out.split("\n")[2].split() == ["Area", "total", "women", "men", "non-binary"]
