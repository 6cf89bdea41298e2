"""Swedish personnummer / samordningsnummer: parsing, normalisation, detection.

exports.md, participants.person_id: 10 or 12 digits, optional ``-``/``+``
separator, Luhn check digit, a real calendar date (samordningsnummer: day - 60).
A 10-digit number takes the century that makes the person under 100 on the
period's last day, or 100 or over with ``+``. Spaces anywhere are ignored and the
value is NFKC-normalised first (full-width digits and spaces count as ASCII ones);
any other digit script is not a personnummer.

``mask_in_text`` is the one masking function: quarantine, CLI, e-mail, Data Docs
and logs all hide numbers through it, and it finds every form ``parse`` accepts.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+])?(\d{4})$", re.ASCII)
# Digit groups in free text; two groups belong to one candidate when only spaces and
# at most one - or + stand between them (``parse`` removes the spaces).
_DIGITS = re.compile(r"[0-9]+")
_JOIN = re.compile(r"^ *[-+]? *$")
MASK = "<personnummer hidden>"


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


def _shape(value: str) -> tuple[str | None, str, str | None, str]:
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    m = _SHAPE.match(text.strip().replace(" ", ""))
    if not m:
        raise PersonnummerError("not 10 or 12 digits with an optional - or + separator")
    return m.groups()


def _dated(century: str | None, yymmdd: str, sep: str | None, tail: str, reference: date) -> Personnummer:
    """The rest of ``parse`` once shape and check digit are known to be right."""
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


def _luhn_many(ten_digit_strings: list[str]):
    """``luhn_ok`` of many 10-digit ASCII strings at once (the per-digit loop is the costly part)."""
    import numpy as np  # not at import time: the log filter above is loaded when DAG files are parsed

    if not ten_digit_strings:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(ten_digit_strings).encode("ascii"), dtype=np.uint8).reshape(-1, 10) - 48
    products = digits * np.array([2, 1] * 5, dtype=np.uint8)
    return (np.where(products > 9, products - 9, products).sum(axis=1) % 10) == 0


def parse(value: str, reference: date) -> Personnummer:
    """Parse and validate against ``reference`` (the period's last day)."""
    century, yymmdd, sep, tail = _shape(value)
    if not luhn_ok(yymmdd + tail):
        raise PersonnummerError("check digit (Luhn) does not match")
    return _dated(century, yymmdd, sep, tail, reference)


def parse_many(values: Iterable[str], reference: date) -> dict[str, Personnummer | str]:
    """``parse`` of each distinct value: value -> Personnummer, or the reason it is not one.

    The same steps as ``parse``, with the check digits of all values computed in one go.
    """
    shapes: dict[str, tuple] = {}
    out: dict[str, Personnummer | str] = {}
    for value in set(values):
        try:
            shapes[value] = _shape(value)
        except PersonnummerError as exc:
            out[value] = str(exc)
    ok = _luhn_many([g[1] + g[3] for g in shapes.values()])
    for (value, groups), luhn in zip(shapes.items(), ok, strict=True):
        if not luhn:
            out[value] = "check digit (Luhn) does not match"
            continue
        try:
            out[value] = _dated(*groups, reference)
        except PersonnummerError as exc:
            out[value] = str(exc)
    return out


def age_on(birth: date, day: date) -> int:
    """Whole years completed on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (already NFKC) that ``parse`` accepts: runs of whole digit groups."""
    groups = [m.span() for m in _DIGITS.finditer(text)]
    spans = []
    for first in range(len(groups)):
        digits = 0
        for last in range(first, len(groups)):
            if last > first and not _JOIN.match(text[groups[last - 1][1]:groups[last][0]]):
                break
            digits += groups[last][1] - groups[last][0]
            if digits > 12:
                break
            if digits in (10, 12):
                try:  # a reference date far in the future accepts any birth date
                    parse(text[groups[first][0]:groups[last][1]], date(2100, 1, 1))
                except PersonnummerError:
                    continue
                spans.append((groups[first][0], groups[last][1]))
    return spans


def find_in_text(text: str) -> list[str]:
    """Every substring of ``text`` (NFKC-normalised) that ``parse`` accepts as a personnummer."""
    text = unicodedata.normalize("NFKC", str(text))
    return [text[a:b] for a, b in _spans(text)]


def mask_in_text(text: str, mask: str = MASK) -> str:
    """``text`` with every personnummer hidden; unchanged when there is none.

    With a hit the result is the NFKC form of the text (full-width digits as ASCII).
    """
    text = str(text)
    normal = unicodedata.normalize("NFKC", text)
    spans = _spans(normal)
    if not spans:
        return text
    out, end = [], 0
    for a, b in sorted(spans):
        if a >= end:
            out.append(normal[end:a] + mask)
            end = b
        elif b > end:  # overlapping candidates: one mask covers both
            end = b
    return "".join(out) + normal[end:]


class MaskingFilter(logging.Filter):
    """A logging filter that hides personnummer in a record's final message (logs of Samla's tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
