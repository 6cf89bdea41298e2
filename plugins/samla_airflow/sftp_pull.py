"""Pull new delivery files from a source's SFTP folder into a local landing folder.

Uses the Airflow SFTP provider's ``SFTPHook`` with the source's connection id
(``delivery.sftp.conn_id`` in the sources file), so the connection is managed
the Airflow way: an ``AIRFLOW_CONN_<ID>`` environment variable, a secrets
backend, or the metadata DB.

Airflow is imported inside :func:`fetch_new_files` only: DAG files import this
module, and parsing must stay cheap.
"""

from __future__ import annotations

import logging
import os
import posixpath
import stat
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from transforms import atomic
from transforms.names import shown

log = logging.getLogger(__name__)

#: Name endings of uploads still in progress (compared case-insensitively).
#: ``.filepart`` is WinSCP's default name for a partial upload.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".filepart")

#: Connect timeout (seconds) used when the connection's extra sets none; the
#: provider's own default is no timeout at all.
DEFAULT_CONN_TIMEOUT = 30


class SFTPPullError(RuntimeError):
    """Some files could not be downloaded; the others were.

    ``fetched`` lists the local paths that were fetched before/after the failures
    (they are in place and complete), ``failed`` the remote names that were not.
    """

    def __init__(self, message: str, fetched: list[Path], failed: list[str]) -> None:
        super().__init__(message)
        self.fetched = fetched
        self.failed = failed


class ConnectionMissing(RuntimeError):
    """The connection id is defined nowhere (environment, secrets backend, metadata DB)."""

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id
        self.env_name = "AIRFLOW_CONN_" + conn_id.upper()
        super().__init__(f"SFTP connection {conn_id!r} is not defined: set {self.env_name} or add the Connection")


def is_in_progress_name(name: str) -> bool:
    """True for names that are hidden or look like an upload in progress."""
    return name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def fetch_new_files(
    conn_id: str,
    remote_path: str,
    dest_dir: Path,
    *,
    conn_retry_attempts: int = 3,
) -> list[Path]:
    """Download the files in ``remote_path`` that ``dest_dir`` does not already have.

    Only regular files directly in ``remote_path`` are considered (no recursion;
    directories, symlinks and other entries are skipped), except names starting
    with ``.`` or ending with ``.part``, ``.tmp`` or ``.filepart`` (uploads in
    progress). A file is downloaded unless ``dest_dir`` holds a file of the same
    name with the same size and modification time (whole seconds). Each download
    goes to a hidden temporary name in ``dest_dir`` and is moved into place with
    ``os.replace``, so a partial file is never visible under its real name; the
    local file then gets the remote modification time. Remote files are never
    changed or deleted.

    Returns the local paths fetched by this call (new or changed files), sorted
    by name.

    Raises ``RuntimeError`` naming ``conn_id`` and ``remote_path`` (never the
    password) when the connection is undefined or unusable, or the remote folder
    cannot be listed; ``SFTPPullError`` (a ``RuntimeError``) when some downloads
    failed, after trying all the others.

    ``conn_retry_attempts`` is passed to the hook (the provider retries failed
    connects, including wrong passwords, with a pause of a few seconds between attempts).
    """
    from airflow.providers.sftp.hooks.sftp import SFTPHook

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    where = f"SFTP connection {conn_id!r}, remote path {remote_path!r}"

    try:
        hook = SFTPHook(ssh_conn_id=conn_id, conn_retry_attempts=conn_retry_attempts)
    except Exception as exc:
        if type(exc).__name__ == "AirflowNotFoundException":  # airflow.sdk's or core's: the id is undefined
            raise ConnectionMissing(conn_id) from None
        # Connection lookup/parsing: messages name the conn id, not its fields.
        raise RuntimeError(f"{where}: connection is not usable: {_describe(exc, None)}") from exc
    if hook.conn_timeout is None:
        hook.conn_timeout = DEFAULT_CONN_TIMEOUT
    password = hook.password
    endpoint = f"{hook.remote_host}:{hook.port}"

    with ExitStack() as stack:
        try:
            # One SSH/SFTP session for the listing and every download.
            stack.enter_context(hook.get_managed_conn())
        except Exception as exc:
            _close_half_open(hook)
            raise RuntimeError(
                f"{where}: cannot connect to {endpoint}: {_describe(exc, password)}"
            ) from _safe_cause(exc, password)

        try:
            entries = hook.list_directory_with_attr(remote_path)
        except Exception as exc:
            raise RuntimeError(
                f"{where}: cannot list the remote folder on {endpoint}: {_describe(exc, password)}"
            ) from _safe_cause(exc, password)

        fetched: list[Path] = []
        failed: list[str] = []
        for entry in sorted(entries, key=lambda e: e.filename):
            name = entry.filename
            if not _is_wanted(name, entry.st_mode):
                continue
            local = dest_dir / name
            if _is_same(local, entry.st_size, entry.st_mtime):
                continue
            remote_file = posixpath.join(remote_path, name)
            try:
                _download(hook, remote_file, local, entry.st_mtime)
            except Exception as exc:
                log.error("%s: failed to fetch %r: %s", where, name, _describe(exc, password))
                failed.append(name)
                continue
            log.info("Fetched %s (%s bytes) from %s", shown(str(local)), entry.st_size, where)
            fetched.append(local)

    log.info("%s: %d file(s) fetched into %s", where, len(fetched), dest_dir)
    if failed:
        raise SFTPPullError(
            f"{where}: {len(failed)} file(s) could not be fetched: {', '.join(failed)} "
            f"({len(fetched)} other file(s) were fetched into {dest_dir})",
            fetched=fetched,
            failed=failed,
        )
    return fetched


def _close_half_open(hook: Any) -> None:
    """Close the SSH client if it connected but the SFTP session could not open."""
    ssh = getattr(hook, "_ssh_conn", None) or getattr(hook, "client", None)
    if ssh is not None:
        with suppress(Exception):  # best effort, the original error matters
            ssh.close()


def _is_wanted(name: str, mode: int | None) -> bool:
    if name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return False
    if is_in_progress_name(name):
        return False
    return mode is not None and stat.S_ISREG(mode)


def _is_same(local: Path, size: int | None, mtime: int | float | None) -> bool:
    try:
        st = local.stat()
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != size:
        return False
    return mtime is None or int(st.st_mtime) == int(mtime)


def _download(hook: Any, remote_file: str, local: Path, mtime: int | float | None) -> None:
    with atomic.atomic_path(local) as tmp:
        hook.retrieve_file(remote_file, str(tmp))  # paramiko checks the size afterwards
        if mtime is not None:
            os.utime(tmp, (int(mtime), int(mtime)))


def _describe(exc: BaseException, secret: str | None) -> str:
    text = str(exc)
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if secret and secret in text:
        text = text.replace(secret, "***")
    return text


def _safe_cause(exc: BaseException, secret: str | None) -> BaseException | None:
    """The exception to chain, or None when its text would reveal the secret."""
    if secret and secret in str(exc):
        return None
    return exc
