"""Delivery folders resolved with their parent folder resolved once are what ``Path.resolve`` gives."""

from __future__ import annotations

import os
from pathlib import Path

from transforms.ingest.pipeline import resolver


def test_resolved_as_path_resolve_does(tmp_path, monkeypatch):
    landing = tmp_path / "data" / "raw" / "landing"
    for name in ("0101", "0102", "real"):
        (landing / name).mkdir(parents=True)
    (landing / "linked").symlink_to(landing / "real", target_is_directory=True)
    (tmp_path / "elsewhere").symlink_to(landing, target_is_directory=True)
    (landing / "loop").symlink_to(landing / "loop")
    monkeypatch.chdir(tmp_path / "data")
    paths = [landing / "0101", landing / "linked", landing / "missing", landing / "..", landing / ".",
             tmp_path / "elsewhere" / "0102", tmp_path / "elsewhere" / "linked", Path("raw/landing/0101"),
             Path("raw/landing/linked"), Path("raw") / "landing" / ".." / "landing" / "0102", landing / "loop"]
    resolved = resolver()
    for path in paths * 2:  # the second time from the parents kept
        try:
            expected = path.resolve()
        except (RuntimeError, OSError) as exc:
            expected = type(exc)
        try:
            got = resolved(path)
        except (RuntimeError, OSError) as exc:
            got = type(exc)
        assert got == expected, path
    assert resolved(landing / "linked") == landing / "real" and os.path.isdir(resolved(Path("raw/landing/0101")))
