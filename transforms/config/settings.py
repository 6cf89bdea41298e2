"""The SAMLA_* settings contract (exports.md, "Configuration contract").

One place reads the environment, at call time (never at import or DAG-parse
time). In a deployment, ``samla_airflow.settings_bridge`` copies Airflow
Variables/Connections of the same names into the environment first.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from transforms import atomic
from transforms.messages import t


def default_file(name: str) -> Path:
    """A default configuration file shipped inside the package (``transforms/config/<name>``)."""
    return Path(str(files("transforms.config") / name))


DEFAULT_SOURCES = default_file("sources.yaml")
DEFAULT_PROJECT = default_file("project.yaml")  # Fokus IM
DEFAULT_DATA_DIR = Path("data")  # relative: under the working directory, resolved when settings load
DEMO_KEY_FILE = ".demo_pseudonym_key"

SETTING_NAMES = (
    "SAMLA_SOURCES",
    "SAMLA_PROJECT",  # project file (project window and areas); default: the sources file's or Fokus IM
    "SAMLA_DATA_DIR",
    "SAMLA_WAREHOUSE_URL",
    "SAMLA_PSEUDONYM_KEY",
    "SAMLA_SUPPRESSION_THRESHOLD",
    "SAMLA_DEMO",
    "SAMLA_RAW_RETENTION_DAYS",
    "SAMLA_SMTP_CONN_ID",  # Airflow connection for steward emails (default smtp_default)
    "SAMLA_MAIL_FROM",  # sender of steward emails
    "SAMLA_OFFICE_EMAIL",  # the project office: one e-mail per failed DAG run (one or more addresses)
    "SAMLA_DATA_DOCS_URL",  # where SAMLA_DATA_DIR is served, for Data Docs links in emails
    "SAMLA_LANGUAGE",  # sv (default) or en: the language of every message (transforms.messages)
    "SAMLA_MAX_FILE_BYTES",  # per-file limits, see ``Limits``
    "SAMLA_MAX_ROWS",
    "SAMLA_MAX_COLUMNS",
    "SAMLA_MAX_CELL_CHARS",
    "SAMLA_WAREHOUSE_LOCK_TIMEOUT",  # seconds a PostgreSQL publish waits for a lock before it fails
    "SAMLA_WAREHOUSE_STATEMENT_TIMEOUT",  # seconds one warehouse statement may run
    "SAMLA_REPORTING_ROLE",  # PostgreSQL role granted read access to the published tables and views
    "SAMLA_SOURCE_LOCK_WAIT",  # seconds a source task waits while another run processes the same source
    "SAMLA_MAX_SOURCES_BYTES",  # the largest sources file read (read in transforms.config.yaml_file)
    "SAMLA_PORTAL_SECRET",  # signs the stewards' portal sessions (read in samla_airflow.portal.sessions)
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    sources_file: Path
    data_dir: Path
    warehouse_url: str
    suppression_threshold: int
    demo: bool
    raw_retention_days: int
    reporting_role: str | None = None

    # Everything that still holds personnummer lives under raw/: the landing area (as
    # delivered, incl. files pulled from SFTP) and the checksummed archive. One folder,
    # one permission set, one retention rule; nothing outside it is identifying.
    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def landing_dir(self) -> Path:
        return self.raw_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.raw_dir / "archive"

    @property
    def curated_dir(self) -> Path:
        return self.data_dir / "curated"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def ledger_dir(self) -> Path:
        return self.data_dir / "ledger"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def data_docs_dir(self) -> Path:
        return self.data_dir / "data_docs"


def _int_setting(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(t("config_fault.setting_not_whole", name=name, raw=repr(raw))) from None
    if value < minimum:
        raise SettingsError(t("config_fault.setting_too_small", name=name, value=value, minimum=minimum))
    return value


@dataclass(frozen=True)
class Limits:
    """Per-file limits, checked before a delivery is loaded (a hostile file must not exhaust the host);
    generous for monthly exports.

    A workbook's unpacked contents may be ``UNPACKED_FACTOR`` times ``max_bytes``
    (sheet XML is verbose); beyond any limit the file is rejected as a whole.
    """

    max_bytes: int = 200_000_000
    max_rows: int = 2_000_000
    max_columns: int = 200
    max_cell_chars: int = 10_000
    UNPACKED_FACTOR = 5

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_bytes * self.UNPACKED_FACTOR


def load_limits() -> Limits:
    """The limits from SAMLA_MAX_FILE_BYTES/ROWS/COLUMNS/CELL_CHARS, else the defaults."""
    default = Limits()
    return Limits(
        max_bytes=_int_setting("SAMLA_MAX_FILE_BYTES", default.max_bytes, 1),
        max_rows=_int_setting("SAMLA_MAX_ROWS", default.max_rows, 1),
        max_columns=_int_setting("SAMLA_MAX_COLUMNS", default.max_columns, 1),
        max_cell_chars=_int_setting("SAMLA_MAX_CELL_CHARS", default.max_cell_chars, 1),
    )


def warehouse_timeouts() -> tuple[int, int]:
    """(lock, statement) timeouts in seconds for PostgreSQL warehouse sessions: a publish stuck behind a
    lock fails in time instead of hanging its task."""
    return (_int_setting("SAMLA_WAREHOUSE_LOCK_TIMEOUT", 60, 1),
            _int_setting("SAMLA_WAREHOUSE_STATEMENT_TIMEOUT", 1800, 1))


# A role name as PostgreSQL folds an unquoted identifier: lower case, at most 63 bytes. It is
# always double-quoted in SQL, so nothing else could reach a statement.
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def reporting_role_name(raw: str | None) -> str | None:
    """SAMLA_REPORTING_ROLE checked: None when unset, else a plain lower-case identifier."""
    name = (raw or "").strip()
    if not name:
        return None
    if not _ROLE_NAME.fullmatch(name):
        raise SettingsError(t("warehouse.role_invalid", name="SAMLA_REPORTING_ROLE", raw=repr(name)))
    return name


def source_lock_wait() -> int:
    """Seconds a source task waits for another run of the same source before it fails (and is retried)."""
    return _int_setting("SAMLA_SOURCE_LOCK_WAIT", 600, 0)


def is_demo() -> bool:
    return os.environ.get("SAMLA_DEMO", "").strip().lower() in {"1", "true", "yes", "on"}


def default_warehouse_url(data_dir: Path) -> str:
    """The warehouse when SAMLA_WAREHOUSE_URL is not set: a SQLite file in the data folder."""
    return f"sqlite:///{Path(data_dir) / 'warehouse.db'}"


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("SAMLA_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()
    sources = Path(os.environ.get("SAMLA_SOURCES") or DEFAULT_SOURCES).expanduser()
    warehouse = os.environ.get("SAMLA_WAREHOUSE_URL") or default_warehouse_url(data_dir)
    return Settings(
        sources_file=sources,
        data_dir=data_dir,
        warehouse_url=warehouse,
        suppression_threshold=_int_setting("SAMLA_SUPPRESSION_THRESHOLD", 5, 1),
        demo=is_demo(),
        raw_retention_days=_int_setting("SAMLA_RAW_RETENTION_DAYS", 90, 0),
        reporting_role=reporting_role_name(os.environ.get("SAMLA_REPORTING_ROLE")),
    )


def pseudonym_key(settings: Settings | None = None, continuity: bool = True) -> bytes:
    """The pseudonymisation key; refuse to run without one except in demo mode.

    exports.md, Privacy: the key is held outside code and repository. Demo mode
    creates a random local key once and keeps it beside the demo data, so the
    demo's pseudonyms are stable across runs. With ``continuity`` (see
    ``key_continuity``) a key other than the one the curated data was made with is refused.
    """
    settings = settings or load_settings()
    key = _configured_key(settings)
    if continuity:
        from transforms.config import key_continuity

        try:
            key_continuity.check(settings.data_dir, key)
        except key_continuity.KeyMismatchError as exc:
            raise SettingsError(str(exc)) from None
    return key


KEY_RECIPE = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
KEY_DISTINCT = 10  # fewer different characters than this: a pattern someone typed, not a secret


def weak_key(key: str, name: str) -> str | None:
    """Why ``key`` (set as ``name``) is too weak to pseudonymise with; None when it will do."""
    if not key.strip():
        why = t("privacy.key_blank")
    elif len(set(key)) < KEY_DISTINCT:
        why = t("privacy.key_few_characters", count=len(set(key)), minimum=KEY_DISTINCT)
    else:
        return None
    return t("privacy.key_weak", name=name, why=why, recipe=KEY_RECIPE)


def _configured_key(settings: Settings) -> bytes:
    key = os.environ.get("SAMLA_PSEUDONYM_KEY", "")
    if key:
        if len(key) < 16:
            raise SettingsError(f'{t("config_fault.key_short")}. {t("privacy.key_recipe", recipe=KEY_RECIPE)}')
        weakness = weak_key(key, "SAMLA_PSEUDONYM_KEY")
        if weakness:
            raise SettingsError(weakness)
        return key.encode("utf-8")
    if not settings.demo:
        raise SettingsError(t("config_fault.key_missing"))
    key_file = settings.data_dir / DEMO_KEY_FILE
    if not key_file.exists():
        atomic.write_text(key_file, secrets.token_hex(32), mode=0o600)
    return key_file.read_text().strip().encode("utf-8")
