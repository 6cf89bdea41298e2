"""Swedish personnummer / samordningsnummer: parsing, normalisation, detection.

exports.md, participants.person_id: 10 or 12 digits, optional ``-``/``+``
separator, Luhn check digit, a real calendar date (samordningsnummer: day - 60).
A 10-digit number takes the century that makes the person under 100 on the
period's last day, or 100 or over with ``+``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+])?(\d{4})$")
# Anything that could be a personnummer inside free text (for privacy scans).
_IN_TEXT = re.compile(r"(?<!\d)(\d{2})?(\d{6})[-+]?(\d{4})(?!\d)")


class PersonnummerError(ValueError):
    """Why a value is not a valid personnummer (never contains the value)."""


@dataclass(frozen=True)
class Personnummer:
    normalised: str  # YYYYMMDDNNNC, samordningsnummer day kept as delivered (+60)
    birth_date: date
    coordination: bool  # samordningsnummer


def luhn_ok(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _birth_date(year: int, month: int, day: int) -> tuple[date, bool]:
    coordination = day > 60
    try:
        return date(year, month, day - 60 if coordination else day), coordination
    except ValueError:
        raise PersonnummerError("not a real calendar date") from None


def parse(value: str, reference: date) -> Personnummer:
    """Parse and validate against ``reference`` (the period's last day)."""
    text = str(value).strip().replace(" ", "")
    m = _SHAPE.match(text)
    if not m:
        raise PersonnummerError("not 10 or 12 digits with an optional - or + separator")
    century, yymmdd, sep, tail = m.groups()
    if not luhn_ok(yymmdd + tail):
        raise PersonnummerError("check digit (Luhn) does not match")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if century is not None:
        birth, coordination = _birth_date(int(century) * 100 + yy, mm, dd)
    else:
        # The one year in (reference.year - 100, reference.year] ending in yy,
        # then step back a century if that birthday lies after the reference.
        year = reference.year - ((reference.year - yy) % 100)
        birth, coordination = _birth_date(year, mm, dd)
        if birth > reference:
            birth, coordination = _birth_date(year - 100, mm, dd)
        if sep == "+":
            birth, coordination = _birth_date(birth.year - 100, mm, dd)
    if birth > reference:
        raise PersonnummerError("birth date lies after the period's last day")
    normalised = f"{birth.year:04d}{yymmdd[2:]}{tail}"
    return Personnummer(normalised=normalised, birth_date=birth, coordination=coordination)


def age_on(birth: date, day: date) -> int:
    """Whole years completed on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def find_in_text(text: str) -> list[str]:
    """Every substring of ``text`` that is a plausible personnummer (valid Luhn and date).

    Used by privacy checks on written files and logs; a reference date far in
    the future accepts any birth date.
    """
    found = []
    for m in _IN_TEXT.finditer(text):
        try:
            parse(m.group(0), date(2100, 1, 1))
        except PersonnummerError:
            continue
        found.append(m.group(0))
    return found


def mask_in_text(text: str, mask: str = "<personnummer hidden>") -> str:
    """``text`` with every plausible personnummer replaced (defence for messages and logs)."""
    for found in find_in_text(text):
        text = text.replace(found, mask)
    return text
