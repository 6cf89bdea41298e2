"""``samla portal``: the data stewards' portal on 127.0.0.1; ``samla portal-password EMAIL``: a steward's password."""

from __future__ import annotations

import getpass
import sys

from samla_airflow.cli.common import OK, UsageError, settings_and_sources
from transforms.messages import t

DEFAULT_PORT = 8090


def add_parser(sub) -> None:
    portal = sub.add_parser("portal", help=t("cli_help.portal"), description=t("cli_help.portal.description"))
    portal.add_argument("--host", default="127.0.0.1", help=t("cli_help.portal.host"))
    portal.add_argument("--port", type=int, default=DEFAULT_PORT, help=t("cli_help.portal.port"))
    portal.add_argument("--root-path", default="", help=t("cli_help.portal.root_path"))
    portal.set_defaults(func=serve)
    password = sub.add_parser("portal-password", help=t("cli_help.portal_password"),
                              description=t("cli_help.portal_password.description"))
    password.add_argument("email")
    password.add_argument("--stdin", action="store_true", help=t("cli_help.portal_password.stdin"))
    password.set_defaults(func=set_password)


def serve(args) -> int:
    import uvicorn

    from samla_airflow.portal.app import create_app

    settings_and_sources()  # a faulty setting or sources file stops here, not at the first page
    print(t("cli.portal.serving", url=f"http://{args.host}:{args.port}{args.root_path.rstrip('/')}/"), flush=True)
    # Behind the proxy, the client's address (the log-in limit counts per client) comes from its
    # X-Forwarded-For, trusted from the addresses in FORWARDED_ALLOW_IPS (uvicorn's setting).
    uvicorn.run(create_app(), host=args.host, port=args.port, root_path=args.root_path.rstrip("/"),
                proxy_headers=True, log_level="info")
    return OK


def set_password(args) -> int:
    from samla_airflow.portal import accounts

    settings, config = settings_and_sources()
    email = accounts.normal_email(args.email)
    known = accounts.stewards(config)
    if email not in known:
        raise UsageError(t("cli.portal.not_a_steward", email=args.email, known=", ".join(sorted(known)) or "–"))
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(t("cli.portal.password_prompt", email=email))
        if getpass.getpass(t("cli.portal.password_again")) != password:
            raise UsageError(t("cli.portal.password_mismatch"))
    try:
        path = accounts.set_password(settings.data_dir, email, password)
    except accounts.PasswordRefused as exc:
        raise UsageError(str(exc)) from None
    print(t("cli.portal.password_set", email=email, file=path))
    return OK
