"""The portal's FastAPI app: log-in, the pre-delivery check page, and the status pages of a steward's sources.

Every page but the log-in form needs a session of a steward who is still named in the sources file
and whose password has not changed since; a steward reaches only the sources naming their e-mail
(another source, or one that does not exist, is refused the same way). Every form carries the
session's CSRF token. Uploads are read in bounded chunks into a temporary folder that is removed
when the answer is made: a check writes nothing to the data folder and needs no pseudonym key.

Settings and the sources file are read on each request, so the office's changes (a new steward, a
new password) count at once. The modules that read data are imported inside the handlers: Airflow's
api-server imports this module when it loads the plugin.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from samla_airflow.portal import accounts, sessions
from samla_airflow.portal.accounts import Steward
from samla_airflow.portal.sessions import COOKIE, SESSION_SECONDS, LoginLimiter, Session

MAX_LOGIN_BYTES = 8192  # a log-in form: an e-mail, a password, a token
FORM_OVERHEAD = 64 * 1024  # a check form's fields and part headers beside its two files
# Refused uploads are read to their end (and dropped) up to this many bytes, so the browser gets the
# page saying why rather than a broken connection; a body declared larger is refused unread.
DRAIN_FACTOR = 4
MAX_CHECKS_AT_ONCE = 2  # each check loads a file and runs every rule: the host's memory and cores are shared
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class World:
    """What one request reads: settings, sources, the stewards, the signing secret."""

    settings: Any
    config: Any
    stewards: dict[str, Steward]
    key: bytes

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir


def _world() -> World:
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources

    settings = load_settings()
    config = load_sources(settings.sources_file, settings.data_dir, strict=False)
    return World(settings, config, accounts.stewards(config), sessions.secret(settings.data_dir))


def _prefix(request: Request) -> str:
    """Where the app is mounted (Airflow's url_prefix, or a proxy's root path): every link starts here."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _session(request: Request, world: World) -> Session | None:
    return sessions.unseal(world.key, request.cookies.get(COOKIE))


def _steward(session: Session | None, world: World) -> Steward | None:
    """The steward the session is for, while still named in the sources file and with the same password."""
    if session is None or not session.email:
        return None
    steward = world.stewards.get(session.email)
    stored = accounts.password_hash(world.data_dir, session.email)
    if steward is None or stored is None:
        return None
    import hmac

    return steward if hmac.compare_digest(session.fingerprint, sessions.fingerprint(world.key, stored)) else None


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def _set_session(response: Response, request: Request, world: World, session: Session) -> Response:
    response.set_cookie(COOKIE, sessions.seal(world.key, session), max_age=SESSION_SECONDS,
                        path=_prefix(request) + "/", httponly=True, samesite="strict", secure=_https(request))
    return response


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(_prefix(request) + "/login", status_code=303)


async def _read_small(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` (read no further)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _drain(request: Request, limit: int) -> None:
    """Read and drop the rest of a refused body (up to ``limit`` bytes), so the browser shows the answer."""
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                return
    except Exception:  # the client went away, or the body was already read: nothing left to drop
        return


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


def create_app() -> FastAPI:
    """The portal: its own FastAPI app, mounted under Airflow's api-server or served by ``samla portal``."""
    from samla_airflow.portal import views

    app = FastAPI(title="Samla portal", docs_url=None, redoc_url=None, openapi_url=None)
    limiter = LoginLimiter()
    checks: dict[str, Any] = {}  # the check limiter, made in the event loop on first use

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def refused(request: Request, status: int, message: str, session: Session | None = None,
                who: Steward | None = None) -> HTMLResponse:
        body = [f"<h1>{views.words('portal.refused_title')}</h1>", views.error(message),
                f'<p><a href="{views.attr(_prefix(request))}/">{views.words("portal.back_home")}</a></p>']
        return _html(views.page(message, body, prefix=_prefix(request), who=who.name if who else None,
                                csrf=session.csrf if session and who else None), status)

    def own_source(world: World, steward: Steward, source_id: str):
        """The source, when it is the steward's own; else None (someone else's and unknown alike)."""
        if source_id not in steward.sources:
            return None
        return world.config.sources.get(source_id)

    def access(request: Request, source_id: str, *, upload: bool = False):
        """(world, session, steward, source) for a logged-in steward's own source, else the response that
        refuses: the log-in page (an upload: 401, its body unread), or 403 for a source not theirs."""
        world = _world()
        session = _session(request, world)
        steward = _steward(session, world)
        if steward is None or session is None:
            return refused(request, 401, views.t("portal.login_needed")) if upload else _to_login(request)
        source = own_source(world, steward, source_id)
        if source is None:
            return refused(request, 403, views.t("portal.not_yours"), session, steward)
        return world, session, steward, source

    def login_page(request: Request, session: Session, message: str | None = None, email: str = "",
                   status: int = 200) -> HTMLResponse:
        prefix = _prefix(request)
        form = (f'<form class="box" method="post" action="{views.attr(prefix)}/login">'
                f'<input type="hidden" name="csrf" value="{views.attr(session.csrf)}">'
                f'<label for="email">{views.words("portal.login.email")}</label>'
                f'<input type="email" id="email" name="email" autocomplete="username" required '
                f'value="{views.attr(email)}">'
                f'<label for="password">{views.words("portal.login.password")}</label>'
                f'<input type="password" id="password" name="password" autocomplete="current-password" required>'
                f'<button type="submit">{views.words("portal.login.submit")}</button></form>')
        body = [f"<h1>{views.words('portal.login.title')}</h1>",
                f"<p>{views.words('portal.login.intro')}</p>",
                views.error(message) if message else "", form]
        return _html(views.page(message or "Samla", body, prefix=prefix), status)

    @app.get("/login")
    def login_form(request: Request):
        world = _world()
        session = _session(request, world)
        if _steward(session, world):
            return RedirectResponse(_prefix(request) + "/", status_code=303)
        session = session or sessions.new_session()
        return _set_session(login_page(request, session), request, world, session)

    async def small_form(request: Request) -> dict[str, str] | None:
        """A log-in or log-out form's fields, or None when its body is over the small bound."""
        body = await _read_small(request, MAX_LOGIN_BYTES)
        if body is None:
            return None
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}

    @app.post("/login")
    async def login(request: Request):
        from transforms.messages import t

        world = _world()
        session = _session(request, world)
        fields = await small_form(request)
        if fields is None or not sessions.csrf_ok(session, fields.get("csrf")):
            fresh = sessions.new_session()
            return _set_session(login_page(request, fresh, t("portal.csrf_refused"), status=403), request, world,
                                fresh)
        assert session is not None
        email = accounts.normal_email(fields.get("email", ""))
        client = _client(request)
        if limiter.refused(email, client):
            return login_page(request, session, t("portal.login.limited", minutes=int(limiter.window // 60)),
                              email, 429)
        stored = await run_in_threadpool(accounts.verify, world.data_dir, email, fields.get("password", ""))
        if stored is None or email not in world.stewards:
            limiter.failed(email, client)
            return login_page(request, session, t("portal.login.wrong"), email, 401)
        limiter.succeeded(email)
        fresh = sessions.new_session(email, sessions.fingerprint(world.key, stored))  # a new token at log-in
        return _set_session(RedirectResponse(_prefix(request) + "/", status_code=303), request, world, fresh)

    @app.post("/logout")
    async def logout(request: Request):
        world = _world()
        session = _session(request, world)
        fields = await small_form(request)
        if fields is None or not sessions.csrf_ok(session, fields.get("csrf")):
            from transforms.messages import t

            return refused(request, 403, t("portal.csrf_refused"))
        response = _to_login(request)
        response.delete_cookie(COOKIE, path=_prefix(request) + "/", httponly=True, samesite="strict",
                               secure=_https(request))
        return response

    @app.get("/")
    def home(request: Request):
        world = _world()
        session = _session(request, world)
        steward = _steward(session, world)
        if steward is None or session is None:
            return _to_login(request)
        prefix = _prefix(request)
        items = []
        for source_id in steward.sources:
            source = world.config.sources[source_id]
            base = f"{prefix}/sources/{source_id}"
            items.append(f"<li><b>{views.text(source.label)}</b>: "
                         f'<a href="{views.attr(base)}/check">{views.words("portal.check_link")}</a> · '
                         f'<a href="{views.attr(base)}">{views.words("portal.status_link")}</a></li>')
        body = [f"<h1>{views.words('portal.home.title')}</h1>", f"<p>{views.words('portal.home.intro')}</p>",
                f'<ul class="sources">{"".join(items)}</ul>']
        return _html(views.page(views.t("portal.home.title"), body, prefix=prefix, who=steward.name,
                                csrf=session.csrf))

    def check_form(request: Request, session: Session, steward: Steward, source, message: str | None = None,
                   status: int = 200) -> HTMLResponse:
        from transforms.config.schema import DATASETS
        from transforms.config.settings import load_limits
        from transforms.messages import number

        prefix = _prefix(request)
        options = "".join(f'<option value="{d}">{views.attr(views.dataset_name(d))}</option>' for d in DATASETS)
        limit = number(load_limits().max_bytes)
        form = (f'<form class="box" method="post" enctype="multipart/form-data" '
                f'action="{views.attr(prefix)}/sources/{views.attr(source.id)}/check">'
                f'<input type="hidden" name="csrf" value="{views.attr(session.csrf)}">'
                f'<label for="file">{views.words("portal.check.file")}</label>'
                f'<input type="file" id="file" name="file" required accept=".csv,.txt,.xlsx,.xlsm">'
                f'<p class="hint">{views.words("portal.check.file_hint", pattern=source.delivery.pattern, limit=limit)}</p>'
                f'<label for="participants">{views.words("portal.check.participants")}</label>'
                f'<input type="file" id="participants" name="participants" accept=".csv,.txt,.xlsx,.xlsm">'
                f'<p class="hint">{views.words("portal.check.participants_hint")}</p>'
                f'<label for="dataset">{views.words("portal.check.dataset")}</label>'
                f'<select id="dataset" name="dataset"><option value="">{views.words("portal.check.from_name")}</option>'
                f"{options}</select>"
                f'<label for="period">{views.words("portal.check.period")}</label>'
                f'<input type="text" id="period" name="period" placeholder="{views.words("portal.check.period_hint")}"'
                ' pattern="[0-9]{4}-[0-9]{2}">'
                f'<button type="submit">{views.words("portal.check.submit")}</button></form>')
        body = [f"<h1>{views.words('portal.check.title', source=source.label)}</h1>",
                f"<p>{views.words('portal.check.intro')}</p>", views.error(message) if message else "", form]
        return _html(views.page(views.t("portal.check.title", source=source.label), body, prefix=prefix,
                                who=steward.name, csrf=session.csrf), status)

    @app.get("/sources/{source_id}/check")
    def check_page(request: Request, source_id: str):
        allowed = access(request, source_id)
        if not isinstance(allowed, tuple):
            return allowed
        world, session, steward, source = allowed
        return check_form(request, session, steward, source)

    @app.post("/sources/{source_id}/check")
    async def check(request: Request, source_id: str):
        from samla_airflow.portal.upload import UploadRefused, read_form
        from samla_airflow.pre_check import CheckRefused, check_file
        from transforms.config.schema import DATASETS
        from transforms.config.settings import load_limits
        from transforms.messages import number, t
        from transforms.period import Period, PeriodError

        allowed = access(request, source_id, upload=True)
        if not isinstance(allowed, tuple):
            return allowed
        world, session, steward, source = allowed
        limits = load_limits()
        too_large = t("portal.check.too_large", limit=number(limits.max_bytes), setting="SAMLA_MAX_FILE_BYTES")
        most = 2 * limits.max_bytes + FORM_OVERHEAD
        declared = _declared_length(request)
        if declared is not None and declared > most:
            if declared <= DRAIN_FACTOR * most:
                await _drain(request, DRAIN_FACTOR * most)
            return check_form(request, session, steward, source, too_large, 413)
        with tempfile.TemporaryDirectory(prefix="samla-portal-") as folder:
            try:
                form = await read_form(request.stream(), request.headers.get("content-type", ""), Path(folder),
                                       limits.max_bytes)
            except UploadRefused as exc:
                await _drain(request, DRAIN_FACTOR * most)
                if exc.reason == "too_large":
                    return check_form(request, session, steward, source, too_large, 413)
                return check_form(request, session, steward, source, t("portal.check.malformed"), 400)
            if not sessions.csrf_ok(session, form.fields.get("csrf")):
                return refused(request, 403, t("portal.csrf_refused"), session, steward)
            if "file" not in form.files:
                return check_form(request, session, steward, source, t("portal.check.no_file"), 400)
            dataset = form.fields.get("dataset", "").strip() or None
            period = form.fields.get("period", "").strip() or None
            if dataset is not None and dataset not in DATASETS:
                return check_form(request, session, steward, source, t("portal.check.malformed"), 400)
            if period is not None:
                try:
                    period = str(Period.parse(period))
                except PeriodError as exc:
                    return check_form(request, session, steward, source, str(exc), 400)
            if "checks" not in checks:
                import anyio

                checks["checks"] = anyio.CapacityLimiter(MAX_CHECKS_AT_ONCE)
            try:
                import anyio.to_thread

                checked = await anyio.to_thread.run_sync(
                    lambda: check_file(source, form.files["file"], dataset=dataset, period=period,
                                       beside=form.files.get("participants")),
                    limiter=checks["checks"])
            except CheckRefused as exc:
                return check_form(request, session, steward, source, str(exc), 400)
            from transforms.ingest.steward_pages import render_file_page

            prefix = _prefix(request)
            document = render_file_page(checked.ctx, checked.result, check=True,
                                        source_index_href=f"{prefix}/sources/{source.id}")
        again = (f'<p><a href="{views.attr(prefix)}/sources/{views.attr(source.id)}/check">'
                 f'{views.words("portal.check.again")}</a></p>')
        return _html(views.with_bar(document, prefix, steward.name, session.csrf, again))

    @app.get("/sources/{source_id}")
    def status_page(request: Request, source_id: str):
        from samla_airflow.cli.status import overview

        allowed = access(request, source_id)
        if not isinstance(allowed, tuple):
            return allowed
        world, session, steward, source = allowed
        rows, states, stale, period = overview(world.settings, world.config, source.id)
        prefix = _prefix(request)
        base = f"{prefix}/sources/{source.id}"
        body = [f"<h1>{views.words('portal.status.title', source=source.label)}</h1>",
                f'<p><a href="{views.attr(base)}/check">{views.words("portal.check_link")}</a></p>']
        body += views.status_sections(rows, states, stale, period, base)
        return _html(views.page(views.t("portal.status.title", source=source.label), body, prefix=prefix,
                                who=steward.name, csrf=session.csrf))

    @app.get("/sources/{source_id}/quarantine/{period}")
    def quarantine_page(request: Request, source_id: str, period: str):
        from samla_airflow.cli.quarantine import held_back
        from transforms.period import Period, PeriodError

        allowed = access(request, source_id)
        if not isinstance(allowed, tuple):
            return allowed
        world, session, steward, source = allowed
        try:
            period = str(Period.parse(period))
        except PeriodError as exc:
            return refused(request, 404, str(exc), session, steward)
        _, rejected, own, roots = held_back(world.settings, source.id, period)
        prefix = _prefix(request)
        body = [f"<h1>{views.words('cli.quarantine.title', source=source.label, period=period)}</h1>",
                f'<p><a href="{views.attr(prefix)}/sources/{views.attr(source.id)}">'
                f'{views.words("portal.status_link")}</a></p>']
        body += views.quarantine_sections(rejected, own, roots)
        return _html(views.page(views.t("cli.quarantine.title", source=source.label, period=period), body,
                                prefix=prefix, who=steward.name, csrf=session.csrf))

    return app
