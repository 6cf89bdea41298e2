"""The message catalogue: every text a steward or reporting user reads, in Swedish and English.

Usage (transforms/ and plugins/ alike; no Airflow here)::

    from transforms.messages import t
    t("cli.status.title")                          # in SAMLA_LANGUAGE (sv | en, default sv)
    t("file.rows_loaded", n=126)                   # plural forms chosen by n, the count written as below
    t("email.greeting", name="Eva", lang="en")     # one language explicitly
    t("parse.clipped", text=..., count=number(1500))  # numbers as the language writes them: 1 500 / 1,500

A catalogue is a module in this package (one per area: ``cli``, ``email``,
``ingest`` …) holding ``MESSAGES = {"area.id": {"sv": "...", "en": "..."}}``;
it is found automatically, so add your own module rather than editing
another's. A text is a ``str.format`` template; a pair ``(one, other)``
is chosen by the ``n`` parameter. tests/messages/test_messages.py checks that every
id has both languages with the same placeholders and that ids are unique.
"""

from __future__ import annotations

import importlib
import numbers
import os
import pkgutil
import string
from functools import cache
from typing import Any

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
ENV = "SAMLA_LANGUAGE"

Text = str | tuple[str, str]


class LanguageError(ValueError):
    """SAMLA_LANGUAGE (or a ``lang=``) names a language the catalogue does not have."""


def language(lang: str | None = None) -> str:
    """``lang`` if given, else SAMLA_LANGUAGE (read at call time), else Swedish."""
    chosen = (lang or os.environ.get(ENV, "") or DEFAULT_LANGUAGE).strip().lower()
    if chosen not in LANGUAGES:
        # In both languages: which one the reader wants is what is unknown.
        raise LanguageError(f"{ENV}={chosen!r}: välj ett av {', '.join(LANGUAGES)} (standard {DEFAULT_LANGUAGE}) / "
                            f"choose one of {', '.join(LANGUAGES)} (default {DEFAULT_LANGUAGE})")
    return chosen


@cache
def catalogue() -> dict[str, dict[str, Text]]:
    """Every message id of every catalogue module; an id defined twice is an error."""
    merged: dict[str, dict[str, Text]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for message_id, texts in getattr(module, "MESSAGES", {}).items():
            if message_id in merged:
                raise RuntimeError(f"message id {message_id!r} is defined twice (again in {module.__name__})")
            merged[message_id] = texts
    return merged


def t(message_id: str, /, *, lang: str | None = None, **params: Any) -> str:
    """The message ``message_id`` in ``lang`` (default SAMLA_LANGUAGE), filled in with ``params``."""
    lang = language(lang)
    text = catalogue()[message_id][lang]
    if isinstance(text, tuple):
        text = text[0] if params.get("n") == 1 else text[1]
    if isinstance(params.get("n"), numbers.Integral) and not isinstance(params["n"], bool):
        params["n"] = number(params["n"], lang=lang)  # a count: "11 639 rader", "11,639 rows"
    return text.format(**params)


# Swedish groups thousands with a narrow no-break space (a comma is its decimal mark) and writes "25 %";
# English groups with a comma, marks decimals with a point and writes "25%".
_THOUSANDS = {"sv": "\u202f", "en": ","}
_DECIMAL = {"sv": ",", "en": "."}
_PERCENT = {"sv": "\u00a0%", "en": "%"}


def number(value: float, /, *, decimals: int = 0, percent: bool = False, lang: str | None = None) -> str:
    """``value`` written for a reader of ``lang``: sv ``2 000 000``, ``1,5``, ``25 %``; en ``2,000,000``,
    ``1.5``, ``25%``. ``percent`` shows a share (0.25) as a percentage; ``decimals`` digits after the mark."""
    lang = language(lang)
    shown = value * 100 if percent else value
    text = f"{shown:,.{decimals}f}".translate(str.maketrans(",.", _THOUSANDS[lang] + _DECIMAL[lang]))
    return text + _PERCENT[lang] if percent else text


def placeholders(text: Text) -> set[str]:
    """The parameter names a text uses (both plural forms)."""
    forms = text if isinstance(text, tuple) else (text,)
    return {name.split(".")[0].split("[")[0] for form in forms
            for _, name, _, _ in string.Formatter().parse(form) if name}
