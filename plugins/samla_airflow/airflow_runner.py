"""Run the project's DAGs in-process with ``dag.test()`` — the same DAG code the scheduler runs.

Used by the ``samla`` command and ``make demo``. Airflow's own log output goes
to a file; the caller shows plain-language progress instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parents[1]  # the checkout, when running from one


def dags_folder() -> Path:
    """The DAG files: inside the package when installed from the wheel, else the checkout's dags/."""
    packaged = PACKAGE / "dags"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "dags"


def plugins_folder() -> Path:
    """The Airflow plugins folder: inside the package when installed, else the checkout's plugins/."""
    packaged = PACKAGE / "plugins_folder"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "plugins"


def prepare_airflow_env(data_dir: Path) -> Path:
    """Point Airflow at the project's DAGs and a home under the data dir, unless already configured."""
    home = Path(os.environ.setdefault("AIRFLOW_HOME", str(data_dir / "airflow")))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder()))
    os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(plugins_folder()))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    home.mkdir(parents=True, exist_ok=True)
    return home


@contextlib.contextmanager
def output_to(log_file: Path):
    """Send everything written to fds 1 and 2 (Airflow's structlog output) to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_file, "ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


class DagRunner:
    def __init__(self, data_dir: Path, log_file: Path):
        self.log_file = log_file
        prepare_airflow_env(data_dir)
        # Read when the DAGs are parsed: a failure is reported at once, not retried minutes later.
        os.environ["SAMLA_INTERACTIVE"] = "1"
        self._bag = None
        self._synced = False

    def _dagbag(self):
        if self._bag is None:
            with output_to(self.log_file):
                from airflow.dag_processing.dagbag import DagBag
                from airflow.utils import db

                db.initdb()
                self._bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
            if self._bag.import_errors:
                errors = "; ".join(f"{Path(k).name}: {v.strip().splitlines()[-1]}" for k, v in self._bag.import_errors.items())
                raise RuntimeError(f"the DAG folder does not load: {errors}")
        return self._bag

    def has_dag(self, dag_id: str) -> bool:
        return dag_id in self._dagbag().dag_ids

    def run(self, dag_id: str, conf: dict[str, Any]) -> dict[str, str]:
        """Run one DAG run to its end; returns task id -> final state."""
        dag = self._dagbag().get_dag(dag_id)
        if dag is None:
            raise RuntimeError(f"DAG {dag_id} not found in {os.environ['AIRFLOW__CORE__DAGS_FOLDER']}")
        with output_to(self.log_file), self._synced_once():
            run = dag.test(run_conf=conf)
        return {ti.task_id: _text(ti.state) for ti in run.get_task_instances()} | {"_run": _text(run.state)}

    @contextlib.contextmanager
    def _synced_once(self):
        """The DAG folder parsed and synced to the metadata DB by the first ``dag.test()`` only.

        Airflow 3's ``dag.test()`` parses the whole folder again and syncs every DAG on each call
        (apache/airflow#64884). With the national 290 sources that is most of an empty month
        (2 of 4.7 s): loading the publication DAG's row joins its 290 Asset references and decodes
        its schedule, which names all 290, once per reference. The folder does not change while one
        ``samla`` command runs, so later calls reuse the first call's bag and sync.
        """
        from airflow.dag_processing import dagbag

        if not self._synced or not hasattr(dagbag, "sync_bag_to_db") or not hasattr(dagbag, "BundleDagBag"):
            yield
            self._synced = True
            return
        saved = dagbag.sync_bag_to_db, dagbag.BundleDagBag
        dagbag.sync_bag_to_db = lambda *args, **kwargs: None
        dagbag.BundleDagBag = lambda *args, **kwargs: self._bag
        try:
            yield
        finally:
            dagbag.sync_bag_to_db, dagbag.BundleDagBag = saved


def _text(state) -> str:
    return str(getattr(state, "value", state))
