"""Test helper (not a test): run ``rotation.rotate_key`` in its own process and pause at a step.

Used by test_key_rotation's kill tests:

    python tests/rotate_worker.py STEP MARKER

rotates from SAMLA_PSEUDONYM_KEY to SAMLA_NEW_PSEUDONYM_KEY under the locks ``samla rotate-key``
takes and, when ``on_step`` reaches STEP, writes MARKER and sleeps until it is killed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from samla_airflow.locks import run_lock, source_lock

from transforms.config.settings import load_settings, pseudonym_key
from transforms.config.sources import load_sources
from transforms.privacy.rotation import rotate_key


def main() -> None:
    pause_at, marker = sys.argv[1:3]
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)

    def on_step(name: str) -> None:
        if name == pause_at:
            tmp = Path(marker + ".tmp")
            tmp.write_text(f"{os.getpid()} {name}\n")
            os.replace(tmp, marker)
            time.sleep(600)

    with run_lock(settings.data_dir), contextlib.ExitStack() as held:
        for source_id in sorted(config.sources):
            held.enter_context(source_lock(settings.data_dir, source_id))
        rotate_key(settings, config, pseudonym_key(settings, continuity=False),
                   os.environ["SAMLA_NEW_PSEUDONYM_KEY"].encode(), on_step=on_step)


if __name__ == "__main__":
    main()
