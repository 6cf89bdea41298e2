"""For the kill tests' worker processes: an ``on_step`` hook that stops the process at one named step."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def pause_at(step: str, marker: str) -> Callable[[str], None]:
    """``on_step`` that, at ``step``, writes "<pid> <step>" to ``marker`` atomically (the test waits for
    it, then kills this process) and sleeps."""
    def on_step(name: str) -> None:
        if name == step:
            tmp = Path(marker + ".tmp")
            tmp.write_text(f"{os.getpid()} {name}\n")
            os.replace(tmp, marker)
            time.sleep(600)

    return on_step
