"""``samla rotate-key``: re-pseudonymise curated and quarantine data under a new key."""

from __future__ import annotations

import os
import sys

from samla_airflow.cli.common import OK, PROBLEMS, UsageError, settings_and_sources
from transforms.messages import t

NEW_KEY = "SAMLA_NEW_PSEUDONYM_KEY"


def add_parser(sub) -> None:
    rotate = sub.add_parser(
        "rotate-key", help=t("cli_help.rotate_key"),
        description=t("cli_help.rotate_key.description", new_key=NEW_KEY))
    rotate.set_defaults(func=command)


def command(args) -> int:
    from transforms.config.settings import pseudonym_key, weak_key
    from transforms.messages import t
    from transforms.upkeep.rotation import RotationError, rotate_key

    settings, config = settings_and_sources()
    new = os.environ.get(NEW_KEY, "")
    if len(new) < 16:
        raise UsageError(t("rotate.new_key_missing", var=NEW_KEY,
                           hint='python3 -c "import secrets; print(secrets.token_hex(32))"'))
    if weak_key(new, NEW_KEY):
        raise UsageError(weak_key(new, NEW_KEY))
    old = pseudonym_key(settings, continuity=False)
    from samla_airflow.locks import Busy, every_source, run_lock

    try:
        # Nothing may ingest while every pseudonym is remade: the data folder as a `samla run` takes it,
        # and every source as its scheduler task takes it (a running task is waited for).
        with run_lock(settings.data_dir), every_source(settings.data_dir, config.sources):
            done = rotate_key(settings, config, old, new.encode("utf-8"), progress=print)
    except RotationError as exc:
        raise UsageError(str(exc)) from None
    except Busy as exc:
        print(str(exc), file=sys.stderr)
        return PROBLEMS
    print(t("rotate.done", partitions=done["partitions"], sources=done["sources"]))
    return OK
