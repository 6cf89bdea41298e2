"""``samla demo``: sample deliveries for every source, ingested and published through the real DAGs.

``--deliver-only`` fills the landing folders and stops (for ``make airflow``);
``--scale F`` multiplies Fokus IM's pupils; ``--municipalities/--regions/
--pupils/--months`` (or ``--national``) generate a whole project instead, with
its sources file under ``<data>/config/``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from samla_airflow.cli.common import period_range_arg, periods_between, table
from samla_airflow.cli.run import run_pipeline
from transforms.messages import t

PROJECT_ARGUMENTS = ("municipalities", "regions", "pupils", "months")
GENDERS_SHOWN = ("all", "female", "male", "nonbinary")  # the summary's columns, after the area


def add_parser(sub) -> None:
    demo = sub.add_parser("demo", help=t("cli_help.demo"),
                          description=t("cli_help.demo.description"))
    demo.add_argument("--data-dir", metavar=t("cli_help.metavar.data_dir"), help=t("cli_help.demo.data_dir"))
    demo.add_argument("--periods", type=period_range_arg, metavar=t("cli_help.metavar.periods"),
                      help=t("cli_help.demo.periods"))
    demo.add_argument("--deliver-only", action="store_true",
                      help=t("cli_help.demo.deliver_only"))
    demo.add_argument("--scale", type=_positive(float), default=1.0, metavar="F",
                      help=t("cli_help.demo.scale"))
    generated = demo.add_argument_group(
        t("cli_help.demo.generated"), t("cli_help.demo.generated_description"))
    generated.add_argument("--municipalities", type=_positive(int), metavar="N")
    generated.add_argument("--regions", type=_positive(int), metavar="R", help=t("cli_help.demo.regions"))
    generated.add_argument("--pupils", type=_positive(int), metavar="P", help=t("cli_help.demo.pupils"))
    generated.add_argument("--months", type=_positive(int), metavar="K", help=t("cli_help.demo.months"))
    generated.add_argument("--national", action="store_true",
                           help=t("cli_help.demo.national"))
    demo.set_defaults(func=command, prepare=prepare)


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(t("usage.not_a_number", text=repr(text))) from None
        if value <= 0:
            raise argparse.ArgumentTypeError(t("usage.not_positive", text=repr(text)))
        return value

    return parse


def prepare(args) -> None:
    """Demo mode and the data folder, before settings are read."""
    os.environ["SAMLA_DEMO"] = "1"
    if args.data_dir:
        os.environ["SAMLA_DATA_DIR"] = str(Path(args.data_dir).resolve())


def _project_arguments(args) -> dict[str, int] | None:
    given = {k: getattr(args, k) for k in PROJECT_ARGUMENTS if getattr(args, k) is not None}
    if not (args.national or given):
        return None
    if not args.national and "municipalities" not in given:
        from samla_airflow.cli.common import UsageError

        raise UsageError(t("usage.needs_municipalities"))
    from transforms.demo.scale import NATIONAL

    defaults = NATIONAL if args.national else {k: NATIONAL[k] for k in ("pupils", "months")}
    chosen = {**defaults, **given}
    chosen.setdefault("regions", min(chosen["municipalities"], 21))
    return chosen


def command(args) -> int:
    from transforms.config.settings import DEMO_KEY_FILE, load_settings
    from transforms.ingest import steward_pages

    data_dir = Path(os.environ["SAMLA_DATA_DIR"])
    project = _project_arguments(args)
    if project:
        manifest, env = _generated_project(project, data_dir, args.scale)
    else:
        manifest, env = _fokus(args, data_dir), ""
    first, last = manifest["periods"][0], manifest["periods"][-1]
    for fault in manifest["faults"]:
        print(t("demo.planted_fault", **{k: fault[k] for k in ("source", "dataset", "period", "description")}))
    files = sum(len(f) for f in manifest["files"].values())
    rows = sum(n for per in manifest["rows"].values() for d in per.values() for n in d.values())
    settings = load_settings()
    print(t("demo.delivered", files=files, rows=rows, landing=settings.landing_dir))
    if args.deliver_only:
        print(t("demo.next_steps", env=env, first=first, last=last, key_file=data_dir / DEMO_KEY_FILE))
        return 0
    status = run_pipeline(first, last, [])
    print_summary(settings)
    print(t("demo.where_to_look", curated=settings.curated_dir, ledger=settings.ledger_dir,
            quarantine=settings.quarantine_dir, steward_pages=settings.data_dir / steward_pages.FOLDER,
            archive=settings.archive_dir, landing=settings.landing_dir,
            warehouse=settings.warehouse_url, published=settings.published_dir, reports=settings.reports_dir))
    return status


def _fokus(args, data_dir: Path) -> dict:
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.demo.generate import default_periods, generate

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir)
    assert config.project is not None, "a sources file loads with its project"
    periods = periods_between(*args.periods) if args.periods else default_periods(config.project)
    first, last = periods[0], periods[-1]
    print(t("demo.generating", sources=len(config.sources), first=first, last=last, data_dir=data_dir))
    return generate(config, data_dir, periods, scale=args.scale)


def _generated_project(project: dict[str, int], data_dir: Path, scale: float) -> tuple[dict, str]:
    """Write the project's sources file and deliveries; the rest of the command runs under it."""
    from samla_airflow.cli.common import UsageError
    from transforms.demo import scale as generator

    try:
        generated = generator.project(project["municipalities"], project["regions"],
                                      round(project["pupils"] * scale), project["months"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if os.environ.get("SAMLA_PROJECT"):
        print(t("demo.project_env_ignored", path=os.environ.pop("SAMLA_PROJECT")))
    sources_file = data_dir / "config" / "sources.yaml"
    print(t("demo.project_written", path=sources_file, municipalities=project["municipalities"],
            regions=project["regions"], pupils=project["pupils"], months=project["months"]))
    print(t("demo.generating", sources=project["municipalities"], first=generated.periods[0],
            last=generated.periods[-1], data_dir=data_dir))
    path, _, manifest = generator.deliver(generated, data_dir)
    os.environ["SAMLA_SOURCES"] = str(path)  # settings, the DAGs and the project are read at run time
    return manifest, t("demo.export_sources", path=path)


def print_summary(settings, out=None) -> None:
    """EECO01 (participants) by gender per federation and region for the latest published period."""
    from transforms.publish.warehouse import read_table

    out = out or sys.stdout  # read when called: a default bound at import would keep an old stream

    try:
        values = read_table(settings.warehouse_url, "indicator_values")
    except Exception as exc:  # nothing published yet
        print(t("demo.nothing_published", error=type(exc).__name__), file=out)
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
    from transforms.messages import language
    from transforms.publish.dictionary import GENDER_NAMES  # (Swedish, English) of each gender code

    named = {"area": t("demo.col.area")} | {g: GENDER_NAMES[g][language() != "sv"] for g in GENDERS_SHOWN}
    print(t("demo.summary_title", period=latest, threshold=settings.suppression_threshold), file=out)
    print(table([{named[k]: v for k, v in r.items()} for r in rows], list(named.values())), file=out)
