"""Swedish personnummer / samordningsnummer: parsing, normalisation, detection.

exports.md, participants.person_id: 10 or 12 digits, optional ``-``/``+``
separator, Luhn check digit, a real calendar date (samordningsnummer: day - 60).
A 10-digit number takes the century that makes the person under 100 on the
period's last day, or 100 or over with ``+``. Spaces anywhere are ignored and the
value is NFKC-normalised first (full-width digits and spaces count as ASCII ones);
any other digit script is not a personnummer.

``mask_in_text`` is the one masking function: quarantine, CLI, e-mail, Data Docs
and logs all hide numbers through it. It is wider than ``parse``: a number is
hidden however a person typed the parts apart (tab, dot, underscore, slash, en
or em dash, a dashed date ``1990-01-01-1239``) and when a program wrote it as a
decimal (``9001011239.0``, ``9.001011239e+09``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+])?(\d{4})$", re.ASCII)
# What people type between the parts of a number: any whitespace around at most one of these.
SEPARATORS = "-+._/\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DIGITS = re.compile(r"[0-9]+")
# Digit groups joined by such gaps; possessive, so a long gap that leads nowhere is not tried twice.
_RUN = re.compile(rf"[0-9]++(?:\s*+[{re.escape(SEPARATORS)}]?+\s*+[0-9]++)*+")
_HOUR = re.compile(r":[0-9]")  # a group followed by ":30" is an hour (2005-03-04 08:30), not a check digit
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+(?![0-9A-Za-z])")
# Any birth date a living person has; its year 2099 keeps 00 as 2000 (2000-02-29 exists, 2100-02-29 not).
_ANY_BIRTH = date(2099, 12, 31)
MASK = "<personnummer hidden>"
_LUHN = "check digit (Luhn) does not match"


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
    century, birth_date, separator, last_four = m.groups()
    return century, birth_date, separator, last_four


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


def parse(value: str, reference: date) -> Personnummer:
    """Parse and validate against ``reference`` (the period's last day)."""
    century, yymmdd, sep, tail = _shape(value)
    if not luhn_ok(yymmdd + tail):
        raise PersonnummerError(_LUHN)
    return _dated(century, yymmdd, sep, tail, reference)


@dataclass(frozen=True)
class ParsedMany:
    """``parse`` of many values, position by position, as numpy object/date arrays (no object per value)."""

    normalised: Any  # str where the value is a personnummer, else None
    birth: Any  # datetime64[D]; NaT where the value is not a personnummer
    errors: Any  # why the value is not a personnummer (``parse``'s reason), else None


# The plain ASCII forms read in bulk, by length: (century given, position of the - or + separator).
_FORMS = {10: (False, None), 11: (False, 6), 12: (True, None), 13: (True, 8)}
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_many(values: Sequence[str], reference: date) -> ParsedMany:
    """``parse`` of each value, the common forms with numpy (harmonise's path: many rows, one column).

    Plain ASCII digits in one of the ``_FORMS`` are read here when their check digit fails (``parse``
    checks it right after the shape) or when their date is a real one on or before ``reference``;
    every other value (spaces, full-width digits, any other fault) goes through ``parse`` itself,
    so what is accepted and every reason given are ``parse``'s by construction.
    """
    import numpy as np  # not at import time: the log filter below is loaded when DAG files are parsed

    array = np.asarray(values, dtype=object).reshape(-1)
    normalised = np.full(len(array), None, dtype=object)
    errors = np.full(len(array), None, dtype=object)
    birth = np.full(len(array), np.datetime64("NaT"), dtype="datetime64[D]")
    rows, core, century, plus = _plain_forms(array)
    luhn = _luhn_rows(core)
    errors[rows[~luhn]] = _LUHN
    rows, core, century, plus = rows[luhn], core[luhn], century[luhn], plus[luhn]
    year, month, day, real = _birth_dates(core, century, plus, reference)
    done = rows[real]
    digits = np.column_stack([year[real] // 10 ** p % 10 for p in (3, 2, 1, 0)] + [core[real, 2:]])
    text = (digits + 48).astype(np.uint8).tobytes().decode("ascii")
    normalised[done] = np.fromiter((text[i:i + 12] for i in range(0, len(text), 12)), dtype=object, count=len(done))
    months = ((year[real] - 1970) * 12 + month[real] - 1).astype("datetime64[M]")
    birth[done] = months.astype("datetime64[D]") + (day[real] - 1).astype("timedelta64[D]")
    slow = np.ones(len(array), dtype=bool)
    slow[done] = False
    slow[errors != None] = False  # noqa: E711 - elementwise comparison with None
    for position in np.flatnonzero(slow):
        try:
            parsed = parse(array[position], reference)
        except PersonnummerError as exc:
            errors[position] = str(exc)
            continue
        normalised[position], birth[position] = parsed.normalised, parsed.birth_date
    return ParsedMany(normalised=normalised, birth=birth, errors=errors)


def _plain_forms(array):
    """Positions of the values in a ``_FORMS`` shape: their ten digits after the century (rows x 10),
    the century (-1 when not given) and whether a ten-digit number has the ``+`` separator."""
    import numpy as np

    lengths = np.fromiter(map(len, array), dtype=np.int64, count=len(array))
    found = []
    for length, (given, sep_at) in _FORMS.items():
        rows = np.flatnonzero(lengths == length)
        chars = array[rows].astype(f"U{length}").view(np.uint32).reshape(-1, length)
        digits = chars[:, [c for c in range(length) if c != sep_at]].astype(np.int64) - ord("0")
        shaped = ((digits >= 0) & (digits <= 9)).all(axis=1)
        if sep_at is None:
            plus = np.zeros(len(rows), dtype=bool)
        else:
            shaped &= (chars[:, sep_at] == ord("-")) | (chars[:, sep_at] == ord("+"))
            plus = (chars[:, sep_at] == ord("+")) & (not given)
        century = digits[:, 0] * 10 + digits[:, 1] if given else np.full(len(rows), -1)
        found.append((rows[shaped], digits[shaped, -10:], century[shaped], plus[shaped]))
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))


def _luhn_rows(digits):
    """``luhn_ok`` of each row of a rows x 10 digit array."""
    import numpy as np

    products = digits * np.array([2, 1] * 5)
    return (np.where(products > 9, products - 9, products).sum(axis=1) % 10) == 0


def _birth_dates(core, century, plus, reference: date):
    """``_dated``'s year rule in bulk: year, month and day (samordningsnummer less 60) of each row, and
    whether every date on the way was real and the birth lies on or before ``reference``."""
    import numpy as np

    yy, month, dd = (core[:, i] * 10 + core[:, i + 1] for i in (0, 2, 4))
    day = np.where(dd > 60, dd - 60, dd)
    ten = century < 0
    year = np.where(ten, reference.year - (reference.year - yy) % 100, century * 100 + yy)
    real = _real_date(year, month, day)
    limit = reference.year * 10000 + reference.month * 100 + reference.day
    for step in (ten & (year * 10000 + month * 100 + day > limit), ten & plus):  # a century back, each
        year = np.where(step, year - 100, year)
        real &= _real_date(year, month, day)
    return year, month, day, real & (year * 10000 + month * 100 + day <= limit)


def _real_date(year, month, day):
    """Whether ``date(year, month, day)`` exists, elementwise."""
    import numpy as np

    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = np.array(_DAYS_IN_MONTH)[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    return (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)


def age_on(birth: date, day: date) -> int:
    """Whole years completed on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (already NFKC) holding a personnummer typed with any of the separators:
    runs of whole digit groups whose digits alone ``parse`` accepts."""
    spans = []
    for run in _RUN.finditer(text):
        if run.end() - run.start() < 10:  # fewer than ten digits
            continue
        groups = [m.span() for m in _DIGITS.finditer(text, run.start(), run.end())]
        if sum(end - start for start, end in groups) < 10:
            continue
        for first in range(len(groups)):
            digits = ""
            for start, end in groups[first:]:
                digits += text[start:end]
                if len(digits) > 12:
                    break
                if len(digits) in (10, 12) and _could_be(digits) and not _HOUR.match(text, end) \
                        and not (start != groups[first][0] and _glued(text, end)):
                    try:
                        parse(digits, _ANY_BIRTH)
                    except PersonnummerError:
                        continue
                    spans.append((groups[first][0], end))
    return spans


def _glued(text: str, end: int) -> bool:
    """Digit groups joined across separators whose last runs on into a letter are part of a token, not a
    typed number: a path's period and a checksum (``2024-10/682393ecfa97``). One unbroken group is still
    masked whatever stands beside it, and so is a number with a word before it (``x900101 1239``), and
    a float's exponent is no letter of a token (``9.001011239e+09``, as a program may write the number)."""
    return end < len(text) and text[end].isalpha() and not _EXPONENT.match(text, end)


def _could_be(digits: str) -> bool:
    """A possible month and day (samordningsnummer: day + 60): most other numbers end here, before ``parse``."""
    month, day = int(digits[-8:-6]), int(digits[-6:-4])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def _normal(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def find_in_text(text: str) -> list[str]:
    """Every substring of ``text`` (NFKC-normalised) that ``mask_in_text`` hides."""
    text = _normal(str(text))
    return [text[a:b] for a, b in _spans(text)]


def mask_in_text(text: str, mask: str = MASK) -> str:
    """``text`` with every personnummer hidden; unchanged when there is none.

    With a hit the result is the NFKC form of the text (full-width digits as ASCII).
    """
    text = str(text)
    normal = _normal(text)
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
