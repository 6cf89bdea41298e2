"""
### Samla raw archive retention

Deletes raw deliveries `SAMLA_RAW_RETENTION_DAYS` (default 90) days after
their period closed, but only those already processed into the ledger —
never a delivery still waiting to load — and so their copies in the landing
and SFTP staging folders. Files whose name gives no period are reported. Arrival records stay (no personal
data), so re-sent bytes are still recognised as duplicates.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, task
from samla_airflow.alerts import email_office
from samla_airflow.dag_config import default_args

from transforms.messages import t


@dag(dag_id="samla_retention", schedule="@weekly", start_date=datetime(2024, 9, 1, tzinfo=UTC), catchup=False, max_active_runs=1,
     default_args=default_args(retries=1, retry_delay=timedelta(minutes=10)),
     tags=["samla", "privacy"], doc_md=__doc__, on_failure_callback=email_office,
     dag_display_name=t("dag.retention"))
def samla_retention():
    @task(task_display_name=t("dag.task.purge"))
    def purge():
        import logging

        from samla_airflow.settings_bridge import export_airflow_settings

        export_airflow_settings()
        from transforms.config.settings import load_settings
        from transforms.config.sources import load_sources
        from transforms.upkeep.retention import purge_landing, purge_raw

        settings = load_settings()
        config = load_sources(settings.sources_file, settings.data_dir)
        log = logging.getLogger(__name__)
        purged = purge_raw(settings, sorted(config.sources))
        copies, without_period = purge_landing(settings, list(config.sources.values()))
        log.info("purged %d raw deliveries and %d landing/staging copies", len(purged), len(copies))
        for item in without_period:  # exports.md: reported, never kept forever in silence
            log.warning("%s: %s in %s gives no period (%d days old): it cannot expire by rule; remove it or "
                        "rename it to the source's pattern", item["source"], item["file_name"], item["folder"],
                        item["age_days"])
        return {"purged": len(purged), "landing_copies": len(copies), "without_period": len(without_period)}

    purge()


samla_retention()
