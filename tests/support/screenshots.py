"""The README's pictures are made by the tests that check the pages: ``SAMLA_DOCS_SCREENSHOTS=1`` keeps them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def wanted() -> bool:
    return os.environ.get("SAMLA_DOCS_SCREENSHOTS") == "1"


def keep_for_docs(shot: Path, name: str) -> None:
    """Copy ``shot`` to ``docs/<name>`` when asked to (a run made to refresh the README's pictures)."""
    if wanted():
        target = DOCS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
