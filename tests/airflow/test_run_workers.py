"""``samla run`` over two worker processes gives what one process gives: ledger, quarantine, curated
partitions, published tables, progress lines, exit code; one e-mail for a period's failures; a crashed
worker or Ctrl-C ends the command with a clear message and leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from mail_server import html_of, running_smtp_server, subject_of, wait_for
from samla_airflow.run_workers import merged, shares, worker_count

pytestmark = pytest.mark.slow  # runs the samla command: a minute a test

ROOT = Path(__file__).resolve().parents[2]
KEY = "workers-test-key-0123456789abcdef"
PERIODS = ("2024-09", "2024-10")


def test_shares_and_merged_states():
    assert shares(["a", "b", "c", "d", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    assert shares(["a"], 3) == [["a"]]
    # By size: the largest first, each to the lightest share; each share in the given order.
    sizes = {"s1": 663, "s2": 418, "s3": 219, "s4": 490, "s5": 2125, "s6": 570, "s7": 770, "s8": 278, "s9": 1514}
    parts = shares(list(sizes), 2, sizes)
    loads = sorted(sum(sizes[s] for s in part) for part in parts)
    assert sorted(s for part in parts for s in part) == sorted(sizes) and loads[1] - loads[0] <= max(sizes.values())
    assert loads == [3497, 3550] and all(part == sorted(part) for part in parts)
    assert merged([{"ingest_a": "success", "ingest_b": "skipped", "_run": "success"},
                   {"ingest_a": "skipped", "ingest_b": "failed", "_run": "failed"}]) == {
        "ingest_a": "success", "ingest_b": "failed", "_run": "failed"}


def test_worker_count(monkeypatch):
    monkeypatch.delenv("SAMLA_RUN_WORKERS", raising=False)
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    assert worker_count(3, 2) == 2 and worker_count(2, 0) == 1 and worker_count(1, 9) == 1
    monkeypatch.setenv("SAMLA_RUN_WORKERS", "2")
    assert worker_count(None, 9) == 2
    monkeypatch.delenv("SAMLA_RUN_WORKERS")
    assert 1 <= worker_count(None, 9) <= (os.cpu_count() or 1)
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg://somewhere/airflow")
    assert worker_count(None, 9) == 1  # a deployment's metadata database: one process, as before


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW_HOME"))}
    env.update(SAMLA_DATA_DIR=str(root / "data"), SAMLA_PSEUDONYM_KEY=KEY, AIRFLOW_HOME=str(root / "airflow"),
               SAMLA_LANGUAGE="en", **extra)
    return env


def samla(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=900)


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory):
    """The demo's deliveries of two months (planted faults included) and a folder of no source."""
    from transforms.config.settings import DEFAULT_SOURCES
    from transforms.config.sources import load_sources
    from transforms.demo.generate import generate

    root = tmp_path_factory.mktemp("deliveries")
    data = root / "data"
    generate(load_sources(Path(DEFAULT_SOURCES), data), data, list(PERIODS))
    unknown = data / "raw" / "landing" / "9999"
    unknown.mkdir(parents=True)
    (unknown / "participants_2024-09.csv").write_text("person_id\n1\n")
    return data


@pytest.fixture(scope="module")
def both(deliveries, tmp_path_factory):
    """The same deliveries run with one worker and with two."""
    runs = {}
    for workers in ("1", "2"):
        root = tmp_path_factory.mktemp(f"w{workers}")
        shutil.copytree(deliveries, root / "data")
        out = samla("run", "--from", PERIODS[0], "--to", PERIODS[-1], "--workers", workers, env=_env(root))
        runs[workers] = (root / "data", out)
    return runs


def _progress(text: str) -> list[str]:
    return [re.sub(r"\([\d.,]+ s\)", "(s)", line) for line in text.splitlines() if "] " in line or "publication:" in line]


def test_two_workers_print_the_same_progress_and_exit_the_same(both):
    (_, one), (_, two) = both["1"], both["2"]
    assert one.returncode == two.returncode == 1, one.stdout + one.stderr + two.stdout + two.stderr  # planted faults
    assert _progress(one.stdout) == _progress(two.stdout) and len(_progress(one.stdout)) == 3
    assert one.stdout.split("Per source:")[1] == two.stdout.split("Per source:")[1]  # the report from the ledger
    assert (both["2"][0].parent / "airflow" / "run-workers" / "1" / "airflow.db").exists()  # two processes did run
    assert not (both["1"][0].parent / "airflow" / "run-workers").exists()
    # The shares skip the summary; it runs once per period, after them (both months had work for two).
    summaries = []
    for db in sorted((both["2"][0].parent / "airflow" / "run-workers").glob("*/airflow.db")):
        with sqlite3.connect(db) as con:
            summaries += [state for (state,) in con.execute("SELECT state FROM task_instance WHERE task_id = 'summary'")]
    assert sorted(summaries) == ["skipped"] * 2 * len(PERIODS) + ["success"] * len(PERIODS), summaries


def _ledger(data: Path) -> pd.DataFrame:
    from transforms.ingest.ledger import Ledger

    frame = Ledger(data / "ledger").counted()
    keep = ["source", "dataset", "period", "file_name", "status", "rows_read", "rows_accepted", "rows_quarantined",
            "message"]
    return frame[keep].sort_values(keep[:4]).reset_index(drop=True)


def test_two_workers_write_the_same_ledger_and_quarantine(both):
    from transforms.ingest import curated

    one, two = both["1"][0], both["2"][0]
    pd.testing.assert_frame_equal(_ledger(one), _ledger(two))
    assert (_ledger(one)["source"] == "_unknown").sum() == 1  # recorded once, not once per worker
    assert set(_ledger(one)["status"]) >= {"loaded", "rejected"}
    rules = [sorted(map(tuple, curated.read_quarantine(d / "quarantine")[["source", "dataset", "period", "source_row",
                                                                            "rule"]].astype(str).values))
             for d in (one, two)]
    assert rules[0] == rules[1] and rules[0]


def _parquet_tables(folder: Path) -> dict[str, pd.DataFrame]:
    tables = {}
    for path in sorted(folder.rglob("*.parquet")):
        frame = pd.read_parquet(path)
        frame = frame.drop(columns=[c for c in frame.columns if c.endswith("_at")])  # when, not what
        tables[str(path.relative_to(folder))] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return tables


@pytest.mark.parametrize("folder", ["curated", "published"])
def test_two_workers_write_the_same_curated_and_published_tables(both, folder):
    one, two = (_parquet_tables(both[w][0] / folder) for w in ("1", "2"))
    assert one and one.keys() == two.keys()
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)


def test_failures_in_two_workers_make_one_office_email(tmp_path, monkeypatch):
    """Two sources fail, one in each worker: the office gets one e-mail naming both."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f'  - id: "{sid}"\n    municipalities: ["{sid}"]\n    delivery: {{sftp: {{conn_id: sftp_down, path: /x}}}}\n'
        for sid in ("1480", "1489")))
    with running_smtp_server(monkeypatch) as smtp:
        env = _env(tmp_path, SAMLA_SOURCES=str(sources), SAMLA_OFFICE_EMAIL="office@example.org",
                   SAMLA_MAIL_FROM="samla@example.org", AIRFLOW_CONN_SFTP_DOWN=json.dumps(
                       {"conn_type": "sftp", "host": "127.0.0.1", "port": port, "login": "u", "password": "p",
                        "extra": {"no_host_key_check": True, "conn_timeout": 5}}))
        env["AIRFLOW_CONN_SMTP_DEFAULT"] = os.environ["AIRFLOW_CONN_SMTP_DEFAULT"]
        out = samla("run", "--from", "2025-01", "--to", "2025-01", "--no-publish", "--workers", "2", env=env)
        wait_for(smtp, 2, seconds=2)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAILED tasks: _run, ingest_1480, ingest_1489" in out.stdout
    assert len(smtp.envelopes) == 1, [subject_of(e) for e in smtp.envelopes]
    body = html_of(smtp.envelopes[0])
    assert "ingest_1480" in body and "ingest_1489" in body
    assert (tmp_path / "airflow" / "run-workers" / "1").is_dir()


def _workers_of(command: subprocess.Popen, n: int, seconds: float = 300) -> list[psutil.Process]:
    """The template process the workers are forked from, then its ``n`` workers (its children)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        template = [p for p in psutil.Process(command.pid).children()
                    if "samla_airflow.run_workers" in " ".join(p.cmdline())]
        found = template[:1] + (template[0].children() if template else [])
        if len(found) >= n + 1:
            return found
        time.sleep(0.2)
    raise AssertionError("the workers did not start")


def _ctrl_c_as_in_a_terminal() -> None:
    """Ctrl-C's default action for the command: a suite started in the background (``make test &``, some CI
    runners) ignores SIGINT, and an ignored signal stays ignored in every child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["worker killed", "Ctrl-C"])
def test_a_crashed_worker_or_ctrl_c_ends_the_command_and_every_worker(deliveries, tmp_path, how):
    shutil.copytree(deliveries, tmp_path / "data")
    command = subprocess.Popen([sys.executable, "-m", "samla_airflow.cli", "run", "--from", PERIODS[0], "--to",
                                PERIODS[-1], "--workers", "2"], env=_env(tmp_path), cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
    template, *workers = _workers_of(command, 2)
    time.sleep(3)  # into the first period's work
    if how == "Ctrl-C":
        os.killpg(command.pid, signal.SIGINT)  # what the terminal sends to the foreground group
    else:
        workers[1].kill()
    stdout, stderr = command.communicate(timeout=120)
    gone, alive = psutil.wait_procs([template, *workers], timeout=10)
    assert not alive, alive
    if how == "Ctrl-C":
        assert command.returncode == 130 and "Interrupted (Ctrl-C)" in stderr, stdout + stderr
    else:
        assert command.returncode == 1, stdout + stderr
        assert "The run stopped: worker process 2 ended unexpectedly (exit code -9)" in stderr, stderr
    assert "Traceback" not in stderr


def test_the_shares_weigh_each_folder_and_a_missing_folder_counts_nothing(tmp_path):
    from samla_airflow.cli.run import _waiting_bytes

    from transforms.config.sources import parse_sources

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "participants_2025-01.csv").write_text("x" * 100)
    config = parse_sources({"sources": [
        {"id": "a", "name": "A", "municipalities": ["1480"], "delivery": {"folder": "a"}},
        {"id": "b", "name": "B", "municipalities": ["1489"], "delivery": {"folder": "gone"}}]}, tmp_path)
    assert _waiting_bytes(config, ["a", "b", "unknown"]) == {"a": 100, "b": 0, "unknown": 0}
