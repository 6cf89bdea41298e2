"""What every Samla task process imports, imported once by the process its tasks are forked from.

Under the real scheduler each task runs in a process forked from an executor worker. A Samla task
imports pandas, pyarrow and Great Expectations (seconds of CPU a task); imported once in the
worker, every task process inherits them. The LocalExecutor's workers come from a forkserver that
preloads them (``SCHEDULER_ENV``); a Celery worker imports them before its pool forks
(``samla_airflow.celery_config``).
"""

from __future__ import annotations

MODULES = ("pandas", "pyarrow.parquet", "great_expectations")

# Airflow's own settings for it, read by the scheduler only ([scheduler], not [core]: the
# dag-processor's parsing processes must not carry these modules).
SCHEDULER_ENV = {
    "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
    "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": ",".join(("airflow", *MODULES)),
}
