"""What the publication DAG's tasks run."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from samla_airflow.settings_bridge import export_airflow_settings
from transforms import atomic

log = logging.getLogger(__name__)


def _context():
    """Settings and the valid sources; a faulty entry stops its own source only, a faulty file everything."""
    export_airflow_settings()
    from samla_airflow.ingestion import configuration_errors_fail_fast
    from transforms.config.project import current_project
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    with configuration_errors_fail_fast():
        settings = load_settings()
        config = load_sources(settings.sources_file, settings.data_dir, strict=False)
        config.raise_file_faults()
        current_project()
    return settings, config


FAILURE_FILE = "publication_failure.json"  # under <data>/logs: why the last publication failed


@contextmanager
def failure_recorded(settings):
    """Record why a publication step failed (for ``samla run`` and the operator), then re-raise."""
    path = settings.data_dir / "logs" / FAILURE_FILE
    try:
        yield
    except Exception as exc:
        from transforms.ingest.parse import clip
        from transforms.privacy.personnummer import mask_in_text

        first_line = (str(exc).strip().splitlines() or [""])[0]
        reason = f"{type(exc).__name__}: {mask_in_text(clip(first_line, 300))}"
        atomic.write_json(path, {"at": datetime.now(UTC).isoformat(timespec="seconds"), "reason": reason})
        raise
    path.unlink(missing_ok=True)


def last_failure(settings, since: str) -> str | None:
    """The reason of a publication failure recorded at or after ``since`` (ISO time), if any."""
    path = settings.data_dir / "logs" / FAILURE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record["reason"] if record.get("at", "") >= since else None


def _release_arrow_memory() -> None:
    """Arrow's default allocator keeps freed memory for reuse; publication's peak is made of
    short-lived tables, so the system allocator gives it back (measured on the x100 case:
    benchmarks/README.md)."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def publish_indicators(period_range: tuple[str, str] | None) -> dict[str, Any]:
    from transforms.publish.pipeline import publish

    _release_arrow_memory()
    settings, config = _context()
    from samla_airflow.locks import every_source

    # The inputs read as finished wholes: a source task writes a file's curated partition before its
    # ledger record, and a publish reading between the two would record the partition as published
    # while its dataset status still says missing (a later publish then sees nothing new).
    with failure_recorded(settings), every_source(settings.data_dir, config.sources):
        summary = publish(settings, config, period_range)
    log.info("publication: %s (%d period(s)); %s", summary["reason"], len(summary["periods"]),
             {k: v for k, v in summary.items() if k not in ("periods", "reason")})
    return summary


def export_published_files() -> dict[str, str]:
    from transforms.publish.pipeline import export_files

    settings, _ = _context()
    with failure_recorded(settings):
        paths = export_files(settings)
    log.info("published files:\n%s", "\n".join(f"  {k}: {v}" for k, v in paths.items()))
    return paths
