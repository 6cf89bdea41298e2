"""
### Samla ingestion

Pulls every source's monthly exports (folder or SFTP), keeps them unchanged in
the raw archive, validates them with the GX suites in `expectations/`,
harmonises and pseudonymises them, and stores curated Parquet per
source/dataset/period with a load ledger and a quarantine.

* One task per source (from the sources file): a fault in one source never
  stops the others. Re-run one source by clearing its task, or trigger with
  `sources: ["1480"]`.
* "Källor med något nytt" (`select_sources`) runs first and skips the folder sources whose
  landing folder and configuration are as the last clean run left them (an
  empty month costs seconds, not a task per source). A source it skipped is
  re-run by triggering with `sources: [...]`, or by clearing its task together
  with this one (Airflow re-skips a branch-skipped task cleared alone).
* `period_from` / `period_to` (YYYY-MM) limit the periods; a scheduled run
  takes every new delivery, a backfill run the month before its logical date.
* A source whose curated data changed updates its Asset `samla_curated_<id>`,
  which schedules the publication DAG.
* The run fails when any source task failed ("Alla källuppgifter lyckades",
  `run_check`). Rejected files and quarantined rows do not fail it: they are
  listed by name under "Avvisade filer" (`needs_attention`) and "Rader i
  karantän" (`quarantined_rows`), one instance per source, from the ledger:
  the truth of the run's periods (the delivery that counts for each source,
  dataset and period), so clearing or re-running one source never hides
  another's problem. The run's periods: `period_from`..`period_to`, a
  backfill's month, or for a scheduled run those of the deliveries checked
  since the run was created. At most 100 sources each; the rest in a last
  "… och N källor till" instance. Skipped = nothing to list.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Asset, dag, get_current_context, task
from samla_airflow.alerts import email_office
from samla_airflow.dag_config import default_args, source_entries
from samla_airflow.params import period_params, sources_param

from transforms.messages import t

# A source's SFTP server or share briefly away mends itself; a configuration fault fails at once.
DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=5))


@dag(
    dag_id="samla_ingest",
    schedule="0 6 5 * *",  # the 5th of each month: the previous month's exports are due by then
    start_date=None,  # no date of any one project: without catchup the newest schedule point runs first
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["samla", "ingestion"],
    on_failure_callback=email_office,
    doc_md=__doc__,
    dag_display_name=t("dag.ingest"),
)
def samla_ingest():
    def make_source_task(entry):
        @task(task_id=entry.task_id, task_display_name=t("dag.task.ingest_source", label=entry.label),
              outlets=[Asset(entry.asset_name)])
        def ingest_source():
            from airflow.sdk.exceptions import AirflowSkipException
            from samla_airflow.ingestion import ingest_one_source
            from samla_airflow.params import period_range

            context = get_current_context()
            params, run = context["params"], context["dag_run"]
            wanted = params.get("sources") or []
            if wanted and entry.id not in wanted:  # also when cleared by hand in a run for other sources
                raise AirflowSkipException(f"source {entry.id} not selected for this run")
            manifest = ingest_one_source(entry.id, period_range(params, run.run_type, run.logical_date))
            if not manifest["changed"] and not manifest["files"]:
                raise AirflowSkipException("no new deliveries")  # no Asset event: nothing to publish
            return manifest

        return ingest_source()

    @task(task_display_name=t("dag.task.summary"), trigger_rule="all_done")
    def summary():
        """Logs the totals of the run's periods from the ledger; returns the rejected files' items
        (the quarantined rows' items under the XCom key "quarantined", taken from the same reading)."""
        from samla_airflow.ingestion import summarise_run
        from samla_airflow.params import period_range
        from samla_airflow.run_workers import SHARE_OF_PERIOD

        context = get_current_context()
        params, run = context["params"], context["dag_run"]
        if (run.conf or {}).get(SHARE_OF_PERIOD):
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException("one share of the period: its totals come once every share is done")
        # run_after, not start_date: clearing a task moves the run's start date on
        found = summarise_run(period_range(params, run.run_type, run.logical_date), run.run_after)
        context["ti"].xcom_push(key="quarantined", value=found["quarantined"])
        return found["rejected"]

    # Airflow maps only over a task's return value, so the second list needs a task of its own.
    @task(task_display_name=t("dag.task.quarantined_sources"), trigger_rule="all_done")
    def quarantined_sources():
        return get_current_context()["ti"].xcom_pull(task_ids="summary", key="quarantined") or []

    @task(task_display_name=t("dag.task.unknown_sources"))
    def unknown_sources():
        from samla_airflow.ingestion import check_unknown_sources

        return len(check_unknown_sources())

    # Rejected files and quarantined rows in two tasks, so the one is told from the other at a glance;
    # one mapped instance per source, named in the grid (map_index_template). None -> skipped.
    def attention_task(task_id: str, display: str):
        @task(task_id=task_id, task_display_name=t(display), trigger_rule="all_done",
              map_index_template="{{ attention }}")
        def report(item: dict):
            from samla_airflow.ingestion import report_attention

            # map_index_template reads a key the task adds to its context, as Airflow documents;
            # the Context type does not declare such keys.
            get_current_context()["attention"] = item["name"]  # type: ignore[typeddict-unknown-key]
            report_attention(item)

        return report

    # A DAG run's state comes from its leaf tasks (Airflow's rule): the summary runs whatever happened,
    # so this check makes any failed source task fail the run.
    @task(task_display_name=t("dag.task.run_check"), trigger_rule="none_failed")
    def run_check():
        return "ok"

    entries = source_entries()

    @task.branch(task_display_name=t("dag.task.select_sources"))
    def select_sources():
        from samla_airflow.ingestion import sources_with_work
        from samla_airflow.params import period_range

        context = get_current_context()
        params, run = context["params"], context["dag_run"]
        return sources_with_work({entry.id: entry.task_id for entry in entries}, params.get("sources") or [],
                                 period_range(params, run.run_type, run.logical_date))

    source_tasks = [make_source_task(entry) for entry in entries]
    select_sources() >> source_tasks
    sources = [unknown_sources(), *source_tasks]
    totals = summary()
    sources >> totals
    attention_task("needs_attention", "dag.task.rejected_files").expand(item=totals)
    attention_task("quarantined_rows", "dag.task.quarantined_rows").expand(item=totals >> quarantined_sources())
    [*sources, totals] >> run_check()


# The params are the DAG's, given once its tasks exist. A task reads the DAG's params at run time
# (airflow.sdk.definitions.param.process_params), but Airflow deep-copies them into every task it
# creates and dumps and schema-checks each copy whenever the DAG is serialised: with a national
# configuration's source tasks, a large share of every parse and of every dag.test().
samla_ingest().params.update({**period_params(), "sources": sources_param()})
