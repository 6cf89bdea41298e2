"""A child process run to its end while the memory of its whole process tree is sampled.

Two sums over the tree: RSS, each process's resident pages, and PSS, each page divided by the
number of processes sharing it. Without shared pages the two agree; ``samla run``'s workers are
forked from one template process and share the pages of its imports, which RSS counts once per
process and PSS once in all: the PSS sum is the memory the tree holds.
"""

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
    peak_rss_mb: float  # the RSS sum over the tree (the command and every worker or task process) at its highest
    peak_at_s: float  # seconds after the start when that peak was seen: which phase it belongs to
    ru_maxrss_mb: float  # the kernel's figure: the largest single process
    peak_pss_mb: float = 0.0  # the PSS sum at its highest: shared pages counted once (the memory held)
    peak_pss_at_s: float = 0.0


def run_measured(argv: list[str], env: dict[str, str], cwd: Path, log: Path, interval: float = 0.1) -> Measured:
    """``argv`` with stdout and stderr to ``log``; RSS and PSS of the tree sampled every ``interval`` seconds."""
    import psutil

    start = time.perf_counter()
    with log.open("w") as handle:
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
    peak, peak_pss = [0, 0.0], [0, 0.0]
    done = threading.Event()

    def sample() -> None:
        try:
            parent = psutil.Process(child.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = shared_once = 0
            try:
                for proc in [parent, *parent.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        memory = proc.memory_full_info()  # /proc/PID/smaps_rollup: rss and pss
                        total += memory.rss
                        shared_once += memory.pss
            except psutil.NoSuchProcess:
                break
            now = time.perf_counter() - start
            if total > peak[0]:
                peak[0], peak[1] = total, now
            if shared_once > peak_pss[0]:
                peak_pss[0], peak_pss[1] = shared_once, now
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(child.returncode, time.perf_counter() - start, peak[0] / 2**20, peak[1], usage.ru_maxrss / 1024,
                    peak_pss[0] / 2**20, peak_pss[1])
