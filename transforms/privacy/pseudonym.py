"""Keyed pseudonyms: HMAC-SHA256 of the normalised 12-digit number (exports.md, Privacy)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

_BLOCK = 64  # SHA-256's block size in bytes


def pseudonym(key: bytes, normalised: str) -> str:
    return hmac.new(key, normalised.encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymise_all(key: bytes, normalised: Iterable[str]) -> dict[str, str]:
    """Map each distinct normalised number to its pseudonym, hashing each person once."""
    distinct = list(set(normalised))
    return dict(zip(distinct, pseudonyms(key, distinct), strict=True))


def pseudonyms(key: bytes, numbers: Iterable[str]) -> list[str]:
    """``pseudonym`` of each number, in order.

    The same HMAC (RFC 2104), with the key's inner and outer blocks hashed once for all numbers:
    each number then costs two copies of a SHA-256 state (a quarter of ``hmac.new``'s time).
    A process remembers the pseudonyms it made (per key, up to ``_REMEMBERED`` numbers): a
    person is in each of a source's four files every month, and a task process ends with its task.
    """
    known = _known(key)
    out = []
    states = None  # the key's inner and outer hash states, made once a number is not known
    for number in numbers:
        made = known.get(number)
        if made is None:
            if states is None:
                states = _key_states(key)
            inner, outer = states
            digest = inner.copy()
            digest.update(number.encode("ascii"))
            final = outer.copy()
            final.update(digest.digest())
            made = known[number] = final.hexdigest()
        out.append(made)
    if len(known) > _REMEMBERED:
        known.clear()
    return out


_REMEMBERED = 500_000  # about 110 MB at most (a number, its pseudonym, a dict slot); national: 40 000 persons
_remembered: dict[bytes, dict[str, str]] = {}


def _known(key: bytes) -> dict[str, str]:
    fingerprint = hashlib.sha256(b"samla-pseudonym-memo" + key).digest()
    if fingerprint not in _remembered:
        _remembered.clear()  # one key at a time: a rotation forgets the old key's pseudonyms
        _remembered[fingerprint] = {}
    return _remembered[fingerprint]


def _key_states(key: bytes):
    block = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))
