"""One run at a time per data folder, one task at a time per source: locks that end with their process.

A lock is ``fcntl.flock`` on a file under ``<data folder>/locks/``. The kernel releases it when
the holding process ends, however it ends (kill -9 included), so no lock outlives its holder;
while held, the file says who holds it (pid, host, start, command) for the message the next
one reads. The data folder must be on a file system whose flock works between the processes
that share it (a local disk; a Docker volume shared by workers on one host).

Two levels:

* ``run_lock``: ``samla run`` and ``samla demo`` hold it for their whole run; a second refuses
  at once (``RunInProgress``), naming the holder.
* ``source_lock``: each source task (scheduler, worker or ``dag.test()``) holds its source's lock
  for all of its ingestion (pull, listing, archive, ledger) and waits up to
  SAMLA_SOURCE_LOCK_WAIT while another holds it, then fails (``SourceBusy``, retried by Airflow).
  The waiter lists the landing folder only once it holds the lock, so what the other run
  archived and recorded is a duplicate by checksum and is not processed again.

The command never takes a source lock and tasks never take the run lock, so the two never wait
on each other in a circle while ``samla run`` runs its tasks in-process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from transforms.clock import local_time
from transforms.messages import t
from transforms.privacy.personnummer import mask_in_text

log = logging.getLogger(__name__)

FOLDER = "locks"
RUN = "run"
POLL_SECONDS = 0.5


class Busy(Exception):
    """The lock is held by another process."""

    def __init__(self, message: str, holder: str):
        super().__init__(message)
        self.holder = holder


class RunInProgress(Busy):
    """Another ``samla run`` (or ``samla demo``) holds the data folder."""


class SourceBusy(Busy):
    """Another run kept the source for longer than a task waits."""


def lock_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / FOLDER / f"{name}.lock"


def source_lock_name(source_id: str) -> str:
    # Source ids are checked to be A-Z a-z 0-9 _ - by the sources file; anything else never names a file.
    return "source-" + (source_id if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", source_id) else
                        "x" + source_id.encode("utf-8", "surrogateescape").hex()[:80])


def holder_of(path: Path) -> str:
    """Who holds (or last held) the lock at ``path``, in words."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        return t("lock.holder", pid=int(found["pid"]), host=found["host"], started=local_time(found["started"]),
                 command=found["command"])
    except (OSError, ValueError, KeyError, TypeError):  # not written yet, or by something else
        return t("lock.holder_unknown", path=path)


def _this_process() -> bytes:
    command = " ".join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                       "started": datetime.now(UTC).isoformat(timespec="seconds"),
                       "command": mask_in_text(command)[:200]}, ensure_ascii=False).encode("utf-8")


@contextlib.contextmanager
def held(path: Path, wait: float, on_wait: Callable[[str], None] | None = None,
         busy: type[Busy] = Busy, message: Callable[[str], str] = str) -> Iterator[None]:
    """Hold the lock at ``path``; wait up to ``wait`` seconds for another holder (``on_wait`` is told
    once, with the holder), then raise ``busy(message(holder))``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = holder_of(path)
                if deadline is None:
                    deadline = time.monotonic() + wait
                    if wait > 0 and on_wait is not None:
                        on_wait(holder)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise busy(message(holder), holder) from None
                time.sleep(min(POLL_SECONDS, left))
        os.ftruncate(fd, 0)
        os.pwrite(fd, _this_process(), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # e.g. a full disk: the lock goes with the descriptor anyway
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def run_lock(data_dir: Path):
    """The data folder, for one ``samla run`` / ``samla demo`` at a time; a second refuses at once."""
    return held(lock_path(data_dir, RUN), 0, busy=RunInProgress,
                message=lambda holder: t("lock.run_in_progress", data_dir=data_dir, holder=holder))


def source_lock(data_dir: Path, source_id: str, wait: int | None = None):
    """One source, for one task at a time; waits (said in the task log, and on the terminal of a
    ``samla run`` waiting for it) up to ``wait`` seconds, default SAMLA_SOURCE_LOCK_WAIT."""
    from samla_airflow.airflow_runner import tell
    from transforms.config.settings import source_lock_wait

    seconds = source_lock_wait() if wait is None else wait

    def waiting(holder: str) -> None:
        text = t("lock.source_waiting", source=source_id, holder=holder, seconds=seconds)
        log.warning("%s", text)
        tell(text)

    return held(lock_path(data_dir, source_lock_name(source_id)), seconds, waiting, SourceBusy,
                lambda holder: t("lock.source_busy", source=source_id, seconds=seconds, holder=holder))


@contextlib.contextmanager
def every_source(data_dir: Path, source_ids) -> Iterator[None]:
    """Every source's lock, taken in id order (so two holders of many never deadlock): for work that must
    see each source's curated data and ledger as one finished whole (a publish, a key rotation)."""
    with contextlib.ExitStack() as stack:
        for source_id in sorted(source_ids):
            stack.enter_context(source_lock(data_dir, source_id))
        yield
