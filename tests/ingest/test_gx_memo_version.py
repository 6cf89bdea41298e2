"""gx_memo patches the internals of one GX version: that version is pinned, installed, and no other is patched."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import great_expectations
import pytest
from great_expectations.expectations.expectation import Expectation

from transforms.ingest import gx_memo

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_gx_is_the_version_gx_memo_knows():
    assert great_expectations.__version__ == gx_memo.KNOWN_GX_VERSION, (
        f"great-expectations {great_expectations.__version__} is installed, but gx_memo's patches were read "
        f"against {gx_memo.KNOWN_GX_VERSION}: check them against the new version's source before changing "
        "KNOWN_GX_VERSION and the pin in pyproject.toml"
    )


def test_pyproject_and_the_lock_pin_the_version_gx_memo_knows():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"great-expectations=={gx_memo.KNOWN_GX_VERSION}" in project["project"]["dependencies"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    assert {p["version"] for p in lock["package"] if p["name"] == "great-expectations"} == {gx_memo.KNOWN_GX_VERSION}


def test_another_gx_version_is_refused_loudly_and_left_unpatched(monkeypatch):
    before = Expectation.__dict__["configuration"]
    monkeypatch.setattr(great_expectations, "__version__", "9.9.9")
    monkeypatch.setattr(gx_memo, "_installed", False)
    monkeypatch.setenv("SAMLA_LANGUAGE", "en")
    known = re.escape(gx_memo.KNOWN_GX_VERSION)
    with (
        pytest.raises(gx_memo.GxVersionError, match=rf"written for great-expectations {known}, but 9\.9\.9 is installed"),
        gx_memo.memoised(),
    ):
        pass
    assert Expectation.__dict__["configuration"] is before
    assert gx_memo._installed is False
    monkeypatch.setenv("SAMLA_LANGUAGE", "sv")
    with pytest.raises(gx_memo.GxVersionError, match=rf"skriven för great-expectations {known}, men 9\.9\.9"):
        gx_memo.install()
    with gx_memo.memoised(False):  # GX as shipped asks nothing of the version
        pass
