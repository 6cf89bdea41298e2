"""``samla demo``: sample deliveries for every source, ingested and published through the real DAGs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from samla_airflow.cli.common import periods_between, table
from samla_airflow.cli.run import run_pipeline


def add_parser(sub) -> None:
    demo = sub.add_parser("demo", help="sample deliveries for the ten municipalities, ingest and publish them",
                          description="Generate sample deliveries for every source, run ingestion and publication "
                                      "through the real DAGs, and print where the results are. Uses demo mode "
                                      "(a local pseudonymisation key).")
    demo.add_argument("--data-dir", help="data folder (default: SAMLA_DATA_DIR or ./data)")
    demo.add_argument("--periods", default="2024-09:2025-02", help="FIRST:LAST periods (default 2024-09:2025-02)")
    demo.set_defaults(func=command, prepare=prepare)


def prepare(args) -> None:
    """Demo mode and the data folder, before settings are read."""
    os.environ["SAMLA_DEMO"] = "1"
    if args.data_dir:
        os.environ["SAMLA_DATA_DIR"] = str(Path(args.data_dir).resolve())


def command(args) -> int:
    data_dir = Path(os.environ["SAMLA_DATA_DIR"])
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.demo import sample_data

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)
    first, last = args.periods.split(":")
    periods = periods_between(first, last)
    print(f"Samla demo: sample deliveries for {len(config.sources)} sources, {first}..{last}, in {data_dir}")
    manifest = sample_data.generate(config, data_dir, periods)
    for fault in manifest.get("faults", []):
        print(f"  planted fault: {fault['source']} {fault['dataset']} {fault['period']}: {fault['description']}")
    status = run_pipeline(first, last, [])
    print_summary(settings)
    print(f"""
Where to look:
  curated Parquet   {settings.curated_dir}/<dataset>/source=<id>/period=<YYYY-MM>/data.parquet
  load ledger       {settings.ledger_dir}  (or: samla status)
  quarantine        {settings.quarantine_dir}  (or: samla quarantine SOURCE PERIOD)
  raw archive       {settings.archive_dir}  (as delivered: {settings.landing_dir}; the only personnummer)
  warehouse         {settings.warehouse_url}
  published files   {settings.published_dir}
  fund report       {settings.reports_dir}""")
    return status


def print_summary(settings, out=sys.stdout) -> None:
    """EECO01 (participants) by gender per federation and region for the latest published period."""
    from transforms.publish.warehouse import read_table

    try:
        values = read_table(settings.warehouse_url, "indicator_values")
    except Exception as exc:  # nothing published yet
        print(f"\n(no published indicators yet: {type(exc).__name__})", file=out)
        return
    if values.empty:
        return
    latest = values["period"].max()
    cells = values[(values["period"] == latest) & (values["indicator"] == "EECO01")
                   & (values["area_level"] != "municipality")]
    rows = []
    for area, group in cells.groupby("area_code", sort=False):
        shown = {g: (".." if s else f"{v:.0f}") for g, v, s in zip(group["gender"], group["value"], group["suppressed"],
                                                                    strict=True)}
        rows.append({"area": area, **shown})
    print(f"\nEECO01 participants by gender, {latest} (.. = suppressed, fewer than "
          f"{settings.suppression_threshold} pupils or protecting such a cell):", file=out)
    print(table(rows, ["area", "all", "female", "male", "nonbinary"]), file=out)
