"""The console's FastAPI application: sign-in, security headers, error pages, and the
pages of :mod:`discreet.console.pages`.

Sign-in: user name and password (Argon2id) -> first time, enrol an authenticator (a QR
code rendered here) and receive one-time recovery codes; afterwards, a TOTP code or a
recovery code -> a full session. Every step issues a new session token. Failures of
either factor count towards the lock-out (see :mod:`discreet.console.accounts`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from discreet.audit import LegalBasis, Outcome
from discreet.console import activity, totp
from discreet.console.errors import CsrfRejected, SessionExpired, SignInFailed
from discreet.console.pages import pages_router
from discreet.console.services import ConsoleServices
from discreet.console.sessions import Session, Stage
from discreet.console.web import COOKIE, LOGIN_COOKIE, Web, redirect, set_cookie
from discreet.errors import DiscreetError

Csrf = Annotated[str, Form(max_length=200)]
"""The form's CSRF token (the session's, or the sign-in form's cookie)."""
Code = Annotated[str, Form(max_length=64)]
"""An authenticator or recovery code."""

SECURITY_HEADERS = {
    # No inline script or style anywhere: scripts and styles come from /static only.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SIGN_IN_FAILED = (
    "Sign-in failed. Check your user name and password. After repeated failures an "
    "account is locked for a while."
)


def create_console_app(services: ConsoleServices) -> FastAPI:
    """The console over `services` (see :func:`discreet.console.open_console_services`)."""
    web = Web(services)
    app = FastAPI(title="discreet console", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.exception_handler(SessionExpired)
    async def _expired(_request: Request, _exc: SessionExpired) -> Response:
        return redirect("/login?ended=1")

    @app.exception_handler(DiscreetError)
    async def _refused(request: Request, exc: DiscreetError) -> Response:
        return web.render(
            request, "error.html", status=exc.http_status, message=exc.message, code=exc.code
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # Name the fields, never echo what was typed into them.
        fields = sorted({str(err["loc"][-1]) for err in exc.errors() if err.get("loc")})
        message = "Missing or malformed: " + (", ".join(fields) or "the request") + "."
        return web.render(request, "error.html", status=400, message=message, code="invalid")

    @app.exception_handler(Exception)
    async def _crashed(request: Request, _exc: Exception) -> Response:
        # No stack trace, no value: the page says only that it failed. This answer
        # leaves through the outermost middleware, past `_headers`: set them here.
        page = web.render(
            request,
            "error.html",
            status=500,
            message="Something went wrong; nothing more is shown here. Try again.",
            code="internal_error",
        )
        page.headers.update(SECURITY_HEADERS)
        return page

    app.mount(
        "/static",
        StaticFiles(packages=[("discreet.console", "static")]),
        name="static",
    )

    def audit_sign_in(username: str, action: str, outcome: Outcome) -> None:
        ctx = activity.staff_context(
            username, activity.ADMINISTRATION, LegalBasis.LEGITIMATE_INTERESTS
        )
        activity.record(services.audit, services.tenant, ctx, action, outcome=outcome)

    def login_page(
        request: Request, *, error: str | None = None, status: int = 200, notice: str = ""
    ) -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        response = web.render(
            request, "login.html", status=status, login_csrf=token, error=error, notice=notice
        )
        set_cookie(response, request, LOGIN_COOKIE, token)
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, ended: int = 0) -> Response:
        session = services.sessions.get(request.cookies.get(COOKIE), touch=False)
        if session is not None and session.stage is Stage.FULL:
            return redirect("/")
        notice = "Your session has ended. Sign in again." if ended else ""
        return login_page(request, notice=notice)

    @app.post("/login", response_class=HTMLResponse)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=1000)] = "",
        csrf: Csrf = "",
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not csrf or not expected or not secrets.compare_digest(csrf, expected):
            raise CsrfRejected("the sign-in form expired or was not sent from this site; reload")
        name = username.strip().lower()
        try:
            account = services.accounts.check_password(name, password)
        except SignInFailed:
            known = any(a.username == name for a in services.accounts.accounts())
            audit_sign_in(name if known else "unknown", "console.sign_in", Outcome.DENIED)
            return login_page(request, error=SIGN_IN_FAILED, status=401)
        if account.enrolled:
            token = services.sessions.create(account.id, Stage.MFA)
            response = redirect("/login/mfa")
        else:
            token = services.sessions.create(
                account.id, Stage.ENROL, pending_secret=totp.new_secret()
            )
            response = redirect("/login/enrol")
        set_cookie(response, request, COOKIE, token)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    def form_session(request: Request, stage: Stage, csrf: str) -> Session:
        """The session at ``stage`` that sent this form, its CSRF token checked."""
        session = web.session(request, stage=stage)
        if not csrf or not secrets.compare_digest(csrf, session.csrf_token):
            raise CsrfRejected("the form's security token is missing or wrong; reload")
        return session

    def enrol_page(
        request: Request, session: Session, *, error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        secret = session.pending_totp_secret or ""
        uri = totp.provisioning_uri(secret, session.username)
        # The QR code is SVG made here from our own URI: safe to embed as markup.
        qr = Markup(totp.qr_svg(uri))
        return web.render(
            request,
            "enrol.html",
            session=session,
            qr=qr,
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            error=error,
            status=status,
        )

    def end_if_locked(request: Request, session: Session) -> Response | None:
        account = services.accounts.by_id(session.user_id)
        if account is None or account.locked_at(services.accounts.now()):
            services.sessions.end(request.cookies.get(COOKIE, ""))
            audit_sign_in(session.username, "console.sign_in", Outcome.DENIED)
            return login_page(request, error=SIGN_IN_FAILED, status=401)
        return None

    @app.get("/login/enrol", response_class=HTMLResponse)
    def enrol_form(request: Request) -> Response:
        return enrol_page(request, web.session(request, stage=Stage.ENROL))

    @app.post("/login/enrol", response_class=HTMLResponse)
    def enrol(request: Request, code: Code = "", csrf: Csrf = "") -> Response:
        session = form_session(request, Stage.ENROL, csrf)
        if session.pending_totp_secret is None:  # pragma: no cover - made with one
            raise SessionExpired()
        codes = services.accounts.enrol(session.user_id, session.pending_totp_secret, code)
        if codes is None:
            locked = end_if_locked(request, session)
            return locked or enrol_page(
                request, session, error="That code is not right. Try the current one.", status=400
            )
        token = services.sessions.advance(request.cookies.get(COOKIE, ""), Stage.FULL)
        audit_sign_in(session.username, "console.mfa.enrol", Outcome.OK)
        audit_sign_in(session.username, "console.sign_in", Outcome.OK)
        full = services.sessions.get(token, touch=False)
        response = web.render(request, "recovery_codes.html", session=full, codes=codes)
        set_cookie(response, request, COOKIE, token)
        return response

    @app.get("/login/mfa", response_class=HTMLResponse)
    def mfa_form(request: Request) -> Response:
        session = web.session(request, stage=Stage.MFA)
        return web.render(request, "mfa.html", session=session, error=None)

    @app.post("/login/mfa", response_class=HTMLResponse)
    def mfa(request: Request, code: Code = "", csrf: Csrf = "") -> Response:
        session = form_session(request, Stage.MFA, csrf)
        if not services.accounts.check_second_factor(session.user_id, code):
            audit_sign_in(session.username, "console.mfa", Outcome.DENIED)
            locked = end_if_locked(request, session)
            return locked or web.render(
                request,
                "mfa.html",
                session=session,
                error="That code is not right.",
                status=401,
            )
        token = services.sessions.advance(request.cookies.get(COOKIE, ""), Stage.FULL)
        audit_sign_in(session.username, "console.sign_in", Outcome.OK)
        response = redirect("/")
        set_cookie(response, request, COOKIE, token)
        return response

    def signed_out() -> Response:
        response = redirect("/login")
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: Csrf = "") -> Response:
        session = web.signed_in_form(request, csrf)
        services.sessions.end(request.cookies.get(COOKIE, ""))
        audit_sign_in(session.username, "console.sign_out", Outcome.OK)
        return signed_out()

    @app.post("/logout/everywhere")
    def logout_everywhere(request: Request, csrf: Csrf = "") -> Response:
        session = web.signed_in_form(request, csrf)
        ended = services.sessions.end_all(session.user_id)
        ctx = activity.staff_context(
            session.username, activity.ADMINISTRATION, LegalBasis.LEGITIMATE_INTERESTS
        )
        activity.record(
            services.audit,
            services.tenant,
            ctx,
            "console.sign_out_everywhere",
            details={"sessions": ended},
        )
        return signed_out()

    app.include_router(pages_router(web))
    return app


__all__ = ["create_console_app"]
