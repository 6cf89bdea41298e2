"""The ``samla`` command: the parser wiring and ``main``; one module per subcommand.

Exit status: 0 all good; 1 something was rejected or quarantined (a summary
is printed); 2 usage or configuration error (the message names the key or
argument). ``run`` and ``demo`` drive the real DAGs in-process (dag.test).

A subcommand is a module here with ``add_parser(subparsers)``, which sets
``func`` (``args -> exit status``) and optionally ``prepare`` (``args -> None``,
run before settings are read); add it to ``COMMANDS`` below.
"""

from __future__ import annotations

import argparse
import os
import sys

from samla_airflow.cli import (
    check,
    config,
    demo,
    portal,
    quarantine,
    rotate_key,
    run,
    status,
    warehouse,
)
from samla_airflow.cli.common import OK, PROBLEMS, USAGE, UsageError
from samla_airflow.cli.parser import SamlaParser
from transforms.messages import t

COMMANDS = (demo, run, check, status, quarantine, portal, config, rotate_key, warehouse)
__all__ = ["OK", "PROBLEMS", "USAGE", "UsageError", "build_parser", "main"]


def _project_name() -> str:
    from transforms.config.project import ProjectError, current_project

    try:
        return current_project().name
    except (ProjectError, OSError):  # a faulty project file must not hide --help; `samla config check` reports it
        return "ESF+"


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help and argparse's own words in SAMLA_LANGUAGE (read now: LanguageError if wrong)."""
    parser = SamlaParser(prog="samla", description=t("cli_help.description", project=_project_name()))
    sub = parser.add_subparsers(dest="command", required=True, metavar=t("cli_help.metavar.command"))
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from transforms.config.project import ProjectError
    from transforms.config.settings import SettingsError
    from transforms.config.sources import SourcesError
    from transforms.messages import LanguageError, language

    try:
        language()  # a wrong SAMLA_LANGUAGE stops here, before any work: the help is written in it
    except LanguageError as exc:
        print(f"samla: {exc}", file=sys.stderr)
        return USAGE
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return USAGE if exc.code else OK
    if getattr(args, "prepare", None):
        args.prepare(args)
    try:
        from samla_airflow.airflow_runner import prepare_airflow_env
        from transforms.config.settings import load_settings

        # Before anything imports airflow: its configuration is read once, at import.
        data_dir = load_settings().data_dir
        os.environ["SAMLA_DATA_DIR"] = str(data_dir)
        prepare_airflow_env(data_dir)
        return args.func(args)
    except (UsageError, SettingsError, SourcesError, ProjectError, LanguageError) as exc:
        print(f"samla {args.command}: {exc}", file=sys.stderr)
        return USAGE
    except OSError as exc:  # a full disk or a missing permission: say so, no traceback
        reason = exc.strerror or type(exc).__name__
        print(f"samla {args.command}: " + t("cli.data_folder_error", reason=reason, error=type(exc).__name__),
              file=sys.stderr)
        return PROBLEMS
