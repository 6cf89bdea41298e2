"""Sample deliveries: the population's rows, faults planted, written into every landing folder.

    generate(config, data_dir, periods) -> manifest

Personnummer are generated at run time (valid Luhn check digit, real birth
date); a fixed seed makes a run reproducible. Nothing generated is committed.
With ``faults=True`` the documented faults (``faults.FAULTS``: a handful of
faulty rows and exactly one faulty file) are planted, and the manifest says
which (file and data row numbers, never the personnummer), so stewards in the
demo have something real to act on.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.config.project import Project
from transforms.config.schema import DATASET_COLUMNS, DATASETS
from transforms.config.sources import Source, SourcesConfig
from transforms.demo import faults as fault_table
from transforms.demo.population import Population
from transforms.demo.rendering import write_delivery
from transforms.demo.rows import DATASET_ROWS
from transforms.period import Period

DEMO_MONTHS = 6  # by default the sample deliveries cover the project's first half year
# Sources whose exports list the columns in their own order.
SHUFFLED_COLUMNS = {"1384", "1442"}


def default_periods(project: Project) -> list[str]:
    """The months the sample deliveries cover unless told: the project's first ``DEMO_MONTHS``."""
    return [str(p) for p in Period.range(*project.window)[:DEMO_MONTHS]]


def columns(source: Source, dataset: str, shuffled: Collection[str] = SHUFFLED_COLUMNS) -> list[str]:
    """The canonical columns in the order the source's export writes them."""
    names = [c.name for c in DATASET_COLUMNS[dataset]]
    if source.id in shuffled:
        rest = names[1:]
        random.Random(f"columns:{source.id}:{dataset}").shuffle(rest)
        names = names[:1] + rest
    if len(source.municipalities) > 1:
        names = ["kommunkod", *names]
    return names


def _source_rows(source: Source, dataset: str, rows: list[int]) -> list[int]:
    """Data row numbers as row numbers of the file itself (the header's row + n)."""
    header_row = source.datasets[dataset].format.header_row or 1
    return [header_row + r for r in rows]


def _folder(source: Source, data_dir: Path) -> Path:
    # SFTP sources get a local outbox in the landing area.
    folder = source.delivery.folder or data_dir / "raw" / "landing" / source.id
    resolved = folder.resolve()
    if not resolved.is_relative_to(data_dir):
        raise ValueError(
            f"source {source.id!r}: delivery folder {folder} lies outside data_dir {data_dir}; "
            "load the sources file with the same data_dir"
        )
    return resolved


def generate(
    sources_config: SourcesConfig,
    data_dir: Path,
    periods: list[str] | None = None,
    seed: int = 7,
    faults: bool = True,
    scale: float = 1.0,
    *,
    sizes: Mapping[str, int] | None = None,
    styles: Mapping[str, str] | None = None,
    shuffled: Collection[str] = SHUFFLED_COLUMNS,
) -> dict:
    """Write every source's deliveries for every period into its delivery folder.

    Returns the manifest::

        {"data_dir": Path, "periods": [...], "seed": int,
         "files": {source_id: [Path, ...]},          # every file written, in order
         "rows": {source_id: {dataset: {period: n}}}, # data rows per file
         "faults": [{"source", "dataset", "period", "file": Path,
                     "level": "row" | "file", "rule", "rows", "source_rows",
                     "description", ["cascade": [{"dataset", "file", "rows", "source_rows"}]]}]}

    ``rows`` count data rows (the first row under the header is 1);
    ``source_rows`` are the same rows as rows of the file (header row + n:
    line numbers for CSV, sheet rows for xlsx), as the quarantine reports them.
    ``rule`` names the rule the pipeline reports. A ``cascade`` lists the rows
    that follow a quarantined participants row. No fault carries a
    personnummer. ``sizes`` (participants per kommunkod) and ``scale`` (a
    multiplier of every size) set the population; ``styles`` (personnummer
    style per source) and ``shuffled`` (sources writing their columns in their
    own order) the export habits. Federations come from the sources' project.
    """
    data_dir = Path(data_dir).resolve()
    project = sources_config.project
    assert project is not None, "the demo is generated from a sources file whose project loaded"
    months = [Period.parse(p) for p in (periods or default_periods(project))]
    folders = {sid: _folder(source, data_dir) for sid, source in sources_config.sources.items()}
    federation_of = {k: m.federation for k, m in project.municipalities.items()}
    pop = Population(sources_config.sources, months, seed, federation_of, sizes, scale, styles)
    frames = fault_table.Frames()
    for sid, source in sources_config.sources.items():
        for period in months:
            for dataset in DATASETS:
                frames.rows[(sid, dataset, str(period))] = DATASET_ROWS[dataset](pop, source, period)
    planted = fault_table.plant(pop, frames, sources_config, months, seed) if faults else []

    manifest: dict[str, Any] = {
        "data_dir": data_dir,
        "periods": [str(p) for p in months],
        "seed": seed,
        "files": {},
        "rows": {},
        "faults": [],
    }
    paths: dict[tuple[str, str, str], Path] = {}
    for sid, source in sources_config.sources.items():
        manifest["files"][sid] = []
        manifest["rows"][sid] = {d: {} for d in DATASETS}
        for period in manifest["periods"]:
            for dataset in DATASETS:
                key = (sid, dataset, period)
                frame = pd.DataFrame(frames.rows[key], columns=columns(source, dataset, shuffled))
                frame = frame.rename(columns=frames.renamed.get(key, {}))
                paths[key] = write_delivery(source, dataset, period, frame, folders[sid])
                manifest["files"][sid].append(paths[key])
                manifest["rows"][sid][dataset][period] = len(frame)
    for fault in planted:
        source = sources_config.get(fault["source"])
        fault["file"] = paths[(fault["source"], fault["dataset"], fault["period"])]
        fault["source_rows"] = _source_rows(source, fault["dataset"], fault["rows"])
        for related in fault.get("cascade", []):
            related["file"] = paths[(fault["source"], related["dataset"], fault["period"])]
            related["source_rows"] = _source_rows(source, related["dataset"], related["rows"])
        manifest["faults"].append(fault)
    return manifest
