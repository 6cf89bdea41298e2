"""Static consistency checks of the production deployment.

docker-compose.yml, Dockerfile and .env.example against each other and against
the code: uv.lock (the Airflow version), transforms.config.settings.SETTING_NAMES (the
SAMLA_* contract of exports.md) and transforms/config/sources.yaml (SFTP connections).

Nothing here runs Docker: the files are read with PyYAML and plain parsing,
so the checks hold on a machine without a Docker engine.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from sqlalchemy.engine import make_url

from transforms.config.settings import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
LOCK_FILE = ROOT / "uv.lock"
PYPROJECT = ROOT / "pyproject.toml"
SOURCES_FILE = ROOT / "transforms" / "config" / "sources.yaml"

WAREHOUSE_SERVICE = "warehouse-db"
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
)
REQUIRED_SERVICES = ("postgres", "redis", WAREHOUSE_SERVICE, *AIRFLOW_SERVICES)
LONG_RUNNING = tuple(s for s in REQUIRED_SERVICES if s != "airflow-init")
COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SETTING_NAME = re.compile(r"SAMLA_[A-Z_]+")
#: Environment names whose values are secrets: never literal in docker-compose.yml.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$|^AIRFLOW_CONN_")
PLACEHOLDER = "CHANGE_ME"

# Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
# ${VAR?error}, ${VAR:+alt}, ${VAR+alt} and $VAR; "$$" is a literal "$".
_INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
_ENV_LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")


# --- helpers -----------------------------------------------------------------


def _strings(node: Any) -> Iterator[str]:
    """Every string value in a loaded YAML document (keys excluded)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def interpolations(text: str) -> list[tuple[str, str | None]]:
    """(variable, operator) for each interpolation in ``text``; operator None for ${VAR}/$VAR."""
    found = []
    for match in _INTERPOLATION.finditer(text.replace("$$", "")):
        if match["bare"]:
            found.append((match["bare"], None))
        else:
            found.append((match["name"], match["op"]))
    return found


def substitute(text: str, values: dict[str, str]) -> str:
    """Resolve interpolations the way Compose does, from ``values`` (defaults otherwise)."""

    def one(match: re.Match[str]) -> str:
        name = match["bare"] or match["name"]
        op, arg = match["op"], match["arg"]
        value = values.get(name)
        if op in (":-", "-"):
            return value if value else arg
        if op in (":+", "+"):
            return arg if value else ""
        return value or ""

    return _INTERPOLATION.sub(one, text.replace("$$", "\0")).replace("\0", "$")


def mark_variables(text: str) -> str:
    """Replace every interpolation by the marker <<NAME>> (defaults ignored)."""
    return _INTERPOLATION.sub(
        lambda m: f"<<{m['bare'] or m['name']}>>", text.replace("$$", "\0")
    ).replace("\0", "$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def command(service: dict[str, Any]) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def bind_mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of every volume entry, short or long syntax."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append((str(entry.get("source", "")), str(entry["target"])))
        else:
            parts = str(entry).split(":")
            mounts.append((parts[0], parts[1] if len(parts) > 1 else parts[0]))
    return mounts


def is_host_path(source: str) -> bool:
    return source.startswith((".", "/", "~", "$"))


def env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file") or []
    if isinstance(files, str):
        files = [files]
    return [f["path"] if isinstance(f, dict) else str(f) for f in files]


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def locked_version(package: str) -> str:
    lock = tomllib.loads(LOCK_FILE.read_text(encoding="utf-8"))
    versions = {p["version"] for p in lock["package"] if p["name"] == package}
    assert len(versions) == 1, (
        f"uv.lock: expected one locked version of {package}, found {versions}"
    )
    return versions.pop()


def note(message: str) -> None:
    """A visible note (warnings summary, and stdout with -s): not a skip."""
    print(f"NOTE: {message}")
    warnings.warn(message, UserWarning, stacklevel=2)


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing"
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and isinstance(document.get("services"), dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def compose_variables(compose: dict[str, Any]) -> dict[str, set[str | None]]:
    """Every variable docker-compose.yml interpolates, with the operators used on it."""
    found: dict[str, set[str | None]] = {}
    for text in _strings(compose):
        for name, op in interpolations(text):
            found.setdefault(name, set()).add(op)
    return found


@pytest.fixture(scope="module")
def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """(active assignments, commented-out assignments) of .env.example."""
    assert ENV_EXAMPLE.is_file(), ".env.example is missing"
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        match = _ENV_LINE.match(stripped)
        if match is None:
            assert stripped.startswith("#"), (
                f".env.example line {number} is not NAME=value: {line!r}"
            )
            continue
        target = commented if match["comment"] else active
        assert match["name"] not in target, f".env.example assigns {match['name']} twice"
        target[match["name"]] = unquote(match["value"])
    return active, commented


# --- services and Airflow 3 wiring ------------------------------------------


def test_required_services_exist(services: dict[str, dict[str, Any]]) -> None:
    missing = [name for name in REQUIRED_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks services {missing}"


def test_airflow_services_run_the_airflow_3_components(services: dict[str, dict[str, Any]]) -> None:
    for name, expected in COMMANDS.items():
        assert command(services[name]) == expected, f"{name}: command should be {expected!r}"


def test_executor_is_celery_with_redis_broker(services: dict[str, dict[str, Any]]) -> None:
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        assert env.get("AIRFLOW__CORE__EXECUTOR") == "CeleryExecutor", name
        broker = env.get("AIRFLOW__CELERY__BROKER_URL", "")
        assert re.match(r"redis://[^/]*@?redis:6379/", broker), f"{name}: broker {broker!r}"
        assert env.get("AIRFLOW__CELERY__RESULT_BACKEND", "").startswith("db+postgresql://"), name


def test_celery_workers_import_what_every_task_imports_before_they_fork(services: dict[str, dict[str, Any]]) -> None:
    """The workers' Celery configuration is Airflow's default plus the task modules to import up front."""
    import importlib

    from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
    from samla_airflow.task_preload import MODULES

    for name in AIRFLOW_SERVICES:
        path = environment(services[name]).get("AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS", "")
        module, _, attribute = path.rpartition(".")
        assert module, f"{name}: [celery] celery_config_options is not set"
        config = getattr(importlib.import_module(module), attribute)
        assert {k: v for k, v in config.items() if k != "imports"} == {
            k: v for k, v in DEFAULT_CELERY_CONFIG.items() if k != "imports"}, name
        assert set(MODULES) <= set(config["imports"]), name


def test_airflow_core_configuration(services: dict[str, dict[str, Any]]) -> None:
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        url = env.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "")
        assert url == "http://airflow-apiserver:8080/execution/", f"{name}: execution API {url!r}"
        for key in (
            "AIRFLOW__CORE__AUTH_MANAGER",
            "AIRFLOW__API_AUTH__JWT_SECRET",
            "AIRFLOW__API__SECRET_KEY",
            "AIRFLOW__CORE__FERNET_KEY",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        ):
            assert env.get(key), f"{name}: {key} is not set"
        assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert (
            env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "false").lower() != "true"
        ), name
        assert env.get("AIRFLOW__CORE__LOAD_EXAMPLES", "").lower() == "false", name
        parallelism = int(substitute(env.get("AIRFLOW__CORE__PARALLELISM", ""), {}) or 0)
        assert 1 <= parallelism <= 16, (
            f"{name}: AIRFLOW__CORE__PARALLELISM={parallelism} (keep it moderate)"
        )


def test_healthchecks_and_dependencies(services: dict[str, dict[str, Any]]) -> None:
    for name in LONG_RUNNING:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert services[name].get("restart") in ("always", "unless-stopped"), (
            f"{name}: restart policy"
        )
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {dep: {"condition": "service_started"} for dep in depends}
        for dep, spec in depends.items():
            assert dep in services, f"{name} depends on unknown service {dep!r}"
            condition = spec.get("condition", "service_started")
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {dep}: {condition!r}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), (
                    f"{name} waits for {dep} healthy, it has no healthcheck"
                )
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert (
        services["airflow-worker"]["depends_on"][WAREHOUSE_SERVICE]["condition"]
        == "service_healthy"
    )
    init_env = environment(services["airflow-init"])
    assert init_env.get("_AIRFLOW_DB_MIGRATE") == "true"
    assert init_env.get("_AIRFLOW_WWW_USER_CREATE") == "true"


def test_databases_and_broker_are_not_published(services: dict[str, dict[str, Any]]) -> None:
    for name in ("postgres", WAREHOUSE_SERVICE, "redis"):
        assert not services[name].get("ports"), f"{name} publishes a port on the host"


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service.get("image")
        if image is None:
            assert "build" in service, f"{name} has neither image nor build"
            continue
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", f"{name}: image {image!r} is not pinned to a tag"


# --- image and locked versions ----------------------------------------------


def dockerfile_stages() -> list[tuple[str, str | None]]:
    """(image, stage name) of every FROM line."""
    stages = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        match = re.match(
            r"^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$", line, re.IGNORECASE
        )
        if match:
            stages.append((match[1], match[2]))
    return stages


def test_airflow_image_version_equals_locked_version(services: dict[str, dict[str, Any]]) -> None:
    locked = locked_version("apache-airflow")
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    final_image, _ = dockerfile_stages()[-1]
    match = re.fullmatch(
        r"apache/airflow:(?P<version>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", final_image
    )
    assert match, (
        f"Dockerfile: final stage should be FROM apache/airflow:<version>-python<x.y>, is {final_image}"
    )
    assert match["version"] == locked, (
        f"Dockerfile builds on Airflow {match['version']} but uv.lock locks apache-airflow {locked}"
    )
    requires = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["requires-python"]
    assert match["python"] + ".0" in SpecifierSet(requires), (
        f"python{match['python']} vs {requires}"
    )

    images = set()
    for name in AIRFLOW_SERVICES:
        service = services[name]
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = (
                "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            )
            assert (ROOT / context / dockerfile).resolve() == DOCKERFILE, (
                f"{name} builds another Dockerfile"
            )
        image = service.get("image", "")
        for version in re.findall(r"\d+\.\d+\.\d+", image):
            assert version == locked, (
                f"{name}: image {image!r} names Airflow {version}, lock has {locked}"
            )
        if build is None:
            assert image.startswith("apache/airflow:"), (
                f"{name}: neither the Samla build nor apache/airflow"
            )
            assert substitute(image, {}).startswith(f"apache/airflow:{locked}"), name
        images.add((image, json.dumps(build, sort_keys=True)))
    assert len(images) == 1, f"Airflow services run different images: {images}"


def test_dockerfile_installs_from_the_lock() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"COPY\s+pyproject\.toml\s+uv\.lock\s", text), (
        "Dockerfile does not copy uv.lock"
    )
    assert re.search(r"uv export --frozen\b", text), (
        "Dockerfile does not export the lock with --frozen"
    )
    assert "--no-dev" in text
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in text, (
        "Airflow is not pinned to the image's version"
    )
    for line in text.splitlines():
        match = re.match(r"^\s*COPY\s+(?!--from)(?:--\S+\s+)*(.+)$", line)
        if match:
            *sources, _dest = match[1].split()
            for source in sources:
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


# --- mounts --------------------------------------------------------------------


def test_mounted_paths_exist(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    named = set(compose.get("volumes") or {})
    for name, service in services.items():
        for source, target in bind_mounts(service):
            assert PurePosixPath(target).is_absolute(), f"{name}: mount target {target!r}"
            if source.startswith("."):
                assert source.startswith("./"), f"{name}: {source!r} reaches outside the repository"
                assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"
            elif is_host_path(source):
                # A VM path (e.g. a municipal upload share): not part of the repository.
                assert source.startswith("/"), f"{name}: host path {source!r} should be absolute"
            else:
                assert source in named, f"{name}: volume {source!r} is not declared under volumes:"


def test_mounts_match_airflow_and_samla_paths(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "./dags": "/opt/airflow/dags",
        "./plugins": "/opt/airflow/plugins",
        "./transforms": "/opt/airflow/transforms",
        "./expectations": "/opt/airflow/expectations",
    }
    for name in AIRFLOW_SERVICES:
        service = services[name]
        mounts = dict(bind_mounts(service))
        for source, target in expected.items():
            assert mounts.get(source) == target, f"{name}: {source} should be mounted at {target}"
        env = environment(service)
        python_path = env.get("PYTHONPATH", "").split(":")
        assert str(PurePosixPath(mounts["./transforms"]).parent) in python_path, (
            f"{name}: transforms not importable"
        )
        assert mounts["./plugins"] in python_path, f"{name}: samla_airflow not importable"
        sources = PurePosixPath(env["SAMLA_SOURCES"])
        code_dir = PurePosixPath(mounts["./transforms"])
        assert sources.is_relative_to(code_dir), (
            f"{name}: SAMLA_SOURCES outside the ./transforms mount"
        )
        assert (ROOT / "transforms" / sources.relative_to(code_dir)) == SOURCES_FILE
        data_dir = env["SAMLA_DATA_DIR"]
        volume = next((s for s, t in bind_mounts(service) if t == data_dir), None)
        assert volume and not is_host_path(volume), (
            f"{name}: SAMLA_DATA_DIR is not on a named volume"
        )
    if not SOURCES_FILE.is_file():
        note(f"{SOURCES_FILE} does not exist yet: SAMLA_SOURCES points at it")


# --- the SAMLA_* settings contract ------------------------------------------


def test_setting_names_are_samla_names() -> None:
    assert SETTING_NAMES, "transforms.config.settings.SETTING_NAMES is empty"
    for name in SETTING_NAMES:
        assert SETTING_NAME.fullmatch(name), f"SETTING_NAMES: {name!r} is not a SAMLA_* name"


def test_compose_sets_only_settings_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for key in environment(service):
            if SETTING_NAME.fullmatch(key):
                assert key in SETTING_NAMES, (
                    f"{name} sets {key}, which transforms.config.settings does not read"
                )


def test_every_setting_is_provided(
    services: dict[str, dict[str, Any]], env_example: tuple[dict[str, str], dict[str, str]]
) -> None:
    active, _ = env_example
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        missing = [
            s for s in SETTING_NAMES if s != "SAMLA_DEMO" and s not in env and s not in active
        ]
        assert not missing, (
            f"{name}: settings provided neither by docker-compose.yml nor .env.example: {missing}"
        )


def test_demo_mode_is_off_in_production(
    services: dict[str, dict[str, Any]], env_example: tuple[dict[str, str], dict[str, str]]
) -> None:
    active, _ = env_example
    assert "SAMLA_DEMO" not in active, ".env.example must not set SAMLA_DEMO"
    for name, service in services.items():
        assert "SAMLA_DEMO" not in environment(service), f"{name} sets SAMLA_DEMO"


def test_env_example_names_only_known_settings(
    env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    active, commented = env_example
    for key in [*active, *commented]:
        if SETTING_NAME.fullmatch(key):
            assert key in SETTING_NAMES, (
                f".env.example names {key}, which transforms.config.settings does not read"
            )


# --- secrets and .env -----------------------------------------------------------


def test_env_example_covers_every_interpolated_variable(
    compose_variables: dict[str, set[str | None]],
    env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    active, commented = env_example
    for variable, ops in sorted(compose_variables.items()):
        has_default = bool(ops) and all(op in (":-", "-", ":+", "+") for op in ops)
        if has_default:
            assert variable in active or variable in commented, (
                f".env.example does not document {variable}"
            )
        else:
            assert variable in active, (
                f"docker-compose.yml needs {variable} (no default): add it to .env.example"
            )


def test_airflow_services_read_the_env_file(services: dict[str, dict[str, Any]]) -> None:
    for name in AIRFLOW_SERVICES:
        assert ".env" in env_files(services[name]), f"{name} does not read .env (env_file)"
    for name in ("postgres", WAREHOUSE_SERVICE, "redis"):
        assert not env_files(services[name]), (
            f"{name} should get only the variables it needs, not all of .env"
        )


def test_no_literal_secrets_in_compose(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and value:
                assert value.startswith("${"), (
                    f"{name}: {key} is a literal secret; take it from .env"
                )
            for password in re.findall(r"://[^:/@\s]*:([^@]*)@", mark_variables(value)):
                assert password == "" or re.fullmatch(r"<<\w+>>", password), (
                    f"{name}: {key} embeds a literal password"
                )


def test_env_example_holds_placeholders_only(
    env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    active, _ = env_example
    for key, value in active.items():
        if SECRET_NAME.search(key) and not key.startswith("AIRFLOW_CONN_"):
            assert PLACEHOLDER in value, (
                f".env.example: {key} should be a {PLACEHOLDER} placeholder"
            )


def test_env_example_connections_are_valid(
    env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    active, commented = env_example
    connections = {
        k: v for k, v in {**commented, **active}.items() if k.startswith("AIRFLOW_CONN_")
    }
    assert "AIRFLOW_CONN_SMTP_DEFAULT" in active, ".env.example lacks the smtp_default connection"
    assert active.get("AIRFLOW__SMTP__SMTP_HOST"), ".env.example lacks AIRFLOW__SMTP__SMTP_HOST"
    for key, value in connections.items():
        conn = json.loads(value)
        assert conn.get("conn_type"), f"{key}: no conn_type"
        assert PLACEHOLDER in conn.get("password", PLACEHOLDER), (
            f"{key}: password is not a placeholder"
        )
        extra = conn.get("extra", {})
        if conn["conn_type"] == "sftp":
            assert extra.get("host_key"), f"{key}: pin the server's host key"
            assert str(extra.get("no_host_key_check", "false")).lower() != "true", (
                f"{key}: host key check off"
            )


def test_dotenv_is_ignored_and_not_tracked() -> None:
    ignored = {
        line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    }
    assert ignored & {".env", "/.env"}, ".gitignore does not list .env"
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        note("no git checkout or git binary: only .gitignore was checked for .env")
        return
    tracked = subprocess.run(
        [git, "-C", str(ROOT), "ls-files", "--", ".env"], capture_output=True, text=True, check=True
    )
    assert tracked.stdout.strip() == "", (
        ".env is tracked by git: remove it (git rm --cached .env) and rotate the secrets"
    )
    check = subprocess.run([git, "-C", str(ROOT), "check-ignore", "-q", ".env"], check=False)
    assert check.returncode == 0, "git does not ignore .env"
    check = subprocess.run(
        [git, "-C", str(ROOT), "check-ignore", "-q", ".env.example"], check=False
    )
    assert check.returncode == 1, ".env.example is ignored by git; it must be committed"


# --- warehouse -------------------------------------------------------------------


def test_warehouse_url_uses_psycopg3_and_the_warehouse_service(
    services: dict[str, dict[str, Any]],
) -> None:
    assert locked_version("psycopg").split(".")[0] == "3", (
        "uv.lock: psycopg 3 is the expected driver"
    )
    warehouse_env = environment(services[WAREHOUSE_SERVICE])
    assert services[WAREHOUSE_SERVICE]["image"].startswith("postgres:")
    urls = {environment(services[name]).get("SAMLA_WAREHOUSE_URL") for name in AIRFLOW_SERVICES}
    assert len(urls) == 1 and None not in urls, (
        f"SAMLA_WAREHOUSE_URL differs between services: {urls}"
    )
    url = urls.pop()
    marked = mark_variables(url)
    match = re.fullmatch(
        r"postgresql\+psycopg://(?P<user>[^:@/]+):(?P<password><<\w+>>)@(?P<host>[A-Za-z0-9_.-]+)(?::(?P<port>\d+))?/(?P<db>\w+)",
        marked,
    )
    assert match, (
        f"SAMLA_WAREHOUSE_URL should be postgresql+psycopg://user:${{PASSWORD}}@host/db, is {url!r}"
    )
    assert match["host"] == WAREHOUSE_SERVICE, (
        "the warehouse URL does not point at the warehouse service"
    )
    assert match["port"] in (None, "5432")
    assert match["db"] == warehouse_env["POSTGRES_DB"] == "samla_warehouse"
    assert match["user"] == mark_variables(warehouse_env["POSTGRES_USER"]), (
        "user differs from the server's"
    )
    assert match["password"] == mark_variables(warehouse_env["POSTGRES_PASSWORD"]), (
        "warehouse password differs from the server's"
    )
    for values in ({}, {"WAREHOUSE_DB_USER": "reporting"}):
        user = substitute(warehouse_env["POSTGRES_USER"], values)
        assert user, "the warehouse user resolves to nothing"
        assert make_url(substitute(url, {**values, "WAREHOUSE_DB_PASSWORD": "x"})).username == user

    resolved = make_url(substitute(url, {"WAREHOUSE_DB_PASSWORD": "0123abcd"}))
    assert resolved.get_backend_name() == "postgresql"
    assert resolved.get_driver_name() == "psycopg"
    assert resolved.get_dialect().driver == "psycopg"


# --- sources file ------------------------------------------------------------------


def sftp_conn_ids(document: Any) -> list[str]:
    ids = []
    for source in (document or {}).get("sources") or []:
        delivery = (source or {}).get("delivery") or {}
        sftp = delivery.get("sftp") if isinstance(delivery, dict) else None
        if isinstance(sftp, dict) and sftp.get("conn_id"):
            ids.append(str(sftp["conn_id"]))
    return ids


def test_every_sftp_connection_is_in_env_example(
    env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    if not SOURCES_FILE.is_file():
        note(f"{SOURCES_FILE} does not exist yet: SFTP connections not checked")
        return
    conn_ids = sftp_conn_ids(yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8")))
    if not conn_ids:
        print(f"NOTE: {SOURCES_FILE} declares no SFTP delivery", file=sys.stderr)
    active, _ = env_example
    missing = [c for c in conn_ids if f"AIRFLOW_CONN_{c.upper()}" not in active]
    assert not missing, f".env.example lacks AIRFLOW_CONN_<ID> for SFTP connections {missing}"


def test_compose_resolves_completely_from_env_example(
    compose: dict[str, Any], env_example: tuple[dict[str, str], dict[str, str]]
) -> None:
    """Every "$" in the product's docker-compose.yml is an interpolation the checks above saw, or
    an escaped "$$": resolved with .env.example, no variable reference is left over, and every
    variable without a default gets a value."""
    active, _ = env_example
    for text in _strings(compose):
        resolved = substitute(text, active)
        leftover = re.sub(r"\$\$", "", text)
        leftover = _INTERPOLATION.sub("", leftover)
        assert "$" not in leftover, f"docker-compose.yml: {text!r} holds a '$' that is no interpolation"
        for name, op in interpolations(text):
            if op is None or op in (":?", "?"):
                assert active.get(name), f"{name} (used as {text!r}) has no value in .env.example"
        assert resolved.count("${") == text.count("$${"), f"{text!r} resolves to {resolved!r}"


def test_data_docs_are_served_read_only_without_identifying_folders(
    services: dict[str, dict[str, Any]], env_example: tuple[dict[str, str], dict[str, str]],
) -> None:
    """The data-docs web server sees data_docs/ and reports/ of samla-data, read-only, and nothing else."""
    service = services["data-docs"]
    mounts = [m for m in service["volumes"] if isinstance(m, dict)]
    assert len(mounts) == len(service["volumes"]), "data-docs: only long-syntax volume entries"
    subpaths = {m["volume"]["subpath"] for m in mounts if m["source"] == "samla-data"}
    assert subpaths == {"data_docs", "reports"}, f"data-docs mounts {subpaths}"
    assert all(m.get("read_only") is True for m in mounts), "data-docs mounts must be read-only"
    assert service.get("read_only") is True
    assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), "bind to loopback only"
    active, _ = env_example
    assert active.get("SAMLA_DATA_DOCS_URL", "").endswith(":8081"), "SAMLA_DATA_DOCS_URL should point at data-docs"


def test_the_stewards_portal_runs_from_the_same_image_on_loopback(services: dict[str, dict[str, Any]]) -> None:
    """The portal: the Airflow services' image and settings, `samla portal`, published on 127.0.0.1 only."""
    service = services["samla-portal"]
    assert service["image"] == services["airflow-apiserver"]["image"]
    assert command(service).startswith("samla portal --host 0.0.0.0 --port 8090")
    assert ".env" in env_files(service), "the portal reads .env (SAMLA_PORTAL_SECRET, shared with the api-server)"
    assert all(str(p).startswith("127.0.0.1:") and str(p).endswith(":8090") for p in service["ports"])
    assert "SAMLA_DATA_DIR" in environment(service)
