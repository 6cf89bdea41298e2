"""``samla check FILE``: one export file through exactly the pipeline's parsing and rules; stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

from samla_airflow.cli import show
from samla_airflow.cli.common import (
    OK,
    PROBLEMS,
    UsageError,
    cell,
    period_arg,
    settings_and_sources,
)
from transforms.config.schema import DATASETS
from transforms.messages import t
from transforms.messages.steward_words import dataset_name, rule_title
from transforms.names import shown


def add_parser(sub) -> None:
    check = sub.add_parser("check", help=t("cli_help.check"), description=t("cli_help.check.description"))
    check.add_argument("file", metavar=t("cli_help.metavar.file"))
    check.add_argument("--source", required=True, metavar="ID")
    check.add_argument("--dataset", choices=DATASETS)
    check.add_argument("--period", type=period_arg, metavar=t("cli_help.metavar.month"))
    check.add_argument("--json", action="store_true", help=t("cli_help.json"))
    check.set_defaults(func=command)


def command(args) -> int:
    from samla_airflow.pre_check import CheckRefused, check_file
    from transforms.ingest.landing import identify

    settings, config = settings_and_sources()
    source = config.get(args.source)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(t("usage.file_missing", path=path))
    dataset, period, _ = identify(source, path.name)
    dataset, period = args.dataset or dataset, args.period or period
    beside = _participants_beside(source, path, period) if dataset != "participants" and period else None
    try:
        checked = check_file(source, path, dataset=args.dataset, period=args.period, beside=beside)
    except CheckRefused as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(checked.report, ensure_ascii=False, indent=1))
    else:
        ctx = checked.ctx
        _print(path, source, ctx.dataset, ctx.period, checked.result, checked.report, checked.beside,
               checked.snapshot)
    return OK if checked.passed else PROBLEMS


def _print(path, source, dataset, period, result, report, beside, snapshot) -> None:
    out = show.console()
    from transforms.ingest.parse import format_for_reader

    out.print(show.Text(f"{shown(path.name)}: {source.label}, {dataset_name(dataset)}, {period} "
                        f"({format_for_reader(result.detected_format) or t('cli.check.unreadable')})", style="bold"))
    loaded = t("cli.check.rows_would_load", n=result.rows_accepted)
    if result.status == "rejected":
        verdict = t("cli.check.would_reject", message=result.message)
    elif result.rows_quarantined:
        verdict = t("cli.check.would_load_some", loaded=loaded,
                    quarantined=t("cli.check.rows_would_hold", n=result.rows_quarantined))
    else:
        verdict = t("cli.check.would_load", loaded=loaded)
    out.print(show.Text("  " + verdict, style=show.STATUS_STYLE.get(result.status, "")))
    for warning in result.warnings:
        out.print(f"  {t('cli.field.warning')}: {warning}")
    # Rows held back only because the whole file was rejected say nothing new: count them.
    own = [p for p in report["problems"] if p["rule"] != result.rule]
    held = len({p["source_row"] for p in report["problems"]} - {p["source_row"] for p in own})
    if own:
        table = show.table([
            ("cli.col.row", {"justify": "right"}), ("cli.col.column", {"overflow": "fold", "max_width": 24}),
            ("cli.col.rule", {"overflow": "fold", "max_width": 26}), ("cli.col.value", {"overflow": "fold", "max_width": 16}),
            ("cli.col.problem", {"ratio": 1, "overflow": "fold"})])
        for p in own:
            value = t("value.hidden_person") if p["value"] is None and p["column"] == "person_id" else cell(p["value"])
            table.add_row(cell(p["source_row"]), cell(p.get("header") or p["column"]), rule_title(p["rule"]), value,
                          cell(p["description"]))
        out.print(table)
    if held:
        out.print("  " + t("cli.check.held_with_file", n=held, other=t("cli.check.other") if own else "",
                           rule=rule_title(result.rule)))
    if dataset != "participants" and (result.status != "rejected" or result.rule == "too_many_failing_rows"):
        out.print("  " + (t("cli.check.beside", file=beside.name) if snapshot is not None else t("cli.check.no_beside")))


def _participants_beside(source, path: Path, period: str) -> Path | None:
    """The newest participants file of the same source and period in the same folder, if any."""
    from transforms.ingest.landing import candidate_files, identify

    found = [p for p in candidate_files(path.parent)
             if p != path and identify(source, p.name)[:2] == ("participants", period)]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None
