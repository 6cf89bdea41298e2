"""One run at a time per data folder, one task at a time per source, for real: separate processes on
one data folder, a holder killed with SIGKILL, and the messages the waiting and the refused one show."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deliveries import attendance, participant, people, write_csv
from samla_airflow import locks

from transforms.ingest.ledger import Ledger

pytestmark = pytest.mark.slow  # runs the real DAGs or the samla command: seconds a test

SAMLA = str(Path(sys.executable).parent / "samla")  # the console script, as an operator runs it
PNRS = people(8, seed=16)
SOURCE = "1489"
WAITING = "källan 1489: en annan körning bearbetar den just nu"


@pytest.fixture
def folder(tmp_path):
    """A data folder with three deliveries of one source, and the environment of a process working on it."""
    data = tmp_path / "data"
    sources = tmp_path / "sources.yaml"
    sources.write_text(f'sources:\n  - id: "{SOURCE}"\n    name: Alingsås\n    municipalities: ["{SOURCE}"]\n'
                       f'    delivery: {{folder: raw/landing/{SOURCE}}}\n')
    landing = data / "raw" / "landing" / SOURCE
    for period in ("2025-01", "2025-02"):
        write_csv(landing / f"participants_{period}.csv", [participant(p) for p in PNRS])
    write_csv(landing / "attendance_2025-01.csv", [attendance(p, "2025-01") for p in PNRS])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMLA_", "AIRFLOW_CTX_"))}
    env.update(SAMLA_DATA_DIR=str(data), SAMLA_SOURCES=str(sources), AIRFLOW_HOME=str(tmp_path / "airflow"),
               SAMLA_PSEUDONYM_KEY="lock-test-key-0123456789abcdef")
    return data, env


def wait_for(condition, what: str, seconds: float = 240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def each_file_once(data: Path, pages: bool = True) -> None:
    """Every delivery recorded once, archived once (and given one Data Docs page): nothing processed twice."""
    records = Ledger(data / "ledger").history()
    assert sorted(records["file_name"]) == ["attendance_2025-01.csv", "participants_2025-01.csv",
                                            "participants_2025-02.csv"], records[["file_name", "sequence"]]
    assert set(records["sequence"]) == {0}
    assert len(list((data / "raw" / "archive" / SOURCE).glob("*/*/*.json"))) == 3
    if pages:  # (a run killed between a file's page and its ledger record makes the next run check it again)
        assert len(list((data / "data_docs" / "validations").rglob("*.html"))) == 3


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


CHILD = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from samla_airflow.ingestion import ingest_one_source
print(json.dumps([f["file_name"] for f in ingest_one_source("1489", None)["files"]]))
"""


def test_two_source_tasks_at_once_process_each_file_once(folder, tmp_path):
    """Two processes run the source task's function on one data folder (as a scheduler task and
    `samla run` would). Both are made to wait on this test's hold of the source lock, so both are
    surely running when it is let go; then one processes the three files and the other, which lists
    the folder only once it holds the lock, finds them done by checksum."""
    data, env = folder
    logs = [tmp_path / f"child{i}.err" for i in (1, 2)]
    with locks.held(locks.lock_path(data, locks.source_lock_name(SOURCE)), 0):
        children = [subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                                     stderr=log.open("w"), text=True) for log in logs]
        wait_for(lambda: all(WAITING in text(log) for log in logs), "both tasks to wait for the source")
    outputs = [child.communicate(timeout=300)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], [text(log)[-2000:] for log in logs]
    assert f"pid {os.getpid()} på" in text(logs[0])  # the waiting one is told who holds the source
    processed = sorted(sorted(json.loads(out.strip().splitlines()[-1])) for out in outputs)
    assert processed == [[], ["attendance_2025-01.csv", "participants_2025-01.csv", "participants_2025-02.csv"]]
    each_file_once(data)


def test_a_second_run_refuses_and_a_killed_run_leaves_no_lock(folder, tmp_path):
    """`samla run` holds the data folder: a second refuses at once, naming the first. The first, killed
    with SIGKILL while its source task holds the source lock, leaves neither lock behind: the next
    run neither refuses nor waits, and processes each file once."""
    data, env = folder
    env = env | {"SAMLA_SOURCE_LOCK_WAIT": "600"}
    command = [SAMLA, "run", "--from", "2025-01", "--to", "2025-02", "--no-publish"]
    source_lock = locks.lock_path(data, locks.source_lock_name(SOURCE))
    first_out = tmp_path / "first.out"
    with locks.held(source_lock, 0):  # the first run's task waits here: the first run surely runs meanwhile
        first = subprocess.Popen(command, env=env, stdout=first_out.open("w"), stderr=subprocess.STDOUT,
                                 start_new_session=True)
        # the waiting task says so on the terminal of the run, not only in Airflow's log file
        wait_for(lambda: WAITING in text(first_out), "the first run to wait for the source")
        second = subprocess.run(command, env=env | {"SAMLA_LANGUAGE": "en"}, capture_output=True, text=True,
                                timeout=120)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"Another run is already using the data folder {data} (pid {first.pid} on " in second.stderr
    assert "samla run --from 2025-01 --to 2025-02 --no-publish" in second.stderr
    assert "Traceback" not in second.stderr and not second.stdout
    # let the first run take the source, then kill it while its task holds the lock
    wait_for(lambda: f'"pid": {first.pid}' in text(source_lock), "the first run's task to hold the source")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL

    third = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "en annan körning" not in third.stdout + third.stderr.lower()  # neither refused nor waiting
    assert "2/2 2025-02" in third.stdout
    each_file_once(data, pages=False)
    assert text(locks.lock_path(data, locks.RUN)) == ""  # released: nobody is said to hold it


def test_a_source_held_too_long_fails_the_task_clearly(tmp_path, caplog):
    """The bounded wait: told once in the log, then SourceBusy (a plain failure: Airflow retries it)
    naming the holder and how long it waited."""
    held = locks.lock_path(tmp_path, locks.source_lock_name(SOURCE))
    with locks.held(held, 0):  # another open file description: it conflicts as another process would
        started = time.monotonic()
        with pytest.raises(locks.SourceBusy) as busy, locks.source_lock(tmp_path, SOURCE, wait=1):
            pass
        assert 1 <= time.monotonic() - started < 10
    assert str(busy.value).startswith("källan 1489: en annan körning bearbetade den fortfarande efter 1 s (pid ")
    assert f"pid {os.getpid()} på" in str(busy.value) and "den försöks igen" in str(busy.value)
    assert [r.getMessage() for r in caplog.records if WAITING in r.getMessage()] != []
    with locks.source_lock(tmp_path, SOURCE, wait=0):  # once let go, it is taken at once
        assert f'"pid": {os.getpid()}' in held.read_text()
    with locks.run_lock(tmp_path), pytest.raises(locks.RunInProgress, match="En annan körning använder redan"), \
            locks.run_lock(tmp_path):
        pass


def test_a_lock_file_that_says_nothing_still_gives_a_message(tmp_path):
    path = locks.lock_path(tmp_path, locks.RUN)
    path.parent.mkdir()
    path.write_text("not json")
    assert locks.holder_of(path) == f"okänd process (låsfilen {path} säger inte vem)"
    assert locks.source_lock_name("1480") == "source-1480"
    assert "/" not in locks.source_lock_name("../etc")


def test_a_publish_reads_no_source_while_its_task_holds_it(folder, monkeypatch):
    """A publish takes every source's lock before it reads curated data and ledger: a source task
    between a file's curated partition and its ledger record is waited for, never read half-way."""
    from samla_airflow.publication import publish_indicators

    data, env = folder
    for name in ("SAMLA_DATA_DIR", "SAMLA_SOURCES", "SAMLA_PSEUDONYM_KEY"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("SAMLA_SOURCE_LOCK_WAIT", "1")
    with locks.held(locks.lock_path(data, locks.source_lock_name(SOURCE)), 0), \
            pytest.raises(locks.SourceBusy, match="källan 1489"):
        publish_indicators(None)
    assert not (data / "warehouse.db").exists()  # nothing was read, nothing published
