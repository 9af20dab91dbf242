"""What every console page shares: templates, the signed-in user, permissions, CSRF.

Templates ship in the package (``console/templates``) and autoescape everything; values a
user typed are never marked safe. Pages are plain HTML forms (no inline script: the
Content-Security-Policy forbids it); the one script, ``static/console.js``, only adds
conveniences.

The signed-in user comes from the session cookie (:data:`COOKIE`); a form is accepted
only with the session's CSRF token in its ``csrf`` field. The permission check itself is
:func:`discreet.console.roles.require`, called here for every page and every form.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from discreet.audit import VerifyResult
from discreet.console.errors import CsrfRejected, SessionExpired
from discreet.console.roles import ROLE_PERMISSIONS, Permission, require
from discreet.console.services import ConsoleServices
from discreet.console.sessions import Session, Stage

COOKIE = "discreet_console"
LOGIN_COOKIE = "discreet_console_login"
"""Before sign-in there is no session: the login forms carry a double-submit token."""

_TEMPLATES = files("discreet.console") / "templates"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["day"] = lambda value: value.date().isoformat() if value else "—"
    return env


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value.replace("T", " ")[:19]
    return value.strftime("%Y-%m-%d %H:%M")


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    """HttpOnly, SameSite=Strict, Secure over TLS; a session cookie (no Max-Age): the
    server decides when a session ends."""
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=is_tls(request), path="/"
    )


CHAIN_CHECK_S = 300.0
"""The overview reuses a chain verification this recent (it reads the whole log)."""


class Web:
    def __init__(self, services: ConsoleServices) -> None:
        self.services = services
        self.env = _environment()
        self._chain: tuple[VerifyResult, datetime, float] | None = None
        self._chain_lock = threading.Lock()

    def chain_status(self, *, fresh: bool = False) -> tuple[VerifyResult, datetime]:
        """The audit chain's verification and when it ran (at most `CHAIN_CHECK_S` ago
        unless `fresh`)."""
        with self._chain_lock:
            kept = self._chain
            if fresh or kept is None or time.monotonic() - kept[2] > CHAIN_CHECK_S:
                result = self.services.audit.verify()
                kept = (result, self.services.accounts.now(), time.monotonic())
                self._chain = kept
            return kept[0], kept[1]

    # --- rendering ---------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        *,
        session: Session | None = None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        allowed = ROLE_PERMISSIONS[session.role] if session and session.stage is Stage.FULL else ()
        html = self.env.get_template(template).render(
            request=request,
            session=session,
            can={p.name.lower(): p in allowed for p in Permission},
            csrf=session.csrf_token if session else "",
            tenant=self.services.tenant,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    # --- who is signed in --------------------------------------------------------------

    def session(self, request: Request, *, stage: Stage = Stage.FULL) -> Session:
        session = self.services.sessions.get(request.cookies.get(COOKIE))
        if session is None or session.stage is not stage:
            raise SessionExpired("sign in to continue")
        return session

    def page(self, permission: Permission) -> Callable[[Request], Session]:
        """A dependency: the signed-in user, who must have `permission` (else 403)."""

        def dependency(request: Request) -> Session:
            session = self.session(request)
            require(session.role, permission)
            return session

        return dependency

    def action(self, permission: Permission) -> Callable[..., Session]:
        """A dependency for a form: signed in, `permission`, and the session's CSRF token.

        The permission is checked before the token, so a forged form of a user without
        the permission is refused for the permission (403 either way)."""

        def dependency(request: Request, csrf: Annotated[str, Form()] = "") -> Session:
            session = self.session(request)
            require(session.role, permission)
            if not csrf or not secrets.compare_digest(csrf, session.csrf_token):
                raise CsrfRejected("the form's security token is missing or wrong; reload")
            return session

        return dependency

    def signed_in_form(self, request: Request, csrf: Annotated[str, Form()] = "") -> Session:
        """A form any signed-in user may send (sign out), with the CSRF check."""
        session = self.session(request)
        if not csrf or not secrets.compare_digest(csrf, session.csrf_token):
            raise CsrfRejected("the form's security token is missing or wrong; reload")
        return session


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def Needs(web: Web, permission: Permission) -> Any:
    """``session: Annotated[Session, Needs(web, P.X)]`` in a page's signature."""
    return Depends(web.page(permission))


def Acts(web: Web, permission: Permission) -> Any:
    """``session: Annotated[Session, Acts(web, P.X)]`` in a form handler's signature."""
    return Depends(web.action(permission))
