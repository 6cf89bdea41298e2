"""Terminal output with ``rich``: tables that fit 120 columns, statuses in colour (plain when piped)."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from samla_airflow.cli.common import cell
from transforms.messages import t

WIDTH = 120  # a steward's terminal; piped output (README, tests) is laid out for it too
STATUS_STYLE = {"loaded": "green", "loaded_with_quarantine": "yellow", "rejected": "bold red"}


def console(file=None) -> Console:
    """A console writing to ``file`` (default standard output): the terminal's width, else 120 columns."""
    stream = file or sys.stdout
    width = None if stream.isatty() else int(os.environ.get("COLUMNS") or WIDTH)
    return Console(file=file, width=width, highlight=False, soft_wrap=False)


def table(columns: list[tuple[str, dict]]) -> Table:
    """A table with ``columns`` as (catalogue id of the heading, rich column options)."""
    out = Table(header_style="bold", box=None, pad_edge=False, show_edge=False)
    for heading, options in columns:
        out.add_column(t(heading), **options)
    return out


def print_table(out: Console, title: str | None, rows: Table) -> None:
    """A blank line, the title on a line of its own (a rich title would wrap at the table's width), the table."""
    out.print()
    if title:
        out.print(title, style="bold")
    out.print(rows)


def name(value) -> Text:
    """A delivered file name in a table: escaped as everywhere (``transforms.names``), never read as markup."""
    from transforms.names import shown

    return Text(shown(cell(value)))


def status(value: str) -> Text:
    key = f"status.{value}"
    from transforms.messages import catalogue

    return Text(t(key) if key in catalogue() else value, style=STATUS_STYLE.get(value, ""))


def shorten(value, limit: int) -> str:
    text = " ".join(cell(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
