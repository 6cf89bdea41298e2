"""The portal's accounts: the stewards named in the sources file, with passwords the office sets.

A steward is known by the e-mail address of a source's ``steward`` entry and sees the sources that
name that address. Passwords are kept only as bcrypt hashes, in ``<data>/portal/accounts.json``
(mode 0600, written atomically); ``samla portal-password EMAIL`` sets one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bcrypt

from transforms import atomic
from transforms.messages import t

ACCOUNTS_FILE = Path("portal") / "accounts.json"
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be cut without a word
MIN_PASSWORD_CHARS = 12


class PasswordRefused(ValueError):
    """A password the office may not set; the message says why."""


@dataclass(frozen=True)
class Steward:
    email: str  # lower-cased
    name: str
    sources: tuple[str, ...]  # source ids, in the sources file's order


def normal_email(email: str) -> str:
    return email.strip().lower()


def stewards(config) -> dict[str, Steward]:
    """Every steward of a valid source, by e-mail address; a steward of several sources sees them all."""
    found: dict[str, tuple[str, list[str]]] = {}
    for source in config.sources.values():
        if source.steward_email:
            name, ids = found.setdefault(normal_email(source.steward_email),
                                         (source.steward_name or source.steward_email, []))
            ids.append(source.id)
    return {email: Steward(email, name, tuple(ids)) for email, (name, ids) in found.items()}


def accounts_file(data_dir: Path) -> Path:
    return Path(data_dir) / ACCOUNTS_FILE


def _hashes(data_dir: Path) -> dict[str, str]:
    path = accounts_file(data_dir)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in document.get("accounts", {}).items()}


def password_hash(data_dir: Path, email: str) -> str | None:
    return _hashes(data_dir).get(normal_email(email))


def set_password(data_dir: Path, email: str, password: str) -> Path:
    """Store ``password``'s hash for ``email`` (replacing any earlier one); the file stays 0600."""
    encoded = password.encode("utf-8")
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRefused(t("portal.password_short", n=MIN_PASSWORD_CHARS))
    if len(encoded) > MAX_PASSWORD_BYTES:
        raise PasswordRefused(t("portal.password_long", n=MAX_PASSWORD_BYTES))
    hashes = _hashes(data_dir)
    hashes[normal_email(email)] = bcrypt.hashpw(encoded, bcrypt.gensalt()).decode()
    path = accounts_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_json(path, {"accounts": dict(sorted(hashes.items()))}, mode=0o600, root=Path(data_dir))


@cache
def _dummy_hash() -> str:
    """Checked against when the account is unknown: a wrong e-mail costs the same time as a wrong password."""
    return bcrypt.hashpw(b"no such account", bcrypt.gensalt()).decode()


def verify(data_dir: Path, email: str, password: str) -> str | None:
    """The account's stored hash when ``password`` is right, else None (also for an unknown account)."""
    stored = password_hash(data_dir, email)
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        encoded = encoded[:0]  # never set that long: wrong, but checked as long as any other
    ok = bcrypt.checkpw(encoded, (stored or _dummy_hash()).encode())
    return stored if ok and stored else None
