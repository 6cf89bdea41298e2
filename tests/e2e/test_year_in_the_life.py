"""A year in the life: twelve months through the real DAGs on a PostgreSQL warehouse, read by a reporting role.

Months 1..12 (2024-09..2025-08) of the demo's deliveries of two Fokus IM sources in two federations
(copies of the default project and sources files, trimmed), each landing in its month and run with
``samla run`` in-process (dag.test()), the demo's planted faults included. Göteborg's attendance of
month 2 arrives with a row attended over scheduled (quarantined); in month 4 the corrected file
arrives and month 2 is restated. In month 6 another municipality joins by configuration alone
(other copies of the project and sources files). In month 9 the key is rotated with ``samla rotate-key``. After
every publish a LOGIN role named only in ``SAMLA_REPORTING_ROLE`` reads the published views and is
refused the restricted table. At the end the year's numbers equal a clean run of the final
deliveries (the same transforms, no Airflow, a fresh SQLite warehouse), every delivered file has
its ledger record, and ``publication_log`` holds one entry per publish with the restatement in it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import psycopg
import pytest
import yaml
from airflow_stack import admin_connection
from samla_airflow.cli.run import run_pipeline

from transforms.config import key_continuity
from transforms.config.schema import DATASETS
from transforms.config.settings import (
    DEFAULT_PROJECT,
    DEFAULT_SOURCES,
    default_warehouse_url,
    load_settings,
    pseudonym_key,
)
from transforms.config.sources import load_sources
from transforms.demo.generate import generate
from transforms.ingest import landing
from transforms.ingest.ledger import Ledger
from transforms.ingest.pipeline import ingest_source
from transforms.messages import t
from transforms.period import month_range
from transforms.publish import warehouse
from transforms.publish.pipeline import publish

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MONTHS = month_range("2024-09", "2025-08")
CORRECTION_MONTH, JOIN_MONTH, ROTATION_MONTH = 4, 6, 9  # 1-based, as the story tells them
FAULTY_SOURCE, FAULTY_PERIOD = "1480", MONTHS[1]
FIRST_KEY = "year-in-the-life-first-key-0123456789"
NEW_KEY = "year-in-the-life-rotated-key-9876543210"
# The story's sources: Göteborg (month 2's fault) of Göteborgsregionen and Mark of Sjuhärad.
STORY_SOURCES = (FAULTY_SOURCE, "1463")
# Borås: a real kommunkod Fokus IM does not have, joining the Sjuhärad federation.
JOINER, JOINER_NAME, JOINER_FEDERATION = "1490", "Borås", "SJUHARAD"
READER_VIEWS = ("v_indicators", "v_esf_by_gender", "v_latest_indicators")


# --------------------------------------------------------------------------- the server


@pytest.fixture
def warehouse_and_role():
    """A fresh warehouse database and a LOGIN role with no grants of its own; both dropped at the end."""
    admin = admin_connection()
    suffix = secrets.token_hex(6)
    database, role = f"samla_year_{suffix}", f"samla_reader_{suffix}"
    admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}", database, role
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def reader_sees(database: str, role: str) -> set[str]:
    """The periods the reporting role reads in v_indicators; it reads every view and is refused the restricted table."""
    with psycopg.connect(host="127.0.0.1", port=5432, user=role, dbname=database, autocommit=True,
                         connect_timeout=5) as conn:
        for view in READER_VIEWS:
            conn.execute(f"SELECT count(*) FROM {view}").fetchone()
        periods = {p for (p,) in conn.execute("SELECT DISTINCT period FROM v_indicators")}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM restricted.indicator_values_restricted")
    return periods


# --------------------------------------------------------------------------- the deliveries


def configuration(folder: Path, joined: bool) -> tuple[Path, Path]:
    """Copies of the default project and sources files trimmed to the story's sources, the joiner in or not.

    The year's cost is per delivered file: two sources in two federations tell the whole story.
    """
    document = yaml.safe_load(DEFAULT_PROJECT.read_text(encoding="utf-8"))
    federations = []
    for federation in document["project"]["federations"]:
        kept = {k: name for k, name in federation["municipalities"].items() if k in STORY_SOURCES}
        if joined and federation["code"] == JOINER_FEDERATION:
            kept[JOINER] = JOINER_NAME
        if kept:
            federations.append(federation | {"municipalities": kept})
    document["project"]["federations"] = federations
    assert len(federations) == 2, federations
    sources = yaml.safe_load(DEFAULT_SOURCES.read_text(encoding="utf-8"))
    sources["sources"] = [s for s in sources["sources"] if s["id"] in STORY_SOURCES]
    assert sorted(s["id"] for s in sources["sources"]) == sorted(STORY_SOURCES)
    if joined:
        sources["sources"].append({"id": JOINER, "name": JOINER_NAME, "municipalities": [JOINER],
                                   "delivery": {"folder": f"raw/landing/{JOINER}"},
                                   "steward": {"name": "Nils Åberg", "email": "fokus@boras.example"}})
    name = "joined" if joined else "before"
    paths = folder / f"project-{name}.yaml", folder / f"sources-{name}.yaml"
    for path, content in zip(paths, (document, sources), strict=True):
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return paths


class Delivery(NamedTuple):
    source: str
    dataset: str
    period: str
    path: Path  # relative to a data folder: raw/landing/<source>/<file>


def by_month(manifest: dict) -> dict[tuple[str, str], list[Delivery]]:
    """(source, period) -> its deliveries, as the generator wrote them."""
    root = manifest["data_dir"]
    out: dict[tuple[str, str], list[Delivery]] = {}
    for sid, files in manifest["files"].items():
        for (period, dataset), path in zip(itertools.product(manifest["periods"], DATASETS), files, strict=True):
            assert period in path.name or period.replace("-", "") in path.name, path
            out.setdefault((sid, period), []).append(Delivery(sid, dataset, period, path.relative_to(root)))
    return out


def plant_over_scheduled(good: Path, faulty: Path) -> int:
    """Month 2's fault: the first pupil of an attendance file attended 90 minutes more than scheduled.

    The row is quarantined, the rest loads; returns the row's scheduled minutes, which the
    corrected file brings into month 2's attendance rate.
    """
    header, first, *rest = good.read_text(encoding="utf-8").splitlines(keepends=True)
    names, cells = header.rstrip("\r\n").split(","), first.rstrip("\r\n").split(",")
    scheduled = int(cells[names.index("scheduled_min")])
    assert scheduled > 0, "the first pupil was scheduled"
    cells[names.index("attended_min")] = str(scheduled + 90)
    faulty.parent.mkdir(parents=True)
    faulty.write_text("".join([header, ",".join(cells) + first[len(first.rstrip("\r\n")):], *rest]), encoding="utf-8")
    return scheduled


def attendance_rate(restricted: pd.DataFrame) -> dict:
    """Month 2's unsuppressed attendance rate of the faulty source's municipality, all genders."""
    cell = restricted[(restricted["period"] == FAULTY_PERIOD) & (restricted["area_code"] == FAULTY_SOURCE)
                      & (restricted["indicator"] == "ATTENDANCE_RATE") & (restricted["gender"] == "all")]
    (row,) = cell.to_dict("records")
    return row


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Landing:
    """Deliveries copied into a data folder's landing folders, and what was delivered."""

    def __init__(self, data: Path):
        self.data = data
        self.delivered: list[tuple[str, str, str, str]] = []  # source, dataset, period, checksum
        self.final: dict[Delivery, Path] = {}  # the folder each file's last delivery came from

    def land(self, deliveries: list[Delivery], supply: Path) -> None:
        for d in deliveries:
            target = self.data / d.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(supply / d.path, target)
            self.delivered.append((d.source, d.dataset, d.period, sha256(target)))
            self.final[d] = supply


def samla(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samla_airflow.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def run_months(first: str, last: str) -> str:
    out = io.StringIO()
    run_pipeline(first, last, [], out=out)  # exit 1 in months with planted faults: checked below instead
    text = out.getvalue()
    assert t("run.failed_tasks", tasks="").strip() not in text, text
    return text


def clean_run() -> None:
    """The reference: every final delivery ingested at once by the same transforms (no Airflow), one publish."""
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)
    key = pseudonym_key(settings)
    for source in config.sources.values():
        ingest_source(settings, source, key, landing.candidate_files(source.delivery.folder))
    assert publish(settings, config)["published"]


def published(url: str, table: str = "indicator_values") -> pd.DataFrame:
    return warehouse.read_table(url, table)


# --------------------------------------------------------------------------- the year


def test_a_year_in_the_life(airflow_db, warehouse_and_role, tmp_path, monkeypatch):
    started = time.monotonic()
    took: dict[str, float] = {}
    url, database, role = warehouse_and_role
    data = tmp_path / "data"
    data.mkdir()
    project_before, sources_before = configuration(tmp_path, joined=False)
    project, sources = configuration(tmp_path, joined=True)

    # The whole year's deliveries, drawn once with the joining municipality in it (its files land
    # from month 6 on), the demo's planted faults included; month 2's fault is planted here.
    monkeypatch.setenv("SAMLA_PROJECT", str(project))
    supply, faulty = tmp_path / "supply", tmp_path / "supply-faulty"
    files = by_month(generate(load_sources(sources, supply), supply, MONTHS))
    monkeypatch.delenv("SAMLA_PROJECT")
    (fault,) = [d for d in files[(FAULTY_SOURCE, FAULTY_PERIOD)] if d.dataset == "attendance"]
    minutes = plant_over_scheduled(supply / fault.path, faulty / fault.path)

    monkeypatch.setenv("SAMLA_DATA_DIR", str(data))
    monkeypatch.setenv("SAMLA_WAREHOUSE_URL", url)
    monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", FIRST_KEY)
    monkeypatch.setenv("SAMLA_REPORTING_ROLE", role)
    monkeypatch.setenv("SAMLA_PROJECT", str(project_before))
    monkeypatch.setenv("SAMLA_SOURCES", str(sources_before))
    year = Landing(data)
    active = sorted(load_sources(sources_before, data).sources)
    before_correction = after_correction = None

    for month, period in enumerate(MONTHS, start=1):
        first = period
        if month == JOIN_MONTH:  # configuration alone: no code, no DAG file changes
            monkeypatch.setenv("SAMLA_PROJECT", str(project))
            monkeypatch.setenv("SAMLA_SOURCES", str(sources))
            active = [*active, JOINER]
        if month == ROTATION_MONTH:
            ledger_files = {p: p.read_bytes() for p in (data / "ledger").rglob("*.json")}
            rotation = time.monotonic()
            out = samla("rotate-key", env=dict(os.environ) | {"SAMLA_NEW_PSEUDONYM_KEY": NEW_KEY})
            assert out.returncode == 0, out.stdout + out.stderr
            took["rotate-key"] = time.monotonic() - rotation
            monkeypatch.setenv("SAMLA_PSEUDONYM_KEY", NEW_KEY)
            assert key_continuity.stored(data / "curated") == key_continuity.fingerprint(NEW_KEY.encode())
            assert {p: p.read_bytes() for p in (data / "ledger").rglob("*.json")} == ledger_files, \
                "rotation touched the ledger"
        for sid in active:
            due = files[(sid, period)]
            year.land([d for d in due if d != fault], supply)
            year.land([d for d in due if d == fault], faulty)
        if month == CORRECTION_MONTH:
            year.land([fault], supply)
            first = FAULTY_PERIOD  # the operator runs from the re-delivered month on
            before_correction = published(url, "indicator_values_restricted")

        run_months(first, period)

        log = published(url, "publication_log")
        assert len(log) == month, f"month {month} ({period}): {len(log)} publications"
        assert reader_sees(database, role) == set(MONTHS[:month]), f"month {month} ({period})"
        if month == CORRECTION_MONTH:
            after_correction = published(url, "indicator_values_restricted")

    # (3) One publication per month; the correction of month 2 restated it, and says so.
    log = published(url, "publication_log")
    assert log["entry_no"].tolist() == list(range(1, 13))
    for month, entry in enumerate(log.to_dict("records"), start=1):
        periods, inputs = entry["periods"].split(","), json.loads(entry["inputs"])
        assert max(periods) == MONTHS[month - 1], entry
        assert {(i["period"], i["change"]) for i in inputs} >= {(MONTHS[month - 1], "new")}, entry
    restatement = log.to_dict("records")[CORRECTION_MONTH - 1]
    assert FAULTY_PERIOD in restatement["periods"].split(",")
    assert {"source": FAULTY_SOURCE, "dataset": "attendance", "period": FAULTY_PERIOD, "file_name": fault.path.name,
            "change": "replaced"} in json.loads(restatement["inputs"]), restatement["inputs"]
    joined = log.to_dict("records")[JOIN_MONTH - 1]
    assert {(i["source"], i["change"]) for i in json.loads(joined["inputs"])} >= {(JOINER, "new")}
    before, after = (attendance_rate(frame) for frame in (before_correction, after_correction))
    assert after["denominator"] == before["denominator"] + minutes and after["persons"] == before["persons"] + 1

    # (2) No ledger record lost: every delivered file, and nothing else, is in the ledger.
    records = Ledger(data / "ledger").counted()
    assert len(year.delivered) == len(set(year.delivered)) == len(records)
    assert set(records[["source", "dataset", "period", "file_sha256"]].itertuples(index=False, name=None)) \
        == set(year.delivered)
    assert set(records["source"]) == {*STORY_SOURCES, JOINER}

    # (1) A clean run of the final deliveries, under the final key, into a fresh SQLite warehouse.
    clean = tmp_path / "clean"
    again = Landing(clean)
    for delivery, supplied in year.final.items():
        again.land([delivery], supplied)
    assert again.final[fault] == supply
    monkeypatch.setenv("SAMLA_DATA_DIR", str(clean))
    monkeypatch.delenv("SAMLA_WAREHOUSE_URL")
    monkeypatch.delenv("SAMLA_REPORTING_ROLE")
    clean_started = time.monotonic()
    clean_run()
    took["clean run"] = time.monotonic() - clean_started
    clean_url = default_warehouse_url(clean)
    for table in ("indicator_values", "indicator_values_restricted"):
        pd.testing.assert_frame_equal(published(url, table), published(clean_url, table), obj=table)
    final = published(url)
    assert set(final.loc[~final["suppressed"].astype(bool), "period"]) == set(MONTHS), \
        "every month compares published numbers, not only suppressed cells"
    assert reader_sees(database, role) == set(MONTHS)

    took["in all"] = time.monotonic() - started
    print("\na year in the life, wall time: " + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()))

