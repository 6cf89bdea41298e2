"""Synthetic personnummer: the one builder the demo generator and the tests share.

The check digit is computed here with its own Luhn sum, not with
``transforms.privacy.personnummer``: tests that feed these numbers to the
parser then check it against an independent implementation.
"""

from __future__ import annotations

from datetime import date


def luhn_digit(nine: str) -> str:
    """The Luhn check digit of nine digits (weights 2, 1, 2, …; digits of products summed)."""
    total = 0
    for i, char in enumerate(nine):
        product = int(char) * (2 - i % 2)
        total += product - 9 if product > 9 else product
    return str(-total % 10)


def synthetic_pnr(
    birth: date,
    serial: int = 123,
    *,
    twelve: bool = True,
    sep: str = "",
    coordination: bool = False,
    check: str | None = None,
) -> str:
    """A personnummer for ``birth`` with three-digit ``serial`` and a valid check digit.

    ``twelve``: ``YYYYMMDD…`` rather than ``YYMMDD…``; ``sep`` goes before the
    last four digits (``-``, or ``+`` for a ten-digit number of someone over 100);
    ``coordination``: a samordningsnummer (day + 60); ``check`` forces a check
    digit (a mistyped number).
    """
    day = birth.day + (60 if coordination else 0)
    body = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial % 1000:03d}"
    ten = body + (check if check is not None else luhn_digit(body))
    century = f"{birth.year // 100:02d}" if twelve else ""
    return f"{century}{ten[:6]}{sep}{ten[6:]}"


# How export systems write the number: "12-" = YYYYMMDD-NNNN, "10" = YYMMDDNNNN.
STYLES = {"12-": (True, "-"), "12": (True, ""), "10-": (False, "-"), "10": (False, "")}


def styled_pnr(birth: date, serial: int, style: str, *, coordination: bool = False,
               check: str | None = None) -> str:
    """``synthetic_pnr`` in one of the ``STYLES``."""
    twelve, sep = STYLES[style]
    return synthetic_pnr(birth, serial, twelve=twelve, sep=sep, coordination=coordination, check=check)
