"""The samla command as a user meets it: --help, exit statuses, check, status, quarantine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from deliveries import attendance, participant, people, write_csv
from privacy import personnummer_in

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

ROOT = Path(__file__).resolve().parents[2]
PNRS = people(12, seed=9)


def samla(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    import os

    env = dict(os.environ)
    env.update(SAMLA_DATA_DIR=str(tmp_path / "data"), SAMLA_PSEUDONYM_KEY="cli-test-key-0123456789abcdef",
               AIRFLOW_HOME=str(tmp_path / "airflow"))
    sources = tmp_path / "sources.yaml"
    sources.write_text('sources:\n  - id: "1489"\n    name: Alingsås\n    municipalities: ["1489"]\n'
                       '    delivery: {folder: raw/landing/1489}\n')
    env["SAMLA_SOURCES"] = str(sources)
    return env, tmp_path


@pytest.mark.parametrize("command", ["demo", "run", "check", "status", "quarantine", "config", "rotate-key",
                                     "warehouse"])
def test_every_subcommand_has_help(command):
    import os

    env = dict(os.environ)
    env.pop("SAMLA_LANGUAGE", None)
    out = samla(command, "--help", env=env)
    assert out.returncode == 0 and "användning: samla " + command in out.stdout  # Swedish first
    assert "visa denna hjälptext och avsluta" in out.stdout
    out = samla(command, "--help", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 0 and "usage: samla " + command in out.stdout
    assert "show this help message and exit" in out.stdout


def _env(lang):
    import os

    env = dict(os.environ)
    env.pop("SAMLA_LANGUAGE", None)
    return env | ({"SAMLA_LANGUAGE": lang} if lang else {})


# samla's help and argparse's own words in SAMLA_LANGUAGE: Swedish by default, English unchanged.
HELP = {
    None: ["användning: samla [-h] KOMMANDO ...", "Samla: rapporteringsflödet för Fokus IM i kommunerna",
           "flaggor:", "kontrollera en fil före leverans; sparar ingenting", "argument:"],
    "en": ["usage: samla [-h] COMMAND ...", "Samla: Fokus IM municipal reporting pipeline", "options:",
           "check a file before delivery; stores nothing", "positional arguments:"],
}
STATUS_HELP = {
    None: ["användning: samla status", "bara leveranser som inte lästes in felfritt", "--problems"],
    "en": ["usage: samla status", "only deliveries that were not loaded cleanly", "--problems"],
}
USAGE_ERRORS = {
    None: [(("run", "--from"), "samla run: fel: argumentet --from: ett värde förväntades"),
           (("run",), "samla run: fel: följande argument krävs: --from, --to"),
           (("check", "x.csv"), "samla check: fel: följande argument krävs: --source"),
           (("stat",), "samla: fel: argumentet KOMMANDO: ogiltigt val: 'stat' (välj bland 'demo'"),
           (("status", "--nonsense"), "samla: fel: okända argument: --nonsense")],
    "en": [(("run", "--from"), "samla run: error: argument --from: expected one argument"),
           (("run",), "samla run: error: the following arguments are required: --from, --to"),
           (("check", "x.csv"), "samla check: error: the following arguments are required: --source"),
           (("stat",), "samla: error: argument COMMAND: invalid choice: 'stat' (choose from 'demo'"),
           (("status", "--nonsense"), "samla: error: unrecognized arguments: --nonsense")],
}


@pytest.mark.parametrize("lang", [None, "en"])
def test_help_is_in_the_chosen_language(lang):
    out = samla("--help", env=_env(lang))
    assert out.returncode == 0
    for text in HELP[lang]:
        assert text in out.stdout, (text, out.stdout)
    out = samla("status", "--help", env=_env(lang))
    assert out.returncode == 0
    for text in STATUS_HELP[lang]:
        assert text in out.stdout, (text, out.stdout)
    other = HELP["en" if lang is None else None]
    assert not any(text in out.stdout for text in other[:3])


@pytest.mark.parametrize("lang", [None, "en"])
def test_usage_errors_are_in_the_chosen_language(lang):
    for args, text in USAGE_ERRORS[lang]:
        out = samla(*args, env=_env(lang))
        assert out.returncode == 2 and text in out.stderr, (args, out.stderr)
        assert out.stderr.startswith("användning: samla" if lang is None else "usage: samla"), out.stderr


def test_the_samla_words_stay_inside_the_samla_parser(monkeypatch):
    """Building and using the samla parser leaves argparse's words to any other parser of the process."""
    import argparse

    from samla_airflow.cli import build_parser

    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    before = argparse._
    parser = build_parser()
    assert "användning: samla" in parser.format_help()
    with pytest.raises(SystemExit):
        parser.parse_args(["run"])
    assert argparse._ is before
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other") and "show this help message and exit" in other.format_help()


def test_a_wrong_language_is_a_clear_message_even_for_help():
    out = samla("--help", env=_env("de"))
    assert out.returncode == 2 and "SAMLA_LANGUAGE='de'" in out.stderr and "Traceback" not in out.stderr
    assert "välj ett av sv, en (standard sv)" in out.stderr and "choose one of sv, en (default sv)" in out.stderr


def test_usage_errors_exit_2(cli_env):
    env, _ = cli_env
    env.pop("SAMLA_LANGUAGE", None)
    assert samla("run", "--from", "2025-13", "--to", "2025-01", env=env).returncode == 2
    out = samla("run", "--from", "2025-02", "--to", "2025-01", env=env)
    assert out.returncode == 2 and "--from 2025-02 ligger efter --to 2025-01" in out.stderr  # Swedish first
    out = samla("run", "--from", "2025-02", "--to", "2025-01", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 2 and "--from 2025-02 is after --to 2025-01" in out.stderr
    out = samla("run", "--from", "2025-13", "--to", "2025-01", env=env)
    assert "perioden '2025-13' är ingen riktig månad skriven ÅÅÅÅ-MM" in out.stderr
    assert samla("nonsense", env=env).returncode == 2


def test_check_wrong_source_exits_2_naming_known_ids(cli_env, tmp_path):
    env, _ = cli_env
    path = write_csv(tmp_path / "participants_2025-01.csv", [participant(p) for p in PNRS])
    env.pop("SAMLA_LANGUAGE", None)
    out = samla("check", str(path), "--source", "9999", env=env)
    assert out.returncode == 2 and "okänd källa '9999'; kända källor: 1489" in out.stderr
    out = samla("check", str(path), "--source", "9999", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 2 and "unknown source '9999'; known sources: 1489" in out.stderr


def test_check_rejects_a_participants_snapshot_of_the_month_still_running(cli_env, tmp_path):
    """As ingestion would: the month is not over, so its participants snapshot is not one yet."""
    from datetime import UTC, datetime

    env, _ = cli_env
    running = datetime.now(UTC).strftime("%Y-%m")
    path = write_csv(tmp_path / f"participants_{running}.csv", [participant(p) for p in PNRS])
    out = samla("check", str(path), "--source", "1489", env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    said = " ".join(out.stdout.split())  # as read, not as wrapped to the terminal
    assert "inte är slut" in said and f"Filen gäller {running}" in said, out.stdout


def test_check_good_file_exits_0_and_needs_no_key(cli_env, tmp_path):
    env, _ = cli_env
    env = {k: v for k, v in env.items() if k != "SAMLA_PSEUDONYM_KEY"}
    path = write_csv(tmp_path / "participants_2025-01.csv", [participant(p) for p in PNRS])
    out = samla("check", str(path), "--source", "1489", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "skulle läsas in: 12 rader" in out.stdout  # Swedish first; check stores nothing
    assert not (tmp_path / "data").exists(), "check must store nothing"


def test_check_faulty_file_lists_row_column_rule_without_personnummer(cli_env, tmp_path):
    env, _ = cli_env
    rows = [participant(p) for p in PNRS]
    rows[2]["person_id"] = rows[2]["person_id"][:-1] + str((int(rows[2]["person_id"][-1]) + 1) % 10)
    rows[5]["gender"] = "okänd"
    path = write_csv(tmp_path / "participants_2025-01.csv", rows)
    out = samla("check", str(path), "--source", "1489", "--json", env=env)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    problems = {(p["source_row"], p["column"], p["rule"]) for p in report["problems"]}
    assert {(4, "person_id", "invalid_personnummer"), (7, "gender", "unknown_code")} <= problems
    assert not personnummer_in(out.stdout + out.stderr)


def test_check_file_fault_exits_1(cli_env, tmp_path):
    env, _ = cli_env
    rows = [attendance(p, "2025-01") for p in PNRS]
    path = write_csv(tmp_path / "attendance_2025-01.csv", rows, header=["person_id", "month", "scheduled_min"])
    out = samla("check", str(path), "--source", "1489", env=env)
    assert out.returncode == 1 and "obligatorisk kolumn saknas: attended_min" in out.stdout


def test_run_without_key_is_a_configuration_error(cli_env):
    env, _ = cli_env
    env = {k: v for k, v in env.items() if k != "SAMLA_PSEUDONYM_KEY"}
    out = samla("run", "--from", "2025-01", "--to", "2025-01", env=env)
    assert out.returncode == 2 and "SAMLA_PSEUDONYM_KEY" in out.stderr


def test_run_status_and_quarantine(cli_env):
    env, tmp = cli_env
    landing = tmp / "data" / "raw" / "landing" / "1489"
    rows = [participant(p) for p in PNRS]
    rows[0]["gender"] = "?"
    write_csv(landing / "participants_2025-01.csv", rows)
    write_csv(landing / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    out = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env)
    assert out.returncode == 1, out.stdout + out.stderr  # rows were quarantined
    assert "1/1 2025-01: 2 filer, 22 rader inlästa, 2 rader i karantän, 0 avvisade" in out.stdout  # Swedish first
    assert "Läser in 1 period 2025-01..2025-01 för den enda källan" in out.stdout and "1489" in out.stdout
    assert "Per källa:" in out.stdout and "Karantän" in out.stdout and "samla quarantine KÄLLA PERIOD" in out.stdout
    for english in ("Ingesting", "rows loaded", "Per source", "See `samla status`"):
        assert english not in out.stdout, english
    status = samla("status", "--period", "2025-01", "--json", env=env)
    deliveries = json.loads(status.stdout)["deliveries"]
    assert {d["status"] for d in deliveries} == {"loaded_with_quarantine"} and status.returncode == 1
    q = samla("quarantine", "1489", "2025-01", "--json", env=env)
    rules = {(r["dataset"], r["source_row"], r["rule"]) for r in json.loads(q.stdout)["rows"]}
    assert ("participants", 2, "unknown_code") in rules and ("attendance", 2, "person_not_in_participants") in rules
    assert not personnummer_in(out.stdout + status.stdout + q.stdout)


def test_check_uses_the_participants_file_beside_it(cli_env, tmp_path):
    env, _ = cli_env
    folder = tmp_path / "export"
    write_csv(folder / "participants_2025-01.csv", [participant(p) for p in PNRS[:-1]])
    path = write_csv(folder / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    out = samla("check", str(path), "--source", "1489", "--json", env=env)
    report = json.loads(out.stdout)
    assert out.returncode == 1
    assert [(p["source_row"], p["rule"]) for p in report["problems"]] == [(13, "person_not_in_participants")]


def test_run_reports_a_source_that_cannot_be_pulled(cli_env):
    """An unreachable SFTP server fails that source's task at once (no retry wait at a terminal): exit 1."""
    import socket

    env, tmp = cli_env
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp / "sftp-sources.yaml"
    sources.write_text('sources:\n  - id: "1480"\n    municipalities: ["1480"]\n'
                       '    delivery: {sftp: {conn_id: sftp_down, path: /exports}}\n')
    env = env | {"SAMLA_SOURCES": str(sources), "AIRFLOW_CONN_SFTP_DOWN": json.dumps(
        {"conn_type": "sftp", "host": "127.0.0.1", "port": port, "login": "u", "password": "p",
         "extra": {"no_host_key_check": True, "conn_timeout": 5}})}
    out = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Uppgifter som inte lyckades: ingest_1480" in out.stdout and "; MISSLYCKADE uppgifter: " in out.stdout


def test_run_exits_1_with_the_reason_when_publication_fails(cli_env):
    """An unreachable PostgreSQL warehouse: the run says why publication failed, and exits 1."""
    import socket

    env, tmp = cli_env
    write_csv(tmp / "data" / "raw" / "landing" / "1489" / "participants_2025-01.csv", [participant(p) for p in PNRS])
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = env | {"SAMLA_WAREHOUSE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/samla", "SAMLA_LANGUAGE": "en"}
    out = samla("run", "--from", "2025-01", "--to", "2025-01", env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "publication: failed" in out.stdout and "Publication failed: OperationalError" in out.stdout, out.stdout
    assert "No new numbers were published" in out.stdout
    assert "1/1 2025-01: 1 file, 12 rows loaded, 0 rows quarantined, 0 rejected" in out.stdout  # English on request


def test_demo_periods_without_a_colon_exits_2(cli_env):
    env, _ = cli_env
    env.pop("SAMLA_LANGUAGE", None)
    out = samla("demo", "--periods", "2024-09", env=env)
    assert out.returncode == 2 and "FÖRSTA:SISTA" in out.stderr and "Traceback" not in out.stderr, out.stderr
    out = samla("demo", "--periods", "2024-09", env={**env, "SAMLA_LANGUAGE": "en"})
    assert out.returncode == 2 and "FIRST:LAST" in out.stderr and "(one month: 2024-09:2024-09)" in out.stderr


def test_a_run_of_several_months_syncs_the_dag_folder_once(cli_env):
    """dag.test() re-parses and re-syncs every DAG on each call (apache/airflow#64884); one samla run
    does it for its first DAG run only, and every later run, the publication's too, still runs."""
    env, tmp = cli_env
    landing = tmp / "data" / "raw" / "landing" / "1489"
    for period in ("2025-01", "2025-02"):
        write_csv(landing / f"participants_{period}.csv", [participant(p) for p in PNRS])
        write_csv(landing / f"attendance_{period}.csv", [attendance(p, period) for p in PNRS])
    env = {**env, "SAMLA_LANGUAGE": "en", "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}  # the lines counted below
    out = samla("run", "--from", "2025-01", "--to", "2025-03", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2/3 2025-02: 2 files, 24 rows loaded" in out.stdout
    assert "3/3 2025-03: 0 files" in out.stdout and "publication: success" in out.stdout
    log = next((tmp / "data" / "logs").glob("samla-run-*.log")).read_text()
    assert log.count("Bulk-writing dags to db") == 1
    assert log.count("creating dag run") == 4  # three months and the publication
