"""The API's contract beyond its routes: one error format, the OpenAPI document, the docs
pages and the health probes.

- **One error format.** Every route answers errors with OpenAI's error object
  (``{"error": {"message", "type", "param", "code"}}``), governance routes and FastAPI's own
  validation and 404/405 answers included, so a client handles one shape. A route's extra
  fields (e.g. the legal holds blocking an erasure) stay inside ``error``. An unexpected
  exception is a 500 in the same shape naming only its type: never a value, never a trace.
  `install_error_format` is that one map; `create_app` installs it where it declares the
  app, and routes raise `DiscreetError`s instead of translating errors themselves.
- **OpenAPI.** The chat route reads its body itself (to cap its size before parsing), so
  FastAPI cannot see its schema: it is added here, with the ``X-Discreet-*`` request and
  response headers, the bearer-key security scheme and the error responses of every route.
- **Docs.** Swagger UI (``/docs``) and ReDoc (``/redoc``) are served from the assets that the
  `fastapi-offline` package ships: no CDN, so they work on an air-gapped host and leak no
  visit to a third party.
- **Probes.** ``/healthz``: the process answers. ``/readyz``: the data and key stores answer
  with the configured master key, the policy is loaded, and the upstream accepts a TCP
  connection; 503 naming the failing check (by exception type only) otherwise. Neither needs
  a key: load balancers and orchestrators call them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from discreet.api.schemas import ChatCompletionRequest, error_body
from discreet.errors import DiscreetError
from discreet.gateway.turn import Gateway

DOCS_ASSETS = "/docs-assets"

# --- the error object --------------------------------------------------------------------


class ErrorDetail(BaseModel):
    message: str = Field(description="What failed and where; never a customer value.")
    type: str = Field(description="OpenAI's error type, e.g. invalid_request_error.")
    param: str | None = None
    code: str = Field(description="A stable machine-readable code, e.g. subject_not_found.")


class ErrorResponse(BaseModel):
    """OpenAI's error object, on every route."""

    error: ErrorDetail


def error_type(status: int) -> str:
    """OpenAI's error ``type`` for an HTTP status (OpenAI answers its 404s, e.g.
    ``model_not_found``, as ``invalid_request_error`` too)."""
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "permission_error"
    if status < 500:
        return "invalid_request_error"
    return "server_error"


_CODES = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}


def error_response(
    status: int,
    message: str,
    code: str,
    *,
    param: str | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """OpenAI's error object; `details` go inside ``error`` (e.g. the holds blocking an
    erasure)."""
    body = error_body(message, error_type(status), code)
    body["error"]["param"] = param
    body["error"].update(details or {})
    return JSONResponse(body, status_code=status, headers=headers)


def _location(loc: Sequence[int | str]) -> str:
    """A validation error's place as a client names it: ``months``, ``path.hold_id``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_error_format(app: FastAPI) -> None:
    """The API's one map from exceptions to answers: OpenAI's error object everywhere.

    Routes raise `DiscreetError`s (their class says the status and code) and never catch
    them to translate; FastAPI's own errors (validation, unknown route, wrong method) and
    the standard library's for input a store cannot take are mapped here too. Invalid
    input is 400 (see ``discreet.errors``), naming where, never the input.
    """

    @app.exception_handler(DiscreetError)
    async def _domain(_request: Request, exc: DiscreetError) -> JSONResponse:
        return error_response(
            exc.http_status, exc.message, exc.code, param=exc.param, details=exc.details
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        problems = [f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors]
        param = _location(errors[0].get("loc", ())) if errors else None
        message = "invalid request: " + "; ".join(problems[:5])
        return error_response(400, message, "invalid_request", param=param)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        message = str(exc.detail) if exc.detail else code
        return error_response(exc.status_code, message, code, headers=exc.headers)

    @app.exception_handler(UnicodeEncodeError)
    async def _unstorable(_request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # Text with a lone surrogate that the body check could not see (e.g. in a path).
        message = "a text in the request cannot be stored (not valid Unicode)"
        return error_response(400, message, "invalid_text")

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        # The last line of defence: routes bound their numbers, so a store's overflow here
        # means a bound is missing; still the client's input, never a 500 with a trace.
        return error_response(400, "a number in the request is out of range", "number_out_of_range")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # The type only: an exception's text may quote the data it choked on.
        return error_response(500, f"internal error ({type(exc).__name__})", "internal")


# --- health and readiness ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """One readiness check: a name and a callable that raises when not ready."""

    name: str
    run: Callable[[], Awaitable[str]]


class CheckResult(BaseModel):
    ok: bool
    detail: str = Field(description="What was checked, or the failure's type; no secrets.")


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, CheckResult]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


async def tcp_reachable(base_url: str, timeout_s: float = 2.0) -> str:
    """Connect to the upstream's host and port (no request: it would cost tokens)."""
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    writer.close()
    await writer.wait_closed()
    return f"{parts.scheme}://{host}:{port} accepts connections"


async def run_checks(checks: Sequence[Check]) -> Readiness:
    results: dict[str, CheckResult] = {}
    for check in checks:
        try:
            results[check.name] = CheckResult(ok=True, detail=await check.run())
        except Exception as exc:  # any failure means not ready; its type says which
            results[check.name] = CheckResult(ok=False, detail=f"failed: {type(exc).__name__}")
    ready = all(r.ok for r in results.values())
    return Readiness(status="ready" if ready else "not_ready", checks=results)


def gateway_checks(gateway: Gateway) -> list[Check]:
    """What a gateway needs to serve a turn, as readiness checks."""

    async def stores() -> str:
        await asyncio.to_thread(gateway.vault.check_ready)
        return f"data and key stores answer; master key {gateway.vault.master_key_id}"

    async def policy() -> str:
        return f"policy of tenant {gateway.policy.tenant} loaded"

    async def upstream() -> str:
        settings = getattr(gateway.backend, "settings", None)
        base_url = getattr(settings, "base_url", None)
        if not isinstance(base_url, str):
            return "embedded assistant (no network)"
        return await tcp_reachable(base_url)

    return [Check("stores", stores), Check("policy", policy), Check("upstream", upstream)]


def install_probes(app: FastAPI, checks: Sequence[Check]) -> None:
    @app.get("/healthz", tags=["health"], response_model=Health)
    async def healthz() -> Health:
        """The process is up and serving requests (no dependencies are checked)."""
        return Health()

    @app.get(
        "/readyz",
        tags=["health"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency is not ready."}},
    )
    async def readyz() -> JSONResponse:
        """Stores, master key, policy and upstream: ready to serve turns, or 503."""
        readiness = await run_checks(checks)
        status = 200 if readiness.status == "ready" else 503
        return JSONResponse(readiness.model_dump(), status_code=status)


# --- docs pages --------------------------------------------------------------------------


def _assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc from packaged assets."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=_assets_dir()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="discreet API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="discreet API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


# --- the OpenAPI document ----------------------------------------------------------------

CHAT_PATH = "/v1/chat/completions"
_REQUEST_HEADERS = {
    "X-Discreet-Subject": "The customer's reference (as in the vault) this conversation is "
    "about; bound to the conversation on first use (another one gets 409). Optional: an "
    "anonymous conversation gets no customer context.",
    "X-Discreet-Conversation": "The conversation id; created on first use and echoed in "
    "every response (made up when absent).",
    "X-Discreet-Purpose": "The purpose served (default: the assistant's first purpose).",
}
_RESPONSE_HEADERS = {
    "X-Discreet-Conversation": "The conversation id (the one given, or a new one).",
    "X-Discreet-Handoff": "true when the conversation is handed to a human: the answer is "
    "the policy's handoff text (or the blocked message), and later turns are not answered "
    "by the model. A stream's headers go out before its end: when the guard blocks a "
    "release after the stream began, this header said false, and the stream's last chunk "
    'says it instead: finish_reason "content_filter" and "discreet": {"handoff": true, '
    '"reason": "answer_blocked"} (every completion and last chunk carries that field).',
}
_PUBLIC = {"/healthz", "/readyz"}
_ERRORS = {
    "400": "Invalid request (names the field, never its value).",
    "401": "Missing or unknown API key.",
    "403": "Wrong kind of key, purpose not allowed, or processing restricted.",
    "404": "Not found.",
    "409": "Conflict (another subject for this conversation, a closed conversation, ...).",
    "413": "Request body too large.",
    "503": "A store, detection or the upstream is unavailable; nothing raw left.",
}


def _schemas(*models: type[BaseModel]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def contract_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus what it cannot infer (see the module docstring)."""
    from discreet.api.responses import ChatCompletion, ModelList

    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(_schemas(ChatCompletionRequest, ChatCompletion, ErrorResponse, ModelList))
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `discreet apikey create`: assistant keys reach "
            "the chat routes, operator keys the governance routes.",
        }
    }
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for path, operations in doc.get("paths", {}).items():
        for operation in operations.values():
            if path not in _PUBLIC:
                operation["security"] = [{"apiKey": []}]
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in _ERRORS.items():
                if path in _PUBLIC:
                    break
                responses.setdefault(status, {"description": text, "content": error_ref})
    chat = doc["paths"][CHAT_PATH]["post"]
    chat["summary"] = "Chat completion (OpenAI-compatible), through the privacy layer"
    chat["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletionRequest"}}
        },
    }
    chat["parameters"] = [
        {"name": name, "in": "header", "required": False, "description": text,
         "schema": {"type": "string", "maxLength": 64 if "Purpose" in name else 200}}
        for name, text in _REQUEST_HEADERS.items()
    ]  # fmt: skip
    chat["responses"]["200"] = {
        "description": "The answer, rehydrated and checked; with `stream: true`, server-sent "
        "events of `chat.completion.chunk` objects ending with `data: [DONE]`; the last "
        "chunk with a finish_reason carries the `discreet` field of `ChatCompletion`. "
        'finish_reason is "content_filter" when the guard blocked the answer.',
        "headers": {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in _RESPONSE_HEADERS.items()
        },
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletion"}},
            "text/event-stream": {"schema": {"type": "string"}},
        },
    }
    models = doc["paths"].get("/v1/models", {}).get("get")
    if models is not None:
        models["responses"]["200"]["content"] = {
            "application/json": {"schema": {"$ref": "#/components/schemas/ModelList"}}
        }
    return doc


def install_contract(app: FastAPI, checks: Sequence[Check]) -> None:
    """The hook `create_app` calls once its routes are added."""
    install_probes(app, checks)
    install_docs(app)
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(contract_openapi(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
