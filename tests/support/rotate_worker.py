"""Test helper (not a test): run ``rotation.rotate_key`` in its own process and pause at a step.

Used by test_key_rotation's kill tests:

    python tests/support/rotate_worker.py STEP MARKER

rotates from SAMLA_PSEUDONYM_KEY to SAMLA_NEW_PSEUDONYM_KEY under the locks ``samla rotate-key``
takes and, when ``on_step`` reaches STEP, writes MARKER and sleeps until it is killed.
"""

from __future__ import annotations

import os
import sys

from samla_airflow.locks import every_source, run_lock
from step_pause import pause_at

from transforms.config.settings import load_settings, pseudonym_key
from transforms.config.sources import load_sources
from transforms.upkeep.rotation import rotate_key


def main() -> None:
    step, marker = sys.argv[1:3]
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)

    with run_lock(settings.data_dir), every_source(settings.data_dir, config.sources):
        rotate_key(settings, config, pseudonym_key(settings, continuity=False),
                   os.environ["SAMLA_NEW_PSEUDONYM_KEY"].encode(), on_step=pause_at(step, marker))


if __name__ == "__main__":
    main()
