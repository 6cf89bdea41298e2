"""``samla quarantine SOURCE PERIOD``: the quarantined rows of the newest delivery of each dataset."""

from __future__ import annotations

import json

from samla_airflow.cli.common import OK, PROBLEMS, period_arg, settings_and_sources, table
from transforms.config.schema import DATASETS


def add_parser(sub) -> None:
    quarantine = sub.add_parser("quarantine", help="the quarantined rows of a source and period with their rules",
                                description="The quarantined rows of the newest delivery of each dataset of a source "
                                            "and period, with every rule each row broke.")
    quarantine.add_argument("source", metavar="SOURCE")
    quarantine.add_argument("period", type=period_arg, metavar="PERIOD")
    quarantine.add_argument("--dataset", choices=DATASETS)
    quarantine.add_argument("--json", action="store_true")
    quarantine.set_defaults(func=command)


def command(args) -> int:
    from transforms.ingest import curated, ledger
    settings, config = settings_and_sources()
    source = config.get(args.source)
    records = ledger.read(settings.ledger_dir, source.id)
    records = records[records["period"] == args.period]
    if args.dataset:
        records = records[records["dataset"] == args.dataset]
    newest = records.sort_values("arrived_at").groupby("dataset").tail(1)
    quarantine = curated.read_quarantine(settings.quarantine_dir, source.id)
    rows = quarantine[quarantine["file_sha256"].isin(set(newest["file_sha256"]))
                      & (quarantine["period"] == args.period)]
    rows = rows.sort_values(["dataset", "source_row", "column"], kind="stable")
    if args.json:
        print(json.dumps(rows.to_dict("records"), ensure_ascii=False, indent=1, default=str))
    else:
        print(f"Quarantined rows of {source.label}, {args.period} (newest delivery of each dataset):")
        print(table(rows.to_dict("records"), ["dataset", "file_name", "source_row", "column", "rule", "value",
                                              "description"]))
    return PROBLEMS if len(rows) else OK
