"""Test helper (not a test): run ``warehouse.write_publication`` in its own process and pause at a step.

Used by test_warehouse's kill-mid-publish tests:

    python tests/publish_worker.py URL FRAMES.pkl STEP MARKER

loads the keyword arguments of ``write_publication`` from FRAMES.pkl, publishes to URL and,
when ``on_step`` reaches STEP, writes MARKER and sleeps until it is killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

from transforms.publish.warehouse import write_publication


def main() -> None:
    url, frames_path, pause_at, marker = sys.argv[1:5]
    kwargs = pd.read_pickle(frames_path)

    def on_step(name: str) -> None:
        if name == pause_at:
            tmp = Path(marker + ".tmp")
            tmp.write_text(f"{os.getpid()} {name}\n")
            os.replace(tmp, marker)
            time.sleep(600)

    write_publication(url, on_step=on_step, **kwargs)


if __name__ == "__main__":
    main()
