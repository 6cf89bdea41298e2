"""Changing the pseudonym key on purpose (issue 11.6): curated data and quarantine re-made from the raw archive.

Everything is rebuilt under the new key in a staging folder first and compared
with what is live; only when every live partition was re-made from the same
delivery are the folders swapped. A journal makes the swap resumable: a run
refuses while it exists, and ``rotate_key`` started again finishes the swap.
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


class RotationError(ValueError):
    """The rotation cannot be done safely; nothing live was changed."""


def rotate_key(settings: Settings, config, old_key: bytes, new_key: bytes,
               progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Re-pseudonymise curated and quarantine data under ``new_key``; returns partition and source counts."""
    from transforms.ingest.pipeline import ingest_source  # the same ingestion, under the new key

    journal = settings.data_dir / key_continuity.JOURNAL
    if journal.exists():  # an interrupted swap: the staging folder is complete, finish it
        _swap(settings, Path(json.loads(journal.read_text(encoding="utf-8"))["staging"]), new_key)
        return {"partitions": len(_partitions(settings.curated_dir)), "sources": len(config.sources)}
    known = key_continuity.stored(settings.curated_dir)
    if known is not None and known != key_continuity.fingerprint(old_key):
        raise RotationError(t("rotate.old_key_wrong"))
    if key_continuity.fingerprint(new_key) == key_continuity.fingerprint(old_key):
        raise RotationError(t("rotate.same_key"))
    staging = settings.data_dir / "staging" / f"rotate-{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    try:
        (staging / "raw").symlink_to(settings.raw_dir.resolve(), target_is_directory=True)  # the archive, read only
        staged = dataclasses.replace(settings, data_dir=staging)
        for source in config.sources.values():
            if progress:
                progress(t("rotate.source", source=source.id))
            ingest_source(staged, source, new_key, [])
        _compare(settings, staged)
        key_continuity.store(staged.curated_dir, new_key)
        (staging / "quarantine").mkdir(exist_ok=True)
    except BaseException:
        _remove(staging)
        raise
    journal.write_text(json.dumps({"staging": str(staging)}), encoding="utf-8")
    _swap(settings, staging, new_key)
    return {"partitions": len(_partitions(settings.curated_dir)), "sources": len(config.sources)}


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


def _swap(settings: Settings, staging: Path, new_key: bytes) -> None:
    """Replace the live folders by the staged ones; each step may be repeated after a crash."""
    for name in SWAPPED:
        live, new, old = settings.data_dir / name, staging / name, staging / f"{name}.old"
        if new.exists():
            if live.exists():
                os.replace(live, old)
            os.replace(new, live)
    if settings.demo and not os.environ.get("SAMLA_PSEUDONYM_KEY"):
        key_file = settings.data_dir / DEMO_KEY_FILE  # the demo's key lives beside its data
        atomic.write_text(key_file, new_key.decode("utf-8"), mode=0o600)
    (settings.data_dir / key_continuity.JOURNAL).unlink(missing_ok=True)
    _remove(staging)


def _remove(staging: Path) -> None:
    link = staging / "raw"
    if link.is_symlink():
        link.unlink()  # never into the real raw archive
    shutil.rmtree(staging, ignore_errors=True)
