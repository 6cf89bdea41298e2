"""Key continuity: the curated data remembers which pseudonym key made it.

A fingerprint — an HMAC of a fixed label under the key, which reveals nothing
of the key — is kept in ``curated/_key.json``. A run under another key would
give every person a second pseudonym and silently empty the indicators that
join datasets, so it is refused; ``samla rotate-key`` changes the key on purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

from transforms.messages import t

LABEL = b"samla pseudonym key fingerprint v1"
FILE_NAME = "_key.json"
JOURNAL = ".rotate-key.json"  # in the data dir while a rotation swaps folders


class KeyMismatchError(ValueError):
    """The configured key is not the one the curated data was pseudonymised with."""


def fingerprint(key: bytes) -> str:
    return hmac.new(key, LABEL, hashlib.sha256).hexdigest()


def fingerprint_file(curated_dir: Path) -> Path:
    return curated_dir / FILE_NAME


def stored(curated_dir: Path) -> str | None:
    path = fingerprint_file(curated_dir)
    return json.loads(path.read_text(encoding="utf-8"))["fingerprint"] if path.exists() else None


def store(curated_dir: Path, key: bytes) -> None:
    from transforms import atomic

    atomic.write_json(fingerprint_file(curated_dir),
                      {"fingerprint": fingerprint(key), "since": datetime.now(UTC).isoformat(timespec="seconds")})


def check(data_dir: Path, key: bytes) -> None:
    """Refuse a key other than the curated data's; the first key used is remembered."""
    if (data_dir / JOURNAL).exists():
        raise KeyMismatchError(t("intake.key_rotation_interrupted"))
    curated_dir = data_dir / "curated"
    known = stored(curated_dir)
    if known is None:
        store(curated_dir, key)
    elif not hmac.compare_digest(known, fingerprint(key)):
        raise KeyMismatchError(t("intake.key_mismatch"))
