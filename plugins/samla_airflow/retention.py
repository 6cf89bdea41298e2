"""What the retention DAG's task runs: raw deliveries and their landing copies deleted by rule."""

from __future__ import annotations

import logging

from samla_airflow.settings_bridge import export_airflow_settings
from transforms.privacy.personnummer import MaskingFilter

log = logging.getLogger(__name__)
log.addFilter(MaskingFilter())  # the task log names files


def purge_expired() -> dict[str, int]:
    """Delete the raw deliveries and landing copies that have expired; returns the counts.

    Every entry of the sources file must be valid: nothing is deleted under a configuration in doubt.
    """
    export_airflow_settings()
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.upkeep.retention import purge_landing, purge_raw

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)
    purged = purge_raw(settings, sorted(config.sources))
    copies, without_period = purge_landing(settings, list(config.sources.values()))
    log.info("purged %d raw deliveries and %d landing/staging copies", len(purged), len(copies))
    for item in without_period:  # exports.md: reported, never kept forever in silence
        log.warning("%s: %s in %s gives no period (%d days old): it cannot expire by rule; remove it or "
                    "rename it to the source's pattern", item["source"], item["file_name"], item["folder"],
                    item["age_days"])
    return {"purged": len(purged), "landing_copies": len(copies), "without_period": len(without_period)}
