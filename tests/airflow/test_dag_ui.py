"""What the Airflow UI and ``make airflow`` show, in SAMLA_LANGUAGE: Swedish by default, English on request."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

DAGS = Path(__file__).resolve().parents[2] / "dags"
SHOW_NAMES = (
    "import json\n"
    "from airflow.dag_processing.dagbag import DagBag\n"
    f"bag = DagBag(dag_folder={str(DAGS)!r})\n"
    "assert not bag.import_errors, bag.import_errors\n"
    "print('NAMES=' + json.dumps({d.dag_id: [d.dag_display_name, {t.task_id: t.task_display_name for t in d.tasks}]"
    " for d in bag.dags.values()}, ensure_ascii=False))\n"
)


def _names(language: str | None) -> dict:
    """Every DAG's and task's display name, parsed in a fresh interpreter (names are made at parse time)."""
    env = {k: v for k, v in os.environ.items() if k != "SAMLA_LANGUAGE"}
    if language:
        env["SAMLA_LANGUAGE"] = language
    out = subprocess.run([sys.executable, "-c", SHOW_NAMES], capture_output=True, text=True, env=env, timeout=300,
                         check=True)
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("NAMES=")]
    return json.loads(line.split("=", 1)[1])


@pytest.mark.parametrize(("language", "ingest", "tasks"), [
    (None, "Samla inläsning", {"select_sources": "Källor med något nytt", "ingest_1489": "Läs in 1489 Alingsås",
                               "summary": "Sammanfattning", "needs_attention": "Avvisade filer",
                               "quarantined_rows": "Rader i karantän",
                               "run_check": "Alla källuppgifter lyckades"}),
    ("en", "Samla ingestion", {"select_sources": "Sources with something new", "ingest_1489": "Ingest 1489 Alingsås",
                               "summary": "Summary", "needs_attention": "Rejected files",
                               "quarantined_rows": "Quarantined rows",
                               "run_check": "Every source task succeeded"}),
])
def test_display_names_follow_the_language_task_ids_do_not(airflow_db, language, ingest, tasks):
    names = _names(language)
    assert names["samla_ingest"][0] == ingest
    assert {task_id: names["samla_ingest"][1][task_id] for task_id in tasks} == tasks
    publish, retention = names["samla_publish"], names["samla_retention"]
    if language is None:
        assert (publish[0], retention[0]) == ("Samla publicering", "Samla gallring av rådata")
        assert retention[1] == {"purge": "Radera utgångna rådataleveranser"}
    else:
        assert (publish[0], retention[0]) == ("Samla publication", "Samla raw archive retention")
    # every task has a display name of its own, not its id
    assert all(shown != task_id for dag in names.values() for task_id, shown in dag[1].items()), names


def test_make_airflow_banner_in_the_language(tmp_path, monkeypatch, capsys):
    """The banner up to the port check (nothing is started when the port is taken), and the login line."""
    from samla_airflow.local_airflow import PASSWORDS_FILE, AirflowProcesses, main

    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SAMLA_PSEUDONYM_KEY", raising=False)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            for language, expected in (("sv", ("Samlas data", "demonyckel (SAMLA_DEMO=1)",
                                               f"port {port} används redan")),
                                       ("en", ("Samla data", "demo key (SAMLA_DEMO=1)",
                                               f"port {port} is already in use"))):
                monkeypatch.setenv("SAMLA_LANGUAGE", language)
                assert main(["--port", str(port)]) == 1
                out, err = capsys.readouterr()
                assert expected[0] in out and expected[1] in out and expected[2] in err, (out, err)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    home = tmp_path / "home"
    (home / PASSWORDS_FILE).write_text(json.dumps({"admin": "s3cret"}), encoding="utf-8")
    procs = AirflowProcesses(home, {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False"}, port=port)
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    assert procs.login_text().startswith("Logga in som admin / lösenord s3cret  (från ")
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    assert procs.login_text().startswith("Log in as admin / password s3cret  (from ")
