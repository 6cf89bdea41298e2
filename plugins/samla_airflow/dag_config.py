"""What DAG files need at parse time: the source ids and labels, nothing heavy.

The sources file is the one parse-time read (its entries kept between parses,
see ``source_entries``): the DAGs are a factory over the sources (one task and
one Asset per source), so adding a municipality is a configuration change only. Only ids and names are read
here, never validated: a faulty entry still gets its task, which fails with
the fault (exports.md, "Configuration faults are contained"), and a file that
cannot be read gives no source tasks while the DAGs still load.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from transforms.config.settings import DEFAULT_SOURCES

CURATED_ASSET_PREFIX = "samla_curated_"
PUBLISHED_ASSET = "samla_published"


INTERACTIVE = "SAMLA_INTERACTIVE"  # set by the samla command: someone is waiting at the terminal


def default_args(retries: int, retry_delay: timedelta) -> dict:
    """Task defaults; under the samla command a failure is shown at once instead of retried later.

    Every task keeps its final failure for the run's one office e-mail, and forgets it when cleared
    and then successful (``alerts``); the e-mail itself is the DAG's ``on_failure_callback``.
    """
    from samla_airflow.alerts import forget_task_failure, record_task_failure

    if os.environ.get(INTERACTIVE) == "1":
        retries = 0
    return {"owner": "samla", "retries": retries, "retry_delay": retry_delay,
            "on_failure_callback": record_task_failure, "on_success_callback": forget_task_failure}


def _safe(text: str) -> str:
    # Task ids and Asset names must be ASCII; a faulty id still needs a task to fail in.
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text)


@dataclass(frozen=True)
class SourceEntry:
    id: str
    label: str

    @property
    def task_id(self) -> str:
        return "ingest_" + _safe(self.id)

    @property
    def asset_name(self) -> str:
        return CURATED_ASSET_PREFIX + _safe(self.id)


def sources_path() -> Path:
    """SAMLA_SOURCES from the environment, else the Airflow Variable, else the default.

    The tasks resolve it the same way (settings_bridge), so the task list and the
    tasks always read the same file.
    """
    path = os.environ.get("SAMLA_SOURCES")
    if not path:
        from samla_airflow.settings_bridge import _variable

        path = _variable("SAMLA_SOURCES")
    return Path(path or DEFAULT_SOURCES).expanduser()


def source_entries() -> list[SourceEntry]:
    """One entry per source id of the sources file, in its order; [] when the file cannot be read.

    The dag-processor parses the DAG files again and again while the sources file rarely changes,
    and building a national file's document is most of a parse. So the entries are kept between
    parses in ``AIRFLOW_HOME/samla_cache``, under the SHA-256 of the file's bytes: a changed file
    is never answered from the cache, whatever its time stamp or size, and reading and hashing the
    bytes costs little beside building the document. The file is built only when its content is new.
    """
    path = sources_path()
    cache = _entries_cache(path)
    if cache is not None and cache.exists():
        try:
            return [SourceEntry(*pair) for pair in json.loads(cache.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass  # damaged: read the sources file again
    entries = _read_entries(path)
    if entries is None:
        return []  # every task reports the fault when it runs
    if cache is not None:
        _keep(cache, [[e.id, e.label] for e in entries])
    return entries


def _read_entries(path: Path) -> list[SourceEntry] | None:
    """The entries as the sources file gives them (ids and names only, nothing validated), or None."""
    from transforms.config.yaml_file import (
        MAX_SOURCES_BYTES_ENV,
        YamlFileError,
        max_sources_bytes,
        read_yaml,
    )

    try:
        document = read_yaml(path, "sources file", (max_sources_bytes(), MAX_SOURCES_BYTES_ENV))
    except YamlFileError:
        return None
    raw = document.get("sources") if isinstance(document, dict) else None
    entries: dict[str, SourceEntry] = {}
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        sid = item.get("id") if isinstance(item, dict) else None
        sid = str(sid) if isinstance(sid, str | int) and str(sid) else f"sources[{index}]"
        name = item.get("name") if isinstance(item, dict) else None
        entry = SourceEntry(sid, f"{sid} {name}" if isinstance(name, str) and name != sid else sid)
        entries.setdefault(entry.task_id, entry)  # an id used twice: one task, which fails
    return list(entries.values())


ENTRIES_CACHE_VERSION = "1"


def _entries_cache(path: Path) -> Path | None:
    """Where the entries of this very sources file are kept, or None (no AIRFLOW_HOME, or unreadable)."""
    home = os.environ.get("AIRFLOW_HOME")
    if not home:
        return None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # the tasks report the unreadable file
    return Path(home) / "samla_cache" / f"source_entries-{ENTRIES_CACHE_VERSION}-{digest}.json"


def _keep(cache: Path, pairs: list[list[str]]) -> None:
    from transforms import atomic

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(cache, json.dumps(pairs, ensure_ascii=False))
    except OSError:
        pass  # a read-only home: every parse reads the sources file, as without the cache
