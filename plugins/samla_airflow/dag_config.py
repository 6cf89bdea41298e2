"""What DAG files need at parse time: the source ids and labels, nothing heavy.

Reading the sources file (a small YAML) is the one parse-time read: the DAGs
are a factory over the sources (one task and one Asset per source), so adding
a municipality is a configuration change only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from transforms.config.settings import DEFAULT_DATA_DIR, DEFAULT_SOURCES
from transforms.config.sources import load_sources

CURATED_ASSET_PREFIX = "samla_curated_"
PUBLISHED_ASSET = "samla_published"


INTERACTIVE = "SAMLA_INTERACTIVE"  # set by the samla command: someone is waiting at the terminal


def default_args(retries: int, retry_delay: timedelta) -> dict:
    """Task defaults; under the samla command a failure is shown at once instead of retried later."""
    if os.environ.get(INTERACTIVE) == "1":
        retries = 0
    return {"owner": "samla", "retries": retries, "retry_delay": retry_delay}


@dataclass(frozen=True)
class SourceEntry:
    id: str
    label: str

    @property
    def task_id(self) -> str:
        return "ingest_" + "".join(c if c.isalnum() or c in "-_" else "_" for c in self.id)

    @property
    def asset_name(self) -> str:
        return CURATED_ASSET_PREFIX + self.id


def source_entries() -> list[SourceEntry]:
    path = Path(os.environ.get("SAMLA_SOURCES") or DEFAULT_SOURCES)
    data_dir = Path(os.environ.get("SAMLA_DATA_DIR") or DEFAULT_DATA_DIR)
    config = load_sources(path, data_dir)
    return [SourceEntry(s.id, s.label) for s in config.sources.values()]
