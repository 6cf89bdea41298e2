"""``samla status``: the latest delivery per source, dataset and period; datasets missing or rejected;
stale sources. ``--file NAME`` shows one delivery in full."""

from __future__ import annotations

import json

from samla_airflow.cli import show
from samla_airflow.cli.common import OK, PROBLEMS, cell, period_arg, settings_and_sources
from transforms.clock import local_time
from transforms.messages import t
from transforms.messages.steward_words import dataset_name
from transforms.names import shown

MESSAGE_WIDTH = 90  # characters of a message in the table; the full text: --file or --json


def add_parser(sub) -> None:
    status = sub.add_parser("status", help=t("cli_help.status"),
                            description=t("cli_help.status.description"))
    status.add_argument("--period", type=period_arg, metavar=t("cli_help.metavar.month"))
    status.add_argument("--source", metavar="ID", help=t("cli_help.status.source"))
    status.add_argument("--problems", action="store_true", help=t("cli_help.status.problems"))
    status.add_argument("--file", metavar=t("cli_help.metavar.name"), help=t("cli_help.status.file"))
    status.add_argument("--json", action="store_true", help=t("cli_help.status.json"))
    status.set_defaults(func=command)


def command(args) -> int:
    from transforms.ingest.ledger import Ledger
    from transforms.upkeep.rotation import pending

    settings, config = settings_and_sources()
    rotation = pending(settings.data_dir)  # first: a half-swapped rotation explains missing curated data
    if args.source:
        config.get(args.source)  # raises naming the known ids
    if args.file:
        frame = Ledger(settings.ledger_dir).counted(args.source)
        return _one_file(frame[(frame["file_name"] == args.file) | (frame["file_name"].map(shown) == args.file)], args)
    rows, states, stale, period = overview(settings, config, args.source, args.period, args.problems)
    if args.json:
        print(json.dumps({"deliveries": rows, "dataset_status": states, "stale_sources": stale,
                          "key_rotation": rotation}, ensure_ascii=False, indent=1, default=str))
    else:
        if rotation:
            show.console().print(show.Text(rotation, style="bold red"))
        _print(rows, states, stale, period, args)
    bad = any(r["status"] != "loaded" for r in rows) or bool(states) or bool(rotation)
    return PROBLEMS if bad else OK


def overview(settings, config, source: str | None = None, period: str | None = None, problems_only: bool = False):
    """(newest delivery per source, dataset and period; datasets missing or rejected; stale sources; the
    period the dataset states are for): what ``samla status`` shows, for the command and the portal."""
    from transforms.ingest.explain import newest_deliveries
    from transforms.ingest.ledger import Ledger
    from transforms.ingest.pipeline import stale_sources
    from transforms.publish.completeness import dataset_status, problems

    frame = Ledger(settings.ledger_dir).counted(source)
    if period:
        frame = frame[frame["period"] == period]
    latest = newest_deliveries(frame)
    if problems_only:
        latest = latest[latest["status"] != "loaded"]
    rows = latest.sort_values(["source", "period", "dataset"]).to_dict("records")
    shown_period = period or (str(frame["period"][frame["period"] != ""].max()) if len(frame) else None)
    sources = [source] if source else list(config.sources)
    # indicators.md dataset_status, derived from the ledger exactly as publication does
    states = problems(dataset_status(Ledger(settings.ledger_dir).counted(), sources, [shown_period])).to_dict("records") \
        if shown_period else []
    stale = [s for s in stale_sources(settings, config, period) if not source or s["source"] == source]
    return rows, states, stale, shown_period


def _print(rows, states, stale, period, args) -> None:
    out = show.console()
    scope = "".join(t(f"cli.status.scope_{k}", **{k: v}) for k, v in
                    (("period", args.period), ("source", args.source), ("problems", None)) if v or
                    (k == "problems" and args.problems))
    deliveries = show.table([
        ("cli.col.source", {"no_wrap": True}), ("cli.col.dataset", {"no_wrap": True}),
        ("cli.col.period", {"no_wrap": True}), ("cli.col.file", {"no_wrap": True}),
        ("cli.col.read", {"justify": "right"}), ("cli.col.loaded", {"justify": "right"}),
        ("cli.col.quarantined", {"justify": "right"}), ("cli.col.status", {"no_wrap": True}),
        ("cli.col.message", {"ratio": 1, "overflow": "fold"})])
    shortened = False
    for r in rows:
        message = show.shorten(r["message"], MESSAGE_WIDTH)
        shortened |= message != " ".join(cell(r["message"]).split())
        deliveries.add_row(r["source"], dataset_name(r["dataset"]), r["period"] or "", show.name(r["file_name"]),
                           cell(r["rows_read"]), cell(r["rows_accepted"]), cell(r["rows_quarantined"]),
                           show.status(r["status"]), message)
    if rows:
        show.print_table(out, t("cli.status.title", scope=scope), deliveries)
    else:
        out.print(t("cli.status.title", scope=scope), style="bold")
        out.print(t("common.none"))
    if shortened:
        out.print(t("cli.status.shortened"), style="dim")
    if states:
        table = show.table([
            ("cli.col.source", {"no_wrap": True}), ("cli.col.dataset", {"no_wrap": True}),
            ("cli.col.state", {}), ("cli.col.file", {"overflow": "fold"})])
        for s in states:
            state = ("cli.status.dataset_missing" if s["state"] == "missing" else
                     "cli.status.dataset_rejected" if s["dataset"] == "participants" else
                     "cli.status.dataset_rejected_nothing")
            table.add_row(s["source"], dataset_name(s["dataset"]), show.Text(t(state), style="red"), show.name(s["file_name"]))
        show.print_table(out, t("cli.status.datasets_title", period=period), table)
    if stale:
        table = show.table([
            ("cli.col.source", {}), ("cli.col.name", {}), ("cli.col.newest_snapshot", {})])
        for s in stale:
            table.add_row(s["source"], s["name"], s["newest_snapshot"] or "–")
        show.print_table(out, t("cli.status.stale_title"), table)


def _one_file(records, args) -> int:
    from transforms.ingest.parse import format_for_reader

    if records.empty:
        from samla_airflow.cli.common import UsageError

        raise UsageError(t("cli.status.no_file", name=args.file))
    records = records.sort_values("arrived_at", kind="stable")
    if args.json:
        print(json.dumps(records.to_dict("records"), ensure_ascii=False, indent=1, default=str))
        return PROBLEMS if (records["status"] != "loaded").any() else OK
    out = show.console()
    for r in records.to_dict("records"):
        out.print(show.Text(t("cli.status.file_title", file=shown(r["file_name"]), source=r["source"],
                              dataset=dataset_name(r["dataset"]), period=r["period"] or "?"), style="bold"))
        fields = [("cli.field.status", show.status(r["status"])),
                  ("cli.field.counts", t("cli.field.counts_value", read=r["rows_read"], loaded=r["rows_accepted"],
                                         quarantined=r["rows_quarantined"])),
                  ("cli.field.message", cell(r["message"])),
                  *[("cli.field.warning", w) for w in (r.get("warnings") or [])],
                  ("cli.field.headers", ", ".join(f"{h} → {c}" for c, h in (r.get("headers") or {}).items())),
                  ("cli.field.arrived", local_time(r["arrived_at"])),
                  ("cli.field.processed", local_time(r["processed_at"])),
                  ("cli.field.format", format_for_reader(cell(r["detected_format"]))),
                  ("cli.field.data_docs", cell(r.get("data_docs"))),
                  ("cli.field.checksum", cell(r["file_sha256"]))]
        grid = show.Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for key, value in fields:
            if value:
                grid.add_row(t(key), value)
        out.print(grid)
        out.print()
    return PROBLEMS if (records["status"] != "loaded").any() else OK
