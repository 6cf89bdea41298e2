"""``samla status``: the latest delivery per source, dataset and period, and the stale sources."""

from __future__ import annotations

import json

from samla_airflow.cli.common import OK, PROBLEMS, period_arg, settings_and_sources, table


def add_parser(sub) -> None:
    status = sub.add_parser("status", help="latest delivery, counts and status per source, dataset and period",
                            description="Per source, dataset and period: the latest delivery, its counts, status "
                                        "and message; and the stale sources.")
    status.add_argument("--period", type=period_arg, metavar="YYYY-MM")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=command)


def command(args) -> int:
    from transforms.ingest import ledger
    from transforms.ingest.pipeline import stale_sources

    settings, config = settings_and_sources()
    frame = ledger.read(settings.ledger_dir)
    if args.period:
        frame = frame[frame["period"] == args.period]
    latest = frame.sort_values("arrived_at").groupby(["source", "dataset", "period"], dropna=False).tail(1)
    rows = latest.sort_values(["source", "period", "dataset"]).to_dict("records")
    stale = stale_sources(settings, config, args.period)
    if args.json:
        print(json.dumps({"deliveries": rows, "stale_sources": stale}, ensure_ascii=False, indent=1, default=str))
    else:
        print(f"Latest delivery per source, dataset and period{' for ' + args.period if args.period else ''}:")
        shown = [{"source": r["source"], "dataset": r["dataset"], "period": r["period"], "file": r["file_name"],
                  "arrived": str(r["arrived_at"])[:16].replace("T", " "), "read": r["rows_read"],
                  "loaded": r["rows_accepted"], "quarantined": r["rows_quarantined"], "status": r["status"],
                  "message": r["message"]} for r in rows]
        print(table(shown, ["source", "dataset", "period", "file", "arrived", "read", "loaded", "quarantined",
                            "status", "message"]))
        print("\nStale sources (no accepted participants snapshot for the period or later):")
        print(table(stale, ["source", "name", "newest_snapshot"]))
    bad = any(r["status"] != "loaded" for r in rows)
    return PROBLEMS if bad else OK
