"""``samla quarantine SOURCE PERIOD``: one line per rejected file, then one line per quarantined row
(row number in the file, the file's own header, rule, value, and for a cascade the participants row behind it)."""

from __future__ import annotations

import json

from samla_airflow.cli import show
from samla_airflow.cli.common import OK, PROBLEMS, cell, period_arg, plain, settings_and_sources
from transforms.config.schema import DATASETS
from transforms.messages import t
from transforms.messages.steward_words import dataset_name, rule_title
from transforms.names import shown


def add_parser(sub) -> None:
    quarantine = sub.add_parser("quarantine", help=t("cli_help.quarantine"),
                                description=t("cli_help.quarantine.description"))
    quarantine.add_argument("source", metavar=t("cli_help.metavar.source"))
    quarantine.add_argument("period", type=period_arg, metavar="PERIOD")
    quarantine.add_argument("--dataset", choices=DATASETS)
    quarantine.add_argument("--json", action="store_true")
    quarantine.set_defaults(func=command)


def command(args) -> int:
    settings, config = settings_and_sources()
    source = config.get(args.source)
    rows, rejected, own, roots = held_back(settings, source.id, args.period, args.dataset)
    if args.json:
        shown = own.drop(columns=["person"], errors="ignore").to_dict("records")
        for record, index in zip(shown, own.index, strict=True):
            record["cause"] = roots.get(index)
        print(json.dumps({"rejected_files": rejected.to_dict("records"), "rows": shown},
                         ensure_ascii=False, indent=1, default=str))
    else:
        _print(source, args.period, rejected, own, roots)
    return PROBLEMS if len(rows) or len(rejected) else OK


def held_back(settings, source_id: str, period: str, dataset: str | None = None):
    """(every quarantined row of the newest deliveries, the rejected files, the rows listed one by one,
    cascade roots by row index): what ``samla quarantine`` shows, for the command and the portal."""
    from transforms.ingest import curated
    from transforms.ingest.explain import cascade_roots, newest_deliveries
    from transforms.ingest.ledger import Ledger

    records = Ledger(settings.ledger_dir).counted(source_id)
    records = records[records["period"] == period]
    if dataset:
        records = records[records["dataset"] == dataset]
    newest = newest_deliveries(records)
    everything = curated.read_quarantine(settings.quarantine_dir, source_id)
    rows = everything[everything["file_sha256"].isin(set(newest["file_sha256"]))
                      & (everything["period"] == period)] if len(everything) else everything
    rows = rows.sort_values(["dataset", "source_row", "column"], kind="stable") if len(rows) else rows
    roots = cascade_roots(rows, everything)
    rejected = newest[newest["status"] == "rejected"].sort_values("dataset")
    return rows, rejected, _own_faults(rows, rejected), roots


def _own_faults(rows, rejected):
    """Rows listed one by one: not those held only because their whole file was rejected."""
    if rows.empty:
        return rows
    file_level = rows["file_sha256"].isin(set(rejected["file_sha256"])) & rows["column"].isna()
    return rows[~file_level]


def _print(source, period, rejected, own, roots) -> None:
    out = show.console()
    out.print(t("cli.quarantine.title", source=source.label, period=period), style="bold")
    if rejected.empty and own.empty:
        out.print(t("cli.quarantine.none"))
        return
    if not rejected.empty:
        files = show.table([
            ("cli.col.dataset", {"no_wrap": True}), ("cli.col.file", {"no_wrap": True}),
            ("cli.col.read", {"justify": "right"}), ("cli.col.message", {"ratio": 1, "overflow": "fold"})])
        for r in rejected.to_dict("records"):
            files.add_row(dataset_name(r["dataset"]), show.name(r["file_name"]), cell(r["rows_read"]), cell(r["message"]))
        show.print_table(out, t("cli.quarantine.rejected_title"), files)
    if own.empty:
        return
    # The file is the newest delivery of its dataset (named in the title of each dataset's rows).
    table = show.table([
        ("cli.col.dataset", {"no_wrap": True}), ("cli.col.row", {"justify": "right"}),
        ("cli.col.column", {"overflow": "fold", "max_width": 18}),
        ("cli.col.rule", {"overflow": "fold", "max_width": 26}), ("cli.col.value", {"overflow": "fold", "max_width": 12}),
        ("cli.col.problem", {"ratio": 1, "overflow": "fold", "min_width": 34})])
    for line in row_lines(own, roots):
        table.add_row(*line)
    show.print_table(out, t("cli.quarantine.rows_title"), table)
    named = dict.fromkeys(zip(own["dataset"], own["file_name"], strict=True))  # each file once, in order
    out.print(show.Text(", ".join(f"{dataset_name(dataset)}: {shown(name)}" for dataset, name in named), style="dim"))


def row_lines(own, roots) -> list[tuple[str, str, str, str, str, str]]:
    """(dataset, row, headers, rules, values, problems) per quarantined row, as plain text: a row that
    broke several rules lists them together, a cascade names the participants row behind it."""
    lines = []
    for (_, _, row), group in own.groupby(["dataset", "file_name", "source_row"], sort=False, dropna=False):
        first = group.iloc[0]
        problems = []
        for index, fault in group.iterrows():
            problem = cell(fault["description"])
            if index in roots:
                root = roots[index]
                problem += "; " + t("cli.quarantine.cause", file=shown(root["file_name"]), row=int(root["source_row"]),
                                    problem=cell(root["description"]))
            problems.append(problem)
        lines.append((dataset_name(first["dataset"]), "" if plain(row) is None else str(int(row)),
                      _joined(group, "header"), _titles(group), _values(group), "; ".join(problems)))
    return lines


def _joined(group, column: str) -> str:
    return "; ".join(dict.fromkeys(cell(v) for v in group[column] if cell(v))) if column in group else ""


def _titles(group) -> str:
    """The rules a row broke, by their titles (the ids are in --json)."""
    return "; ".join(dict.fromkeys(rule_title(cell(v)) for v in group["rule"] if cell(v)))


def _values(group) -> str:
    values = []
    for fault in group.to_dict("records"):
        if "person_id" in (cell(fault["column"]) or "").split(","):
            values.append(t("value.hidden_person"))
        elif cell(fault["value"]):
            values.append(cell(fault["value"]))
    return "; ".join(dict.fromkeys(values))
