"""Changing the pseudonym key on purpose: curated data and quarantine re-made from the raw archive.

Everything is rebuilt under the new key in a staging folder first and compared
with what is live; only when every live partition was re-made from the same
delivery are the folders swapped. A journal makes the swap resumable: a run
refuses while it exists, and ``rotate_key`` started again finishes the swap.
The journal is removed last, after the staging folder (with the ``.old``
copies under the old key): whichever step a rotation is killed at, the next
``rotate_key`` finishes or discards it and leaves no copy behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from transforms import atomic
from transforms.config import key_continuity
from transforms.config.settings import DEMO_KEY_FILE, Settings
from transforms.ingest import curated
from transforms.messages import t

SWAPPED = ("curated", "quarantine")
STAGING = "staging"
PREFIX = "rotate-"

# The named steps ``on_step`` is called at, in order (the kill tests pause at each).
STEPS = ("staging", "staged", "journal", *(f"{name}.{move}" for name in SWAPPED for move in ("old", "new")),
         "swapped", "cleaned")


class RotationError(ValueError):
    """The rotation cannot be done safely; nothing live was changed."""


def rotate_key(settings: Settings, config, old_key: bytes, new_key: bytes,
               progress: Callable[[str], None] | None = None,
               on_step: Callable[[str], None] | None = None) -> dict[str, int]:
    """Re-pseudonymise curated and quarantine data under ``new_key``; returns partition and source counts.

    The caller holds the data folder's and every source's lock: any staging copy found is a leftover.
    """
    from transforms.ingest.pipeline import ingest_source  # the same ingestion, under the new key

    step = on_step or (lambda name: None)
    journal = settings.data_dir / key_continuity.JOURNAL
    if journal.exists():  # an interrupted swap: the staging folder is complete, finish it
        staging = Path(json.loads(journal.read_text(encoding="utf-8"))["staging"])
        if _staged_fingerprint(settings, staging) not in (None, key_continuity.fingerprint(new_key)):
            raise RotationError(t("rotate.resume_other_key"))
        _swap(settings, staging, new_key, step)
        remove_leftovers(settings.data_dir)
        return {"partitions": len(_partitions(settings.curated_dir)), "sources": len(config.sources)}
    remove_leftovers(settings.data_dir)  # a rotation killed before its journal: nothing of it was live
    known = key_continuity.stored(settings.curated_dir)
    if known is not None and known != key_continuity.fingerprint(old_key):
        raise RotationError(t("rotate.old_key_wrong"))
    if key_continuity.fingerprint(new_key) == key_continuity.fingerprint(old_key):
        raise RotationError(t("rotate.same_key"))
    staging = settings.data_dir / STAGING / f"{PREFIX}{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    try:
        (staging / "raw").symlink_to(settings.raw_dir.resolve(), target_is_directory=True)  # the archive, read only
        staged = dataclasses.replace(settings, data_dir=staging)
        for index, source in enumerate(config.sources.values()):
            if progress:
                progress(t("rotate.source", source=source.id))
            ingest_source(staged, source, new_key, [])
            if index == 0:
                step("staging")
        _compare(settings, staged)
        key_continuity.store(staged.curated_dir, new_key)
        (staging / "quarantine").mkdir(exist_ok=True)
        step("staged")
    except BaseException:
        _remove(staging)
        raise
    atomic.write_json(journal, {"staging": str(staging)})
    step("journal")
    _swap(settings, staging, new_key, step)
    return {"partitions": len(_partitions(settings.curated_dir)), "sources": len(config.sources)}


def pending(data_dir: Path) -> str | None:
    """What a reader must be told of a rotation left unfinished here (``None``: nothing).

    With the journal the swap is half done and every run refuses; without it, only
    a staging copy of a rotation that never swapped is left (the old key still holds).
    """
    if (data_dir / key_continuity.JOURNAL).exists():
        return t("rotate.pending")
    if _leftovers(data_dir):
        return t("rotate.leftovers")
    return None


def remove_leftovers(data_dir: Path) -> None:
    """Every staging folder of an earlier rotation (its ``.old`` copies included)."""
    for folder in _leftovers(data_dir):
        _remove(folder)


def _leftovers(data_dir: Path) -> list[Path]:
    folder = data_dir / STAGING
    return sorted(p for p in folder.glob(f"{PREFIX}*") if p.is_dir() and not p.is_symlink()) \
        if folder.is_dir() else []


def _staged_fingerprint(settings: Settings, staging: Path) -> str | None:
    """The fingerprint of the curated data being swapped in, wherever the swap left it."""
    return key_continuity.stored(staging / "curated" if (staging / "curated").is_dir() else settings.curated_dir)


def _partitions(curated_dir: Path) -> dict[tuple[str, str, str], str]:
    """(dataset, source, period) -> the delivery (sha256) each curated partition holds."""
    found = {}
    for path in curated_dir.glob("*/source=*/period=*/data.parquet"):
        dataset, source, period = path.parts[-4], path.parts[-3][7:], path.parts[-2][7:]
        found[(dataset, source, period)] = (curated.partition_metadata(curated_dir, dataset, source, period)
                                            or {}).get("sha256", "")
    return found


def _compare(settings: Settings, staged: Settings) -> None:
    live, remade = _partitions(settings.curated_dir), _partitions(staged.curated_dir)
    lost = sorted(k for k, sha in live.items() if remade.get(k) != sha)
    if lost:
        shown = ", ".join(f"{d} {s} {p}" for d, s, p in lost[:10]) + (" …" if len(lost) > 10 else "")
        raise RotationError(t("rotate.lost", n=len(lost), shown=shown))


def _swap(settings: Settings, staging: Path, new_key: bytes, step: Callable[[str], None]) -> None:
    """Replace the live folders by the staged ones; each step may be repeated after a crash."""
    for name in SWAPPED:
        live, new, old = settings.data_dir / name, staging / name, staging / f"{name}.old"
        if new.exists():
            if live.exists():
                os.replace(live, old)
                step(f"{name}.old")
            os.replace(new, live)
            step(f"{name}.new")
    if settings.demo and not os.environ.get("SAMLA_PSEUDONYM_KEY"):
        key_file = settings.data_dir / DEMO_KEY_FILE  # the demo's key lives beside its data
        atomic.write_text(key_file, new_key.decode("utf-8"), mode=0o600)
    step("swapped")
    _remove(staging)  # before the journal: while it exists, the next rotate_key comes back here
    step("cleaned")
    (settings.data_dir / key_continuity.JOURNAL).unlink(missing_ok=True)


def _remove(staging: Path) -> None:
    link = staging / "raw"
    if link.is_symlink():
        link.unlink()  # never into the real raw archive
    shutil.rmtree(staging, ignore_errors=True)
