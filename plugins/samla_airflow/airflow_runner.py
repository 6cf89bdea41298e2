"""Run the project's DAGs in-process with ``dag.test()`` — the same DAG code the scheduler runs.

Used by the ``samla`` command and ``make demo``. Airflow's own log output goes
to a file; the caller shows plain-language progress instead. A full disk, be it
under the data folder or under Airflow's own metadata database, ends a run as
``OSError(ENOSPC)``, which the command reports like any other full disk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

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


_terminal: int | None = None  # the command's own stdout while ``output_to`` sends fds 1 and 2 to the log


def tell(text: str) -> None:
    """Show ``text`` to whoever waits at a ``samla`` command running tasks in-process; elsewhere nothing."""
    if _terminal is not None:
        with contextlib.suppress(OSError):
            os.write(_terminal, (text + "\n").encode("utf-8"))


@contextlib.contextmanager
def output_to(log_file: Path):
    """Send everything written to fds 1 and 2 (Airflow's structlog output) to ``log_file``."""
    global _terminal
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_file, "ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        outer, _terminal = _terminal, saved[0]
        try:
            yield
        finally:
            _terminal = outer
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


# How SQLite says its disk is full: a write found no space ("database or disk is full"), or, when a
# connection opens a WAL database (Airflow's), its shared-memory file could not be grown ("disk I/O error").
SQLITE_FULL = ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE")
PG_DISK_FULL = "53100"  # PostgreSQL SQLSTATE disk_full (psycopg's DiskFull)


def disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or anything it was raised from or while handling, says a disk is full:
    OSError ENOSPC/EDQUOT, SQLite's ``SQLITE_FULL``, PostgreSQL's disk_full, also as wrapped
    by SQLAlchemy (``.orig``)."""
    todo, seen = [exc], set()
    while todo:
        found = todo.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, OSError) and found.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(found, "sqlite_errorname", None) in SQLITE_FULL:
            return True
        if PG_DISK_FULL in (getattr(found, "sqlstate", None), getattr(found, "pgcode", None)):
            return True
        todo += [found.__cause__, found.__context__, getattr(found, "orig", None)]
    return False


@contextlib.contextmanager
def full_disk_said():
    """A full disk, however a library wrapped it, as the plain ``OSError(ENOSPC)`` the command reports."""
    try:
        yield
    except Exception as exc:
        if disk_full(exc):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from exc
        raise


@contextlib.contextmanager
def _task_failures():
    """Whether a task of the ``dag.test()`` inside failed on a full disk (tasks run in this process)."""
    from airflow.listeners import hookimpl
    from airflow.sdk.listener import get_listener_manager

    class FailedTasks:  # an Airflow listener
        disk_full = False

        @hookimpl
        def on_task_instance_failed(self, previous_state, task_instance, error):
            if isinstance(error, BaseException) and disk_full(error):
                self.disk_full = True

    failures = FailedTasks()
    manager = get_listener_manager()
    manager.add_listener(failures)
    try:
        yield failures
    finally:
        manager.pm.unregister(failures)


class DagRunner:
    def __init__(self, data_dir: Path, log_file: Path):
        self.log_file = log_file
        prepare_airflow_env(data_dir)
        # Read when the DAGs are parsed: a failure is reported at once, not retried minutes later.
        os.environ["SAMLA_INTERACTIVE"] = "1"
        self._bag: DagBag | None = None
        self._synced = False
        self._serialized: Any = None  # the in-process execution API's DBDagBag, kept for the command

    def _dagbag(self) -> DagBag:
        if self._bag is None:
            with output_to(self.log_file), full_disk_said():
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

    def run(self, dag_id: str, conf: dict[str, Any], run_after: datetime | None = None,
            mark_success: str | None = None, keep_office_email: bool = False) -> dict[str, str]:
        """Run one DAG run to its end; returns task id -> final state.

        For the worker processes of ``samla run`` (``run_workers``): ``run_after`` names the run
        (every worker's part of one period gets the same run id, so their failures share one
        folder under ``alerts/``), ``mark_success`` is ``dag.test()``'s pattern of tasks marked
        successful instead of run, and ``keep_office_email`` keeps the DAG's failure e-mail for
        ``send_office_email`` instead of sending it, so that one e-mail names every part's failures.
        """
        dag = self._dagbag().get_dag(dag_id)
        if dag is None:
            raise RuntimeError(f"DAG {dag_id} not found in {os.environ['AIRFLOW__CORE__DAGS_FOLDER']}")
        timing = {"run_after": run_after, "logical_date": run_after} if run_after is not None else {}
        with output_to(self.log_file), full_disk_said(), self._synced_once(), self._one_serialized_dag_bag(), \
                _task_failures() as failures, self._office_email_kept(dag, keep_office_email):
            run = dag.test(run_conf=conf, mark_success_pattern=mark_success, **timing)
        if failures.disk_full:  # a task's own full disk (data folder, warehouse, its log): the same message
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return {ti.task_id: _text(ti.state) for ti in run.get_task_instances()} | {"_run": _text(run.state)}

    @contextlib.contextmanager
    def _office_email_kept(self, dag, keep: bool):
        """The DAG's ``on_failure_callback`` (``alerts.email_office``) replaced by one that keeps what it
        reads of the failed run's context; ``dag.test()`` calls the DAG object's callback."""
        shipped = dag.on_failure_callback
        if not keep or shipped is None:
            yield
            return

        def keep_for_later(context):
            self.kept_failure = _failure_context(context)

        dag.on_failure_callback = keep_for_later
        try:
            yield
        finally:
            dag.on_failure_callback = shipped

    kept_failure: dict[str, Any] | None = None

    def send_office_email(self, dag_id: str) -> None:
        """The failure e-mail a run kept (``keep_office_email``), sent now: it reads every task failure
        recorded under the run's id, whichever process recorded it."""
        dag = self._dagbag().get_dag(dag_id)
        context, self.kept_failure = self.kept_failure, None
        if context is None or dag is None or dag.on_failure_callback is None:
            return
        with output_to(self.log_file):
            for callback in dag.on_failure_callback if isinstance(dag.on_failure_callback, list) \
                    else [dag.on_failure_callback]:
                callback({**context, "dag": dag})

    @contextlib.contextmanager
    def _synced_once(self):
        """The DAG folder parsed and synced to the metadata DB by the first ``dag.test()`` only.

        Airflow 3's ``dag.test()`` parses the whole folder again and syncs every DAG on each call
        (apache/airflow#64884). With the national 290 sources that is most of an empty month:
        loading the publication DAG's row joins its 290 Asset references and decodes
        its schedule, which names all 290, once per reference. The folder does not change while one
        ``samla`` command runs, so later calls reuse the first call's bag and sync.
        """
        from airflow.dag_processing import dagbag

        if not self._synced or not hasattr(dagbag, "sync_bag_to_db") or not hasattr(dagbag, "BundleDagBag"):
            yield
            self._synced = True
            return
        patches = {"sync_bag_to_db": lambda *args, **kwargs: None, "BundleDagBag": lambda *args, **kwargs: self._bag}
        saved = {name: getattr(dagbag, name) for name in patches}
        for name, patched in patches.items():
            setattr(dagbag, name, patched)
        try:
            yield
        finally:
            for name, shipped in saved.items():
                setattr(dagbag, name, shipped)

    @contextlib.contextmanager
    def _one_serialized_dag_bag(self):
        """One ``DBDagBag`` behind the in-process execution API for every task of the command.

        ``dag.test()`` hands the execution API a new, empty ``DBDagBag`` for each task it runs, and a
        task with an outlet (every source task: its curated Asset) has the API load the run's serialized
        DAG to check the outlet: the whole DAG deserialized once per task, ~30 ms at 290 sources and
        growing with them. The bag caches by DAG version and checks a cached DAG's hash against the
        database, so one bag for the whole command gives the same answers.
        """
        from airflow.sdk.execution_time import supervisor

        test_supervisor: Any = getattr(supervisor, "InProcessTestSupervisor", None)
        shipped = None if test_supervisor is None else test_supervisor.__dict__.get("_api_client")
        if not isinstance(shipped, staticmethod) or not hasattr(supervisor, "in_process_api_server"):
            yield
            return
        from airflow.api_fastapi.common.dagbag import dag_bag_from_app
        from airflow.models.dagbag import DBDagBag

        if self._serialized is None:
            self._serialized = DBDagBag()
        kept = self._serialized

        def api_client(dag=None):
            client = shipped.__func__(dag)
            if dag is not None:
                supervisor.in_process_api_server().app.dependency_overrides[dag_bag_from_app] = lambda: kept
            return client

        test_supervisor._api_client = staticmethod(api_client)
        try:
            yield
        finally:
            test_supervisor._api_client = shipped


def _failure_context(context) -> dict[str, Any]:
    """What ``alerts.email_office`` reads of a DAG callback's context, as plain values that outlive the run's
    database session."""
    from types import SimpleNamespace

    ti, task, run = context.get("ti"), context.get("task"), context.get("dag_run")
    return {
        "run_id": context["run_id"],
        "dag_run": SimpleNamespace(start_date=getattr(run, "start_date", None), run_after=getattr(run, "run_after", None)),
        "ti": None if ti is None else SimpleNamespace(task_id=ti.task_id, map_index=getattr(ti, "map_index", -1),
                                                      try_number=getattr(ti, "try_number", 0)),
        "task": None if task is None else SimpleNamespace(task_display_name=getattr(task, "task_display_name", None)),
    }


def _text(state) -> str:
    return str(getattr(state, "value", state))
