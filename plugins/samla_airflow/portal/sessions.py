"""Sessions, CSRF tokens and the log-in rate limit of the portal.

A session is a signed cookie (HMAC-SHA256 under the portal's secret), so any number of api-server
workers share it without a store. It carries the account, a per-session CSRF token every form
sends back, when it was issued, and a fingerprint of the account's password hash: setting a new
password ends the account's sessions. The cookie is HttpOnly and SameSite=Strict, and Secure when
the portal is reached over https.

The secret comes from SAMLA_PORTAL_SECRET, else from ``<data>/portal/secret`` (made once, 0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from transforms import atomic

SECRET_ENV = "SAMLA_PORTAL_SECRET"
SECRET_FILE = Path("portal") / "secret"
COOKIE = "samla_portal"
SESSION_SECONDS = 8 * 3600  # a working day; then the steward logs in again


def secret(data_dir: Path) -> bytes:
    """The signing secret: SAMLA_PORTAL_SECRET, else the data folder's own (made on first use)."""
    given = os.environ.get(SECRET_ENV, "").strip()
    if given:
        return given.encode("utf-8")
    path = Path(data_dir) / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip().encode("ascii")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, secrets.token_hex(32), mode=0o600, root=Path(data_dir))
        return path.read_text(encoding="ascii").strip().encode("ascii")


@dataclass(frozen=True)
class Session:
    csrf: str
    email: str | None = None  # None before log-in: the log-in form's token only
    fingerprint: str = ""  # of the password hash the session was opened with
    issued: float = 0.0


def fingerprint(key: bytes, password_hash: str) -> str:
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def seal(key: bytes, session: Session) -> str:
    payload = _b64(json.dumps({"c": session.csrf, "e": session.email, "f": session.fingerprint,
                               "i": session.issued}).encode())
    return f"{payload}.{_signature(key, payload)}"


def unseal(key: bytes, cookie: str | None, now: float | None = None) -> Session | None:
    """The session a cookie carries, or None when it is missing, forged or expired."""
    if not cookie or "." not in cookie:
        return None
    payload, _, signature = cookie.partition(".")
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = Session(str(data["c"]), data["e"], str(data["f"]), float(data["i"]))
    except (ValueError, KeyError, TypeError):
        return None
    if (now if now is not None else time.time()) - session.issued > SESSION_SECONDS:
        return None
    return session


def new_session(email: str | None = None, fingerprint: str = "") -> Session:
    """A fresh session with a fresh CSRF token (a log-in gets a new one: no token outlives it)."""
    return Session(secrets.token_urlsafe(32), email, fingerprint, time.time())


def csrf_ok(session: Session | None, token: str | None) -> bool:
    if session is None or not token:
        return False
    return hmac.compare_digest(session.csrf.encode(), token.encode())


class LoginLimiter:
    """Failed log-ins counted per account and per client; at ``limit`` within ``window`` seconds, either
    refuses further tries until the oldest failure ages out. Kept in the process's memory."""

    def __init__(self, limit: int = 5, window: float = 15 * 60) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def refused(self, account: str, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return any(len(self._recent(key, now)) >= self.limit
                       for key in (("account", account), ("client", client)))

    def failed(self, account: str, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in (("account", account), ("client", client)):
                self._recent(key, now).append(now)

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(("account", account), None)
