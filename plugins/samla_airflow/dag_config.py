"""What DAG files need at parse time: the source ids and labels, nothing heavy.

Reading the sources file (a small YAML) is the one parse-time read: the DAGs
are a factory over the sources (one task and one Asset per source), so adding
a municipality is a configuration change only. Only ids and names are read
here, never validated: a faulty entry still gets its task, which fails with
the fault (exports.md, "Configuration faults are contained"), and a file that
cannot be read gives no source tasks while the DAGs still load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from transforms.config.settings import DEFAULT_SOURCES

CURATED_ASSET_PREFIX = "samla_curated_"
PUBLISHED_ASSET = "samla_published"


INTERACTIVE = "SAMLA_INTERACTIVE"  # set by the samla command: someone is waiting at the terminal


def default_args(retries: int, retry_delay: timedelta) -> dict:
    """Task defaults; under the samla command a failure is shown at once instead of retried later."""
    if os.environ.get(INTERACTIVE) == "1":
        retries = 0
    return {"owner": "samla", "retries": retries, "retry_delay": retry_delay}


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
    from transforms.config.yaml_file import YamlFileError, list_item_fields

    try:  # ids and names only, from the YAML event stream (the parse cost of 290 sources: issue 10.5)
        raw = list_item_fields(sources_path(), "sources file", "sources", ("id", "name"))
    except YamlFileError:
        return []  # every task reports the fault when it runs
    entries: dict[str, SourceEntry] = {}
    for index, item in enumerate(raw):
        sid = item.get("id") if isinstance(item, dict) else None
        sid = str(sid) if isinstance(sid, str | int) and str(sid) else f"sources[{index}]"
        name = item.get("name") if isinstance(item, dict) else None
        entry = SourceEntry(sid, f"{sid} {name}" if isinstance(name, str) and name != sid else sid)
        entries.setdefault(entry.task_id, entry)  # an id used twice: one task, which fails
    return list(entries.values())


def without_own_params(task_output):
    """The task of ``task_output`` without its copy of the DAG's params.

    At run time a task's params are the DAG's, then its own, then the run's conf
    (``airflow.sdk.definitions.param.process_params``), so an empty copy changes
    nothing it sees. What it saves: Airflow dumps and schema-checks every task's
    params whenever the DAG is serialised (each parse, each ``dag.test()``): 10 of
    26 s of a national empty month's run, 290 source tasks × 3 params (profiled).
    """
    from airflow.sdk.definitions.param import ParamsDict

    task_output.operator.params = ParamsDict()
    return task_output
