"""The steward's pages in headless Chromium at a phone's width: drawn (not blank), nothing asked of the network.

With ``SAMLA_DOCS_SCREENSHOTS=1`` the screenshots are kept in docs/img/ (the README's pictures).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest
from screenshots import keep_for_docs
from steward_files import PERIOD, checked, ledger_row, participants_rows, source

from transforms.ingest.steward_pages import render_file_page, render_source_page

CHROMIUM = "/usr/bin/chromium"
PHONE = 390  # CSS pixels: a common phone's width
pytestmark = pytest.mark.browser


def _chromium() -> str:
    if not shutil.which(CHROMIUM):
        message = "STEWARD PAGE CHECK NOT RUN: /usr/bin/chromium missing — apt-get install -y chromium"
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    return CHROMIUM


def _shoot(page: Path, shot: Path, tmp_path: Path, height: int) -> tuple[str, list[str]]:
    """Screenshot ``page`` at a phone's width and dump its DOM; (DOM, network URLs asked for)."""
    net_log = tmp_path / f"net-{page.stem}.json"
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / ('profile-' + page.stem)}",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", f"--window-size={PHONE},{height}"]
    shooting = subprocess.run([*flags, f"--log-net-log={net_log}", f"--screenshot={shot}", page.as_uri()],
                              capture_output=True, text=True, timeout=180)
    assert shot.is_file(), shooting.stderr[-2000:]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180)
    urls = re.findall(r'"url":"([^"]+)"', net_log.read_text(encoding="utf-8", errors="replace"))
    asked = [u for u in urls if u.startswith(("http:", "https:", "ws:", "wss:"))
             and not any(h in u.split("/")[2] for h in ("google.com", "googleapis.com", "gvt1.com"))]
    return dom.stdout, asked


def _keep(shot: Path) -> None:
    keep_for_docs(shot, f"img/{shot.name}")


def test_the_file_page_at_a_phones_width(tmp_path, monkeypatch):
    monkeypatch.delenv("SAMLA_LANGUAGE", raising=False)
    rows = participants_rows()
    rows[2]["Startdatum"] = "2024-13-04"
    rows[5]["Kön"] = "W"
    rows[9]["Kön"] = "Kvinna"
    ctx, result = checked(tmp_path, rows)
    page = tmp_path / "steward-page.html"
    page.write_text(render_file_page(ctx, result, arrived_at="2025-02-03T09:15:00+00:00",
                                     data_docs_href="teknisk.html", source_index_href="index.html"), encoding="utf-8")
    shot = tmp_path / "steward-page.png"
    dom, asked = _shoot(page, shot, tmp_path, 1300)
    assert asked == [], f"the page asked the network for {asked[:5]}"
    assert "Okänd kod: Kön" in dom and "Felaktigt datum: Startdatum" in dom
    assert shot.stat().st_size > 20_000, "a blank screenshot"  # an empty white page compresses to a few kB
    _keep(shot)


def test_the_source_page_at_a_phones_width(tmp_path):
    records = pd.DataFrame([
        ledger_row(f"participants_{PERIOD}.csv", "participants", PERIOD, "2025-02-01T08:00:00+00:00", "loaded", "a"),
        ledger_row(f"attendance_{PERIOD}.csv", "attendance", PERIOD, "2025-02-02T08:00:00+00:00", "rejected", "b"),
        ledger_row(f"attendance_{PERIOD} rättad.csv", "attendance", PERIOD, "2025-02-04T08:00:00+00:00", "loaded", "c"),
        ledger_row("survey_2024-12.csv", "survey", "2024-12", "2025-01-05T08:00:00+00:00", "loaded", "d"),
    ])
    page = tmp_path / "steward-source.html"
    page.write_text(render_source_page(source(tmp_path), records, {"a" * 64: "a.html", "c" * 64: "c.html"}),
                    encoding="utf-8")
    shot = tmp_path / "steward-source.png"
    dom, asked = _shoot(page, shot, tmp_path, 900)
    assert asked == [] and "Ja: den här leveransen gäller" in dom
    assert shot.stat().st_size > 15_000, "a blank screenshot"
    _keep(shot)
