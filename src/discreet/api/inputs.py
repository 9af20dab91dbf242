"""Checks every request body gets before any route sees it (an ASGI middleware).

* One size limit for every route (413), enforced while the body arrives, so no route
  buffers more than the limit however it reads its body.
* JSON with a lone surrogate escape (``"\\ud800"``) is refused with 400: Python decodes
  it into a string that cannot be encoded, and the route would fail later, deep in a
  database driver, as a 500 whose traceback carries the request's values.

What a route may still meet (text a store cannot encode, a number out of a store's range)
is mapped to 400 by the app's one error map (`api.contract.install_error_format`).
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from discreet.api.schemas import error_body

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def invalid_input(message: str, code: str, status: int = 400) -> JSONResponse:
    return JSONResponse(error_body(message, "invalid_request_error", code), status_code=status)


def _too_large(limit: int) -> JSONResponse:
    """The 413 answer, made only when it is sent (not on every request)."""
    return invalid_input(f"request body exceeds {limit} bytes", "request_too_large", status=413)


class InputGuard:
    """Body size and text checks in front of `app`."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > limit:
                await _too_large(limit)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        # Every match starts with a backslash-u-d escape; most bodies hold none, and a
        # substring test is far cheaper than the pattern's look-behind at every byte.
        if (b"\\ud" in body or b"\\uD" in body) and _LONE_SURROGATE.search(body):
            response = invalid_input(
                "request body holds a lone surrogate escape (\\ud800-\\udfff); send valid "
                "UTF-16 pairs or the characters themselves",
                "invalid_text",
            )
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


__all__ = ["InputGuard", "invalid_input"]
