"""``samla config check``: every fault of the sources and project files at once, or a summary per source.

Exit 2 with every fault (each naming the source and key), or 0 with "ok" and
one line per source. The same checks stop a faulty source's task in the DAGs.
"""

from __future__ import annotations

from samla_airflow.cli.common import OK, USAGE
from transforms.messages import t


def add_parser(sub) -> None:
    config = sub.add_parser("config", help=t("cli_help.config"),
                            description=t("cli_help.config.description"))
    actions = config.add_subparsers(dest="action", required=True, metavar=t("cli_help.metavar.action"))
    check = actions.add_parser("check", help=t("cli_help.config.check"),
                               description=t("cli_help.config.check.description"))
    check.set_defaults(func=command)


def _delivery(source) -> str:
    if source.delivery.folder is not None:
        return str(source.delivery.folder)
    return f"sftp {source.delivery.sftp_conn_id}:{source.delivery.sftp_path}"


def summary_line(source) -> str:
    from transforms.messages import t

    kinds = sorted({d.format.kind or t("config.check.detected") for d in source.datasets.values()})
    return t("config.check.source", label=source.label, municipalities=", ".join(source.municipalities),
             delivery=_delivery(source), kind="/".join(kinds), steward=source.steward_email
             or t("config.check.no_steward"))


def command(args) -> int:
    from samla_airflow.settings_bridge import export_airflow_settings
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.messages import t

    export_airflow_settings()
    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir, strict=False)
    faults = config.all_faults
    if faults:
        print(t("config.check.faults", n=len(faults), sources=settings.sources_file))
        for fault in faults:
            print(f"  - {fault}")
        print(t("config.check.fix"))
        return USAGE
    project = config.project
    assert project is not None, "a faulty project file is among the faults"
    print(t("config.check.ok", n=len(config.sources), project=project.name, first=project.first_period,
            last=project.last_period, municipalities=len(project.municipalities)))
    for source in config.sources.values():
        print("  " + summary_line(source))
    return OK
