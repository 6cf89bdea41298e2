"""A real SFTP server for tests: asyncssh on 127.0.0.1, in a background thread.

Usage::

    with sftp_server(tmp_path / "remote") as (host, port, username, password):
        ...

The server listens on an ephemeral port (port 0), accepts only password
authentication for one user, and serves an ``SFTPServer`` chrooted to
``root``: the client's ``/exports`` is ``root / "exports"`` on disk, so tests
create, change and inspect "remote" files directly on the local file system.
The host key is generated at start-up and never written to disk.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import asyncssh


class SFTPServerInfo(NamedTuple):
    host: str
    port: int
    username: str
    password: str


class _PasswordServer(asyncssh.SSHServer):
    """Password-only SSH server for a single user; tracks its live connections."""

    def __init__(self, username: str, password: str, connections: set) -> None:
        self._username = username
        self._password = password
        self._connections = connections
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # authentication is always required

    def password_auth_supported(self) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def validate_password(self, username: str, password: str) -> bool:
        return secrets.compare_digest(username, self._username) and secrets.compare_digest(
            password, self._password
        )


@contextmanager
def sftp_server(
    root: Path,
    username: str = "samla",
    password: str | None = None,
    start_timeout: float = 10.0,
) -> Iterator[SFTPServerInfo]:
    """Run an SFTP server chrooted to ``root`` for the duration of the ``with`` block.

    Yields ``SFTPServerInfo(host, port, username, password)`` (a named tuple).
    ``password`` defaults to a random token, so a test can check it never
    leaks into messages or logs.
    """
    asyncssh.set_log_level(logging.WARNING)  # per-connection INFO chatter is noise here
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if password is None:
        password = "pw-" + secrets.token_urlsafe(16)
    chroot = str(root.resolve()).encode()

    loop = asyncio.new_event_loop()
    connections: set[asyncssh.SSHServerConnection] = set()
    started = threading.Event()
    state: dict[str, object] = {}

    async def _start() -> asyncssh.SSHAcceptor:
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            server_factory=lambda: _PasswordServer(username, password, connections),
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=chroot),
            allow_scp=False,
        )

    def _run() -> None:
        asyncio.set_event_loop(loop)
        try:
            state["acceptor"] = loop.run_until_complete(_start())
        except BaseException as exc:  # reported to the starting thread
            state["error"] = exc
            started.set()
            loop.close()
            return
        started.set()
        loop.run_forever()
        # Cancel whatever is still pending (e.g. half-open sessions) before closing.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=_run, name="test-sftp-server", daemon=True)
    thread.start()
    if not started.wait(start_timeout):
        raise RuntimeError("test SFTP server did not start in time")
    if "error" in state:
        thread.join(start_timeout)
        raise RuntimeError("test SFTP server failed to start") from state["error"]  # type: ignore[misc]

    acceptor: asyncssh.SSHAcceptor = state["acceptor"]  # type: ignore[assignment]
    try:
        yield SFTPServerInfo("127.0.0.1", acceptor.get_port(), username, password)
    finally:

        async def _stop() -> None:
            acceptor.close()
            for conn in list(connections):
                conn.close()
            await acceptor.wait_closed()
            for conn in list(connections):
                await conn.wait_closed()

        asyncio.run_coroutine_threadsafe(_stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if thread.is_alive():
            raise RuntimeError("test SFTP server thread did not stop")
