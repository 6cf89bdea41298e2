"""Test helper (not a test): run ``warehouse.write_publication`` in its own process and pause at a step.

Used by test_warehouse's kill-mid-publish tests:

    python tests/support/publish_worker.py URL FRAMES.pkl STEP MARKER

loads the keyword arguments of ``write_publication`` from FRAMES.pkl, publishes to URL and,
when ``on_step`` reaches STEP, writes MARKER and sleeps until it is killed.
"""

from __future__ import annotations

import sys

import pandas as pd
from step_pause import pause_at

from transforms.publish.warehouse import write_publication


def main() -> None:
    url, frames_path, step, marker = sys.argv[1:5]
    kwargs = pd.read_pickle(frames_path)

    write_publication(url, on_step=pause_at(step, marker), **kwargs)


if __name__ == "__main__":
    main()
