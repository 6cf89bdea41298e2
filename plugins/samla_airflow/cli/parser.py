"""The samla parser speaks the user's language: argparse's own words ("usage:", "error:", "the following
arguments are required") come from the message catalogue (``transforms/messages/cli_help.py``).

argparse looks its words up through ``argparse._`` (gettext on the 'argparse' domain). ``SamlaParser``
answers those look-ups from the catalogue only while one of its own methods runs (building, parsing,
formatting help, reporting an error), and puts argparse's own function back afterwards: other parsers
in the same process are not touched. An English id argparse asks for that the catalogue lacks is
returned unchanged, as gettext does.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from functools import cache, wraps

from transforms.messages import catalogue, t

PREFIX = "argparse."


@cache
def _ids() -> dict[str, str]:
    """argparse's English message id -> our catalogue id."""
    return {english: message_id for message_id, texts in catalogue().items()
            if message_id.startswith(PREFIX) and isinstance(english := texts["en"], str)}


def translate(message: str) -> str:
    message_id = _ids().get(message)
    return t(message_id) if message_id else message


@contextlib.contextmanager
def samla_words() -> Iterator[None]:
    """argparse's words from the catalogue for the duration of the block (re-entrant)."""
    # argparse's gettext hook, which its type stub does not declare.
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def _in_samla_words(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with samla_words():
            return method(*args, **kwargs)
    return wrapper


class SamlaParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (usage, options, errors) are in SAMLA_LANGUAGE; its subparsers
    are SamlaParsers too (argparse makes them of the parent's class)."""

    __init__ = _in_samla_words(argparse.ArgumentParser.__init__)
    add_subparsers = _in_samla_words(argparse.ArgumentParser.add_subparsers)
    parse_known_args = _in_samla_words(argparse.ArgumentParser.parse_known_args)
    parse_args = _in_samla_words(argparse.ArgumentParser.parse_args)
    format_usage = _in_samla_words(argparse.ArgumentParser.format_usage)
    format_help = _in_samla_words(argparse.ArgumentParser.format_help)
    error = _in_samla_words(argparse.ArgumentParser.error)
