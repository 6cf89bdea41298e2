"""``samla warehouse upgrade``: bring the reporting warehouse's schema to the current revision.

Publishing does the same by itself; the command lets an operator upgrade before the next run (or
check that nothing is left to do) and says from which revision to which.
"""

from __future__ import annotations

from samla_airflow.cli.common import OK
from transforms.messages import t


def add_parser(sub) -> None:
    parser = sub.add_parser("warehouse", help=t("cli_help.warehouse"),
                            description=t("cli_help.warehouse.description"))
    actions = parser.add_subparsers(dest="action", required=True, metavar=t("cli_help.metavar.action"))
    upgrade = actions.add_parser("upgrade", help=t("cli_help.warehouse.upgrade"),
                                 description=t("cli_help.warehouse.upgrade.description"))
    upgrade.set_defaults(func=command)


def revision_label(done) -> str:
    from transforms.publish.warehouse.migrate import BASE

    if done.stamped:
        return t("warehouse.revision_unversioned", base=BASE)
    return done.before or t("warehouse.revision_none")


def command(args) -> int:
    import sqlalchemy as sa

    from samla_airflow.settings_bridge import export_airflow_settings
    from transforms.config.settings import load_settings
    from transforms.publish import warehouse

    export_airflow_settings()
    settings = load_settings()
    done = warehouse.upgrade(settings.warehouse_url, reporting_role=settings.reporting_role)
    url = sa.engine.make_url(settings.warehouse_url).render_as_string(hide_password=True)
    if done.changed:
        print(t("warehouse.upgraded", url=url, before=revision_label(done), after=done.after))
    else:
        print(t("warehouse.current", url=url, after=done.after))
    if settings.reporting_role:
        sqlite = sa.engine.make_url(settings.warehouse_url).get_backend_name() == "sqlite"
        print(t("warehouse.no_grants_sqlite" if sqlite else "warehouse.granted", role=settings.reporting_role))
    return OK
