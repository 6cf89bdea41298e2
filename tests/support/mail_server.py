"""A real SMTP server (aiosmtpd) on a free local port for the e-mail tests, and readers of what it got."""

from __future__ import annotations

import email
import json
import socket
import time
from contextlib import contextmanager
from email import policy


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def smtp_conn(port: int) -> str:
    return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                       "extra": {"disable_tls": True, "disable_ssl": True, "retry_limit": 0, "timeout": 10}})


@contextmanager
def running_smtp_server(monkeypatch):
    """The server, with AIRFLOW_CONN_SMTP_DEFAULT pointing at it (no TLS, no login); yields what it collects."""
    from aiosmtpd.controller import Controller

    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_conn(port))
    monkeypatch.delenv("SAMLA_SMTP_CONN_ID", raising=False)
    monkeypatch.setenv("SAMLA_MAIL_FROM", "samla@gr.example")
    try:
        yield handler
    finally:
        controller.stop()


def html_of(envelope) -> str:
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    return message.get_body(preferencelist=("html",)).get_content()


def subject_of(envelope) -> str:
    return email.message_from_bytes(envelope.content, policy=policy.default)["Subject"]


def wait_for(handler, n: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while len(handler.envelopes) < n and time.monotonic() < deadline:
        time.sleep(0.05)
