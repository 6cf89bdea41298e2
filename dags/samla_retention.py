"""
### Samla raw archive retention

Deletes raw deliveries `SAMLA_RAW_RETENTION_DAYS` (default 90) days after
their period closed, but only those already processed into the ledger —
never a delivery still waiting to load — and so their copies in the landing
and SFTP staging folders.

* Files whose name gives no period are reported in the task log.
* Arrival records stay (no personal data), so re-sent bytes are still
  recognised as duplicates.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from samla_airflow.alerts import email_office
from samla_airflow.dag_config import default_args

from transforms.messages import t

# Nothing waits on a purge, and the next week's run catches up: one more try is enough.
DEFAULT_ARGS = default_args(retries=1, retry_delay=timedelta(minutes=10))


@dag(
    dag_id="samla_retention",
    schedule="@weekly",
    start_date=None,  # no date of any one project: without catchup the newest schedule point runs first
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["samla", "privacy"],
    on_failure_callback=email_office,
    doc_md=__doc__,
    dag_display_name=t("dag.retention"),
)
def samla_retention():
    @task(task_display_name=t("dag.task.purge"))
    def purge():
        from samla_airflow.retention import purge_expired

        return purge_expired()

    purge()


samla_retention()
