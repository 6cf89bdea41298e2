"""A file name as it is shown: the one way every layer prints a delivered name (terminal, e-mail, ledger, log).

A name comes from whoever delivers, so it may hold control characters (a newline
that starts a false line, an escape that recolours a terminal) or bidirectional
controls (U+202E shows ``txt.exe`` as ``exe.txt``). Those are shown as ``\\uXXXX``
escapes, as are the undecodable bytes of a name (surrogates), which could not
even be printed; everything else, Swedish letters included, is shown as is.
Imports nothing of Samla.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides, isolates
    "\ud800-\udfff]"  # lone surrogates: bytes of the name that are not UTF-8
)


def shown(name: object) -> str:
    """``name`` with every control, bidirectional or undecodable character as a ``\\uXXXX`` escape."""
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", "" if name is None else str(name))
