"""Run the real Airflow components locally for this project (``make airflow``).

    python -m samla_airflow.local_airflow [--port 8080] [--no-triggerer]

Points Airflow at the project's DAGs and plugins with a home under the data
dir (``<SAMLA_DATA_DIR>/airflow`` unless AIRFLOW_HOME is set), migrates the
metadata DB, starts ``api-server``, ``scheduler``, ``dag-processor`` and
``triggerer`` as child processes, waits for ``/api/v2/monitor/health``, prints
the UI address and the login, and waits. Ctrl-C or SIGTERM stops every process
it started.

Each component runs in a session (and process group) of its own: Ctrl-C in the
terminal reaches only this process, which then stops the components itself.
Stopping signals the whole group of each component and then kills whatever is
left in its session (task processes put themselves in groups of their own),
so no LocalExecutor worker or task outlives the run. ``AirflowProcesses`` is
the reusable part: the real-scheduler test drives the same code.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import ctypes
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from samla_airflow.airflow_runner import dags_folder, plugins_folder, prepare_airflow_env
from samla_airflow.task_preload import SCHEDULER_ENV

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
DEFAULT_PORT = 8080
LEFTOVER_WAIT = 3.0  # seconds the processes a stopped component left behind get before SIGKILL
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
_HEALTH_KEYS = {"scheduler": "scheduler", "dag-processor": "dag_processor", "triggerer": "triggerer"}


class AirflowStartError(RuntimeError):
    """A component did not start or did not become healthy; the message says which and why."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def airflow_env(data_dir: Path, *, port: int, home: Path | None = None,
                base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the components: the project's DAGs and plugins, a home, small parallelism.

    Values already in ``base`` (default: this process's environment) win, except
    that the home, port and execution API address always match the arguments.
    """
    env = dict(os.environ if base is None else base)
    home = Path(home or env.get("AIRFLOW_HOME") or data_dir / "airflow").resolve()
    home.mkdir(parents=True, exist_ok=True)
    env["AIRFLOW_HOME"] = str(home)
    env.setdefault("SAMLA_DATA_DIR", str(data_dir))
    defaults = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder()),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins_folder()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # the default 32 pre-forks 32 LocalExecutor workers
        "AIRFLOW__API__HOST": "127.0.0.1",
        **SCHEDULER_ENV,  # the LocalExecutor's workers with pandas and GX imported (task_preload)
        "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": "samla_airflow.celery_config.CELERY_CONFIG",
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    env["AIRFLOW__API__PORT"] = str(port)
    # Tasks reach the api-server's execution API here; the default assumes port 8080.
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://127.0.0.1:{port}/execution/"
    if not env.get("SAMLA_PSEUDONYM_KEY"):
        env.setdefault("SAMLA_DEMO", "1")
    _psycopg_async_url(env)
    return env


def _psycopg_async_url(env: dict[str, str]) -> None:
    """Airflow derives its async metadata URL as postgresql+asyncpg://, and even ``import airflow``
    fails when asyncpg is missing (it is not in this project's lock): use psycopg 3's async mode."""
    sync = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    scheme, _, rest = sync.partition("://")
    if scheme not in ("postgresql", "postgresql+psycopg") or "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC" in env:
        return
    if importlib.util.find_spec("asyncpg") is None:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = f"postgresql+psycopg_async://{rest}"


def _die_with_parent() -> None:  # runs in the child between fork and exec (Linux only)
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: a killed parent takes its components along


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


class AirflowProcesses:
    """Airflow's components as child processes, each in a session of its own.

        procs = AirflowProcesses(home, env, port=port)
        procs.migrate(); procs.start(); procs.wait_healthy(120)
        ...
        procs.stop()

    Also a context manager (``stop()`` on exit). Component output goes to
    ``<home>/logs/components/<component>.log``.
    """

    def __init__(self, home: Path, env: Mapping[str, str], *, port: int,
                 components: Sequence[str] = COMPONENTS, log_dir: Path | None = None):
        unknown = set(components) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown Airflow component(s): {', '.join(sorted(unknown))}")
        self.home = Path(home)
        self.env = {**env, "AIRFLOW_HOME": str(self.home)}
        self.port = port
        self.components = tuple(components)
        self.log_dir = Path(log_dir or self.home / "logs" / "components")
        self.procs: dict[str, subprocess.Popen] = {}

    # --- addresses and logs ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_file(self, component: str) -> Path:
        return self.log_dir / f"{component}.log"

    def log_tail(self, component: str, lines: int = 60) -> str:
        return _tail(self.log_file(component), lines)

    # --- lifecycle ---------------------------------------------------------------------

    def _command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "airflow", *args]

    def migrate(self, timeout: float = 600) -> None:
        """``airflow db migrate`` (also writes airflow.cfg with the shared secrets on a new home)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_file("db-migrate")
        with open(log, "ab") as out:
            result = subprocess.run(self._command("db", "migrate"), env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout,
                                    check=False)
        if result.returncode != 0:
            raise AirflowStartError(f"airflow db migrate failed (exit {result.returncode}):\n{_tail(log, 40)}")

    def start(self) -> AirflowProcesses:
        if port_in_use(self.port):
            raise AirflowStartError(f"port {self.port} is already in use (another Airflow?): "
                                    "choose another with AIRFLOW_PORT or --port")
        try:
            for component in self.components:
                args = ("api-server", "--port", str(self.port)) if component == "api-server" else (component,)
                self._spawn(component, args, self.env)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, args: Sequence[str], env: Mapping[str, str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file(name), "ab") as out:
            self.procs[name] = subprocess.Popen(
                self._command(*args), env=dict(env), cwd=str(self.home), stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # own session and process group
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def start_celery_worker(self, name: str, *, queues: str = "default", concurrency: int = 1,
                            env: Mapping[str, str] | None = None) -> str:
        """``airflow celery worker`` with Celery hostname ``name`` (CeleryExecutor); component ``worker-<name>``.

        Several workers on one machine need distinct Celery hostnames, and all but
        one without the log server (port 8793): the task logs are files under the
        shared home here. Stopped with the other components.
        """
        component = f"worker-{name}"
        self._spawn(component, ("celery", "worker", "--celery-hostname", name, "--queues", queues,
                                "--concurrency", str(concurrency), "--skip-serve-logs"),
                    {**self.env, **(env or {})})
        return component

    def wait_worker_ready(self, component: str, timeout: float = 120) -> None:
        """Wait for Celery's "ready." line in the worker's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if component in self.exited():
                raise AirflowStartError(f"{component} exited with code {self.exited()[component]} while "
                                        f"starting:\n{self.log_tail(component, 40)}")
            if " ready." in _tail(self.log_file(component), 200):
                return
            time.sleep(1)
        raise AirflowStartError(f"{component} was not ready after {timeout:.0f} s:\n{self.log_tail(component, 30)}")

    def exited(self) -> dict[str, int]:
        """Components that have ended, with their exit codes."""
        return {name: proc.returncode for name, proc in self.procs.items() if proc.poll() is not None}

    def health(self) -> dict[str, Any] | None:
        import httpx

        try:
            response = httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=5)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None

    def wait_healthy(self, timeout: float = 120) -> dict[str, Any]:
        """Wait until the API answers and the metadata DB and every started component report healthy."""
        wanted = ["metadatabase", *(_HEALTH_KEYS[c] for c in self.components if c in _HEALTH_KEYS)]
        deadline = time.monotonic() + timeout
        health: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            if dead := self.exited():
                name, code = next(iter(dead.items()))
                raise AirflowStartError(f"airflow {name} exited with code {code} while starting:\n"
                                        f"{self.log_tail(name, 40)}")
            health = self.health()
            if health and all((health.get(k) or {}).get("status") == "healthy" for k in wanted):
                return health
            time.sleep(1)
        raise AirflowStartError(f"Airflow was not healthy after {timeout:.0f} s (last health: {health}); "
                                f"logs in {self.log_dir}:\n{self.log_tail('api-server', 20)}")

    def _members(self) -> list:
        """Every live process we are responsible for: the components' sessions and descendants."""
        import psutil

        sids = {proc.pid for proc in self.procs.values()}
        found: dict[int, psutil.Process] = {}
        for proc in self.procs.values():
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(proc.pid)
                for p in [parent, *parent.children(recursive=True)]:
                    found[p.pid] = p
        for p in psutil.process_iter():
            with contextlib.suppress(psutil.Error, OSError):
                if os.getsid(p.pid) in sids:
                    found[p.pid] = p
        found.pop(os.getpid(), None)
        return list(found.values())

    def stop(self, grace: float = 30) -> None:
        """SIGTERM each component's process group, wait, then SIGKILL whatever is left of them."""
        import psutil

        if not self.procs:
            return
        members = self._members()
        self._signal_groups(self.procs.values(), signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Once the components have ended, what is left of them gets a moment more, not the whole grace: an
        # idle LocalExecutor worker started from the forkserver outlives a SIGTERM until it is killed.
        _, alive = psutil.wait_procs(members, timeout=max(0.1, min(LEFTOVER_WAIT, deadline - time.monotonic())))
        leftover = {p.pid: p for p in [*alive, *self._members()]}
        self._signal_groups(self.procs.values(), signal.SIGKILL)
        for p in leftover.values():
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(list(leftover.values()), timeout=10)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.procs.clear()

    @staticmethod
    def _signal_groups(procs: Iterable[subprocess.Popen], sig: int) -> None:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)  # start_new_session: the group id is the child's pid

    def __enter__(self) -> AirflowProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- login -------------------------------------------------------------------------

    def _config(self, section: str, key: str) -> str | None:
        value = self.env.get(f"AIRFLOW__{section.upper()}__{key.upper()}")
        if value is not None:
            return value
        parser = configparser.ConfigParser(interpolation=None)
        with contextlib.suppress(configparser.Error, OSError):
            parser.read(self.home / "airflow.cfg")
        return parser.get(section, key, fallback=None)

    def all_admins(self) -> bool:
        return (self._config("core", "simple_auth_manager_all_admins") or "").strip().lower() == "true"

    def simple_auth(self) -> bool:
        return (self._config("core", "auth_manager") or SIMPLE_AUTH_MANAGER) == SIMPLE_AUTH_MANAGER

    def passwords(self) -> dict[str, str]:
        """The simple auth manager's generated users and passwords (written when the api-server starts)."""
        path = Path(self._config("core", "simple_auth_manager_passwords_file") or self.home / PASSWORDS_FILE)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def login_text(self) -> str:
        """How to log in, in SAMLA_LANGUAGE (part of the ``make airflow`` banner)."""
        from transforms.messages import t

        if not self.simple_auth():
            return t("airflow.login.other")
        if self.all_admins():
            return t("airflow.login.all_admins")
        users = self.passwords()
        if not users:
            return t("airflow.login.no_passwords", path=self.home / PASSWORDS_FILE)
        return t("airflow.login.users", path=self.home / PASSWORDS_FILE,
                 users=", ".join(t("airflow.login.user", user=user, password=pw) for user, pw in users.items()))

    def token(self, username: str | None = None) -> str:
        """A JWT for the REST API (simple auth manager)."""
        import httpx

        if self.all_admins():
            response = httpx.get(f"{self.base_url}/auth/token", timeout=30)
        else:
            users = self.passwords()
            if not users:
                raise AirflowStartError(f"no generated passwords in {self.home / PASSWORDS_FILE}")
            username = username or ("admin" if "admin" in users else next(iter(users)))
            response = httpx.post(f"{self.base_url}/auth/token", timeout=30,
                                  json={"username": username, "password": users[username]})
        if response.status_code not in (200, 201):
            raise AirflowStartError(f"/auth/token answered {response.status_code}: {response.text[:300]}")
        return response.json()["access_token"]


# --- make airflow ----------------------------------------------------------------------------


def _stop_on_signal(signum, frame):  # pragma: no cover - signal handler
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samla_airflow.local_airflow",
                                     description="Run Airflow locally with the Samla DAGs.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT") or DEFAULT_PORT),
                        help="api-server port (default AIRFLOW_PORT or 8080)")
    parser.add_argument("--no-triggerer", action="store_true", help="do not start the triggerer")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for health")
    args = parser.parse_args(argv)

    from transforms.config.settings import load_settings
    from transforms.messages import t

    data_dir = load_settings().data_dir
    prepare_airflow_env(data_dir)  # AIRFLOW_HOME, dags and plugins folders, no examples (setdefault)
    env = airflow_env(data_dir, port=args.port)
    home = Path(env["AIRFLOW_HOME"])
    components = [c for c in COMPONENTS if not (args.no_triggerer and c == "triggerer")]
    procs = AirflowProcesses(home, env, port=args.port, components=components)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a background job inherits it ignored
        signal.signal(sig, _stop_on_signal)
    mode = t("airflow.banner.demo_key") if env.get("SAMLA_DEMO") and not env.get("SAMLA_PSEUDONYM_KEY") \
        else t("airflow.banner.own_key")
    print("\n".join((t("airflow.banner.home", home=home), t("airflow.banner.data", data=data_dir, mode=mode),
                     t("airflow.banner.dags", dags=env["AIRFLOW__CORE__DAGS_FOLDER"]))), flush=True)
    if port_in_use(args.port):
        print(t("airflow.banner.port_in_use", port=args.port), file=sys.stderr)
        return 1
    try:
        print(t("airflow.banner.migrating"), flush=True)
        procs.migrate()
        print(t("airflow.banner.starting", components=", ".join(components), logs=procs.log_dir), flush=True)
        started = time.monotonic()
        procs.start()
        procs.wait_healthy(args.timeout)
        print(t("airflow.banner.up", seconds=f"{time.monotonic() - started:.0f}", url=procs.base_url,
                login=procs.login_text()), flush=True)
        while True:
            if dead := procs.exited():
                name, code = next(iter(dead.items()))
                print(t("airflow.banner.exited", name=name, code=code, log=procs.log_tail(name, 30)),
                      file=sys.stderr, flush=True)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print(t("airflow.banner.stopping"), flush=True)
        return 0
    except AirflowStartError as exc:
        print(f"\n{exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if procs.procs:
            procs.stop()
            print(t("airflow.banner.stopped"), flush=True)


if __name__ == "__main__":
    sys.exit(main())
