"""Keyed pseudonyms: HMAC-SHA256 of the normalised 12-digit number (exports.md, Privacy)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def pseudonym(key: bytes, normalised: str) -> str:
    return hmac.new(key, normalised.encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymise_all(key: bytes, normalised: Iterable[str]) -> dict[str, str]:
    """Map each distinct normalised number to its pseudonym, hashing each person once."""
    return {n: pseudonym(key, n) for n in set(normalised)}
