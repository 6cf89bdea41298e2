"""
### Samla publication

Computes the indicator tables of `indicators.md` from the curated Parquet
(best current knowledge), applies disclosure control, and publishes them in
one transaction to the warehouse (`SAMLA_WAREHOUSE_URL`), as Parquet, and as
the fund's Excel report.

* Data-aware: runs when any source's Asset `samla_curated_<id>` is updated by
  the ingestion DAG; also runnable by hand for a period range.
* Rebuilds only the periods that changed inputs affect; a rerun on the same
  inputs gives identical tables.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, AssetAny, dag, get_current_context, task
from samla_airflow.alerts import email_office
from samla_airflow.dag_config import PUBLISHED_ASSET, default_args, source_entries
from samla_airflow.params import period_params

from transforms.messages import t

# A warehouse briefly locked or away: tried again soon, as stewards wait for the numbers.
DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=2))


@dag(
    dag_id="samla_publish",
    schedule=AssetAny(*(Asset(entry.asset_name) for entry in source_entries())),
    start_date=None,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["samla", "publication"],
    on_failure_callback=email_office,
    doc_md=__doc__,
    params=period_params(),
    dag_display_name=t("dag.publish"),
)
def samla_publish():
    @task(task_display_name=t("dag.task.publish_indicators"))
    def publish_indicators():
        from samla_airflow.params import period_range
        from samla_airflow.publication import publish_indicators

        return publish_indicators(period_range(get_current_context()["params"]))

    @task(task_display_name=t("dag.task.export_files"), outlets=[Asset(PUBLISHED_ASSET)])
    def export_files(summary):
        from samla_airflow.publication import export_published_files

        return export_published_files()

    export_files(publish_indicators())


samla_publish()
