"""A child process run to its end while the memory of its whole process tree is sampled."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    exit: int
    wall_s: float
    peak_rss_mb: float  # the sum over the tree (the command and every worker or task process) at its highest
    peak_at_s: float  # seconds after the start when that peak was seen: which phase it belongs to
    ru_maxrss_mb: float  # the kernel's figure: the largest single process


def run_measured(argv: list[str], env: dict[str, str], cwd: Path, log: Path, interval: float = 0.1) -> Measured:
    """``argv`` with stdout and stderr to ``log``; RSS of the tree sampled every ``interval`` seconds."""
    import psutil

    start = time.perf_counter()
    with log.open("w") as handle:
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
    peak = [0, 0.0]
    done = threading.Event()

    def sample() -> None:
        try:
            parent = psutil.Process(child.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for proc in [parent, *parent.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                break
            if total > peak[0]:
                peak[0], peak[1] = total, time.perf_counter() - start
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(child.returncode, time.perf_counter() - start, peak[0] / 2**20, peak[1], usage.ru_maxrss / 1024)
