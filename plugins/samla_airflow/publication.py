"""What the publication DAG's tasks run."""

from __future__ import annotations

import logging
from typing import Any

from samla_airflow.settings_bridge import export_airflow_settings

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


def publish_indicators(period_range: tuple[str, str] | None) -> dict[str, Any]:
    from transforms.publish.pipeline import publish

    settings, config = _context()
    summary = publish(settings, config, period_range)
    log.info("publication: %s (%d period(s)); %s", summary["reason"], len(summary["periods"]),
             {k: v for k, v in summary.items() if k not in ("periods", "reason")})
    return summary


def export_published_files() -> dict[str, str]:
    from transforms.publish.pipeline import export_files

    settings, _ = _context()
    paths = export_files(settings)
    log.info("published files:\n%s", "\n".join(f"  {k}: {v}" for k, v in paths.items()))
    return paths
