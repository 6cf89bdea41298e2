"""A Data Docs page as Chromium draws it: one column with content from the left edge, the file named on top.

GX's layout keeps its left column for a navigation that needs GX's scripts; without them the left
half of the page stayed blank. The check is on the screenshot's pixels.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from deliveries import people, write_csv
from png import read_png
from screenshots import keep_for_docs

from transforms.config.sources import parse_sources
from transforms.ingest.data_docs import write_page
from transforms.ingest.file_context import FileContext
from transforms.ingest.pipeline import evaluate_file

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 1600


def _page(tmp_path: Path) -> Path:
    src = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"], "delivery": {"folder": str(tmp_path / "in")}}]},
                        tmp_path).get("s1")
    rows = [{"person_id": p, "activity": "mi", "date": "2025-01-10", "hours": "2"} for p in people(12, seed=5)]
    rows[1]["activity"], rows[2]["date"], rows[3]["hours"] = "yoga", "2025-13-04", "14"
    path = write_csv(tmp_path / "Aktiviteter januari 2025.csv", rows)
    result = evaluate_file(path, FileContext(src, "activities", "2025-01", path.name, "a" * 64), b"k" * 32, None,
                           membership=False)
    return write_page(tmp_path / "docs", result.validation, "s1", "activities", "2025-01", "a" * 64, path.name,
                      result.quarantine)


def test_the_page_has_content_in_its_left_half(tmp_path):
    if not shutil.which(CHROMIUM):
        warnings.warn("SKIPPED LOUDLY: Chromium is missing; install it with `apt-get install -y chromium`",
                      stacklevel=1)
        pytest.skip("Chromium missing at /usr/bin/chromium: apt-get install -y chromium")
    page = _page(tmp_path)
    shot = tmp_path / "data-docs.png"
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars",
         f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=240)
    assert shot.exists(), run.stderr[-2000:]
    keep_for_docs(shot, "img/data-docs.png")
    image = read_png(shot)
    assert image.shape[:2] == (HEIGHT, WIDTH)
    ink = (image[..., :3] < 235).any(axis=2)  # anything drawn on the white page
    left = ink[:, :WIDTH // 2]
    # GX's own layout drew the left half's first lines only (its heading): about 2 % of the pixel rows.
    assert left.any(axis=1).mean() > 0.4, f"the left half is mostly blank ({left.any(axis=1).mean():.0%} rows drawn)"
    assert ink[:80, :WIDTH // 4].any(), "the title line starts at the top left"
