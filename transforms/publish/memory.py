"""Freed memory given back to the system between publication's steps."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def release_freed_memory() -> None:
    """glibc keeps what Python, pandas and Arrow free for reuse, in pieces among live data, so the
    process stays as large as its largest moment so far; publication's steps each build and drop large
    frames (and follow ingestion in ``samla run``), so what one step freed is returned before the next
    starts building (figures: benchmarks/README.md)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
