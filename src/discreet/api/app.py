"""The FastAPI application: the chat endpoints for assistants, governance for operators.

Assistant keys (``discreet apikey create --assistant NAME``) may call
``POST /v1/chat/completions``, ``GET /v1/models`` and ``GET /v1/conversations/{id}``.
Operator keys (``discreet apikey create --operator NAME``) may call the governance routes:
consent (``/v1/subjects/{ref}/consents``), data-subject requests (``/v1/rights/...``) and
legal holds (``/v1/legal-holds``) and, when the app is given retention, the retention
report and run (``/v1/retention/...``). Each kind of key gets 403 on the other's routes,
so an assistant key that leaks cannot erase or export customers. Closing a conversation
(``POST /v1/conversations/{id}/close``) is open to both: an assistant key closes only its
own assistant's conversations, an operator key any.

Headers (besides ``Authorization: Bearer <key>``):

* ``X-Discreet-Subject``: the customer's reference (as in the vault) the conversation is
  about; optional (an anonymous conversation gets no customer context);
* ``X-Discreet-Conversation``: the conversation id; created on first use and echoed in
  every response (a new one is made up when the header is absent);
* ``X-Discreet-Purpose``: the purpose served; default: the assistant's first purpose.

Errors use OpenAI's error JSON (``{"error": {"message", "type", "code"}}``) so the official
clients raise their usual exceptions. Bodies above ``max_body_bytes`` get 413 before they
are parsed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from discreet.api.auth import authenticate, bearer_key, require_role
from discreet.api.contract import gateway_checks, install_contract, install_error_format
from discreet.api.inputs import InputGuard
from discreet.api.responses import ConversationState, Model, ModelList, conversation_view
from discreet.api.routes_consent import consent_router
from discreet.api.routes_conversations import Closer, conversations_router
from discreet.api.routes_handoff import handoff_router
from discreet.api.routes_rights import rights_router
from discreet.api.schemas import (
    ChatCompletionRequest,
    chunk_body,
    completion_body,
    describe_validation_error,
    last_chunk,
    now,
    usage_chunk,
)
from discreet.audit.context import ActorKind
from discreet.conversations.apikeys import ApiKeyInfo, KeyRole
from discreet.errors import NotFound
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.turn import (
    Gateway,
    StreamedTurn,
    TurnRequest,
    TurnResult,
    check_conversation_id,
)
from discreet.gateway.usage import UsageMeter, metered
from discreet.retention import Retention
from discreet.rights import RightsService
from discreet.wiring import vault_holders

DEFAULT_MAX_BODY_BYTES = 1_048_576
SUBJECT_HEADER = "x-discreet-subject"
CONVERSATION_HEADER = "x-discreet-conversation"
PURPOSE_HEADER = "x-discreet-purpose"
T = TypeVar("T")

BackgroundTask = Callable[[], AbstractAsyncContextManager[Any]]
"""Something to run while the app serves (e.g. the retention scheduler): entered at start-up,
exited at shutdown."""


def _header(request: Request, name: str, limit: int = 200) -> str | None:
    values = request.headers.getlist(name)
    if len(values) > 1:
        # Two subjects or conversations in one request: which one a proxy or the app
        # reads is anyone's guess, so neither is (fail closed).
        raise TurnRefused(400, "duplicate_header", f"header {name} is given more than once")
    value = values[0] if values else None
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit or any(ord(ch) < 32 for ch in value):
        raise TurnRefused(400, "invalid_header", f"header {name} is malformed")
    return value


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TurnRefused(413, "request_too_large", f"request body exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TurnRefused(413, "request_too_large", f"request body exceeds {limit} bytes")
    return bytes(body)


def _turn_headers(result: TurnResult | StreamedTurn) -> dict[str, str]:
    return {
        "X-Discreet-Conversation": result.conversation_id,
        "X-Discreet-Handoff": "true" if result.handoff else "false",
    }


def _sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


async def _stream_events(
    result: StreamedTurn, completion_id: str, usage: UsageMeter
) -> AsyncGenerator[bytes, None]:
    created = now()
    yield _sse(
        chunk_body(completion_id, result.model, created, {"role": "assistant", "content": ""})
    )
    with metered(usage):  # the rest of the upstream's stream is read here
        async for piece in result.pieces:  # each released once guarded (gateway/release.py)
            yield _sse(chunk_body(completion_id, result.model, created, {"content": piece}))
    if result.error is not None:  # a fault after the stream began: no "stop", an error
        yield _sse({"error": {"code": result.error.code, "message": result.error.message}})
        return
    yield _sse(
        last_chunk(
            completion_id, result.model, created, blocked=result.blocked, handoff=result.handoff
        )
    )
    if usage.reported:
        # As OpenAI streams it (stream_options.include_usage): a last chunk, no choices.
        yield _sse(usage_chunk(completion_id, result.model, created, usage.as_dict()))
    yield _sse("[DONE]")


class _TurnStream(StreamingResponse):
    """The response of a streamed turn. However it ends, the turn's pieces are closed here,
    in this task: a client that goes away cancels the sending, and Starlette leaves the
    events where they were (not started, at a `yield`, or done); closing the pieces runs
    the turn's end at once (gateway/turn.py: the upstream closed, the released part
    recorded) instead of whenever the generators are collected."""

    body_iterator: AsyncGenerator[bytes, None]

    def __init__(self, streamed: StreamedTurn, completion_id: str, usage: UsageMeter) -> None:
        super().__init__(
            _stream_events(streamed, completion_id, usage),
            media_type="text/event-stream",
            headers={**_turn_headers(streamed), "Cache-Control": "no-cache"},
        )
        self._pieces = streamed.pieces

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.body_iterator.aclose()
                await self._pieces.aclose()


def create_app(
    gateway: Gateway,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    rights: RightsService | None = None,
    retention: Retention | None = None,
    background: Sequence[BackgroundTask] = (),
) -> FastAPI:
    """The API over `gateway`; closes the gateway's backend on shutdown.

    `rights` serves the operator routes (default: a `RightsService` over the gateway's
    vault and policy). `retention` adds the close and retention routes (none without
    it). `background` tasks run for the app's lifetime, started in order and stopped in
    reverse.
    """
    governance = rights or RightsService(
        gateway.vault, holders=vault_holders(gateway.vault), policy=gateway.policy
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncGenerator[None, None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(gateway.aclose)  # runs last, even if a task fails
            for task in background:
                await stack.enter_async_context(task())
            yield

    app = FastAPI(
        title="discreet",
        summary="OpenAI-compatible privacy gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    # The one map from errors to answers (OpenAI's error object, statuses from the error
    # tree); no route translates errors itself.
    install_error_format(app)
    # One body limit and text check for every route, 400 for lone surrogates (api/inputs).
    app.add_middleware(InputGuard, max_body_bytes=max_body_bytes)

    async def _auth(request: Request) -> ApiKeyInfo:
        """An assistant key (operator keys get 403 on the chat endpoints)."""
        key = bearer_key(request)
        # A key verified moments ago needs no worker thread (most turns).
        info = gateway.api_keys.recently_verified(key) if key is not None else None
        if info is None:
            info = await anyio.to_thread.run_sync(lambda: authenticate(gateway.api_keys, request))
        return require_role(info, KeyRole.ASSISTANT)

    def operator(request: Request) -> str:
        """The operator's name, for the audit; a sync dependency (FastAPI runs it in a
        worker thread, like the governance routes themselves)."""
        info = authenticate(gateway.api_keys, request)
        return require_role(info, KeyRole.OPERATOR).assistant

    def closer(request: Request) -> Closer:
        """Who closes a conversation: an operator (any), or an assistant (its own)."""
        info = authenticate(gateway.api_keys, request)
        if info.is_operator:
            return Closer(actor=info.assistant)
        # Audited like the assistant's turns: the assistant's name as the actor.
        return Closer(
            actor=info.assistant, assistant=info.assistant, actor_kind=ActorKind.ASSISTANT
        )

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        key = await _auth(request)
        raw = await _read_body(request, max_body_bytes)
        try:
            body = ChatCompletionRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise TurnRefused(400, "invalid_request", describe_validation_error(exc)) from None
        if body.model not in gateway.policy.model_names(key.assistant):
            # OpenAI's answer to an unknown model; the name is not echoed (it is the
            # client's text). The policy's assistants.<name>.models lists accepted aliases.
            raise NotFound(
                "the requested model does not exist or this key may not use it; "
                "GET /v1/models lists the models this key may request",
                code="model_not_found",
                param="model",
            )
        conversation = _header(request, CONVERSATION_HEADER)
        if conversation is not None:
            check_conversation_id(conversation)
        turn = TurnRequest(
            key=key,
            messages=body.message_dicts(),
            model=body.model,
            stream=body.stream,
            purpose=_header(request, PURPOSE_HEADER, 64),
            subject_ref=_header(request, SUBJECT_HEADER),
            conversation_id=conversation,
            params=body.params(),
        )
        completion_id = f"chatcmpl-{secrets.token_hex(12)}"
        if body.stream:
            with metered() as usage:  # what the upstream reports (gateway/usage.py)
                streamed = await gateway.stream_turn(turn)
            return _TurnStream(streamed, completion_id, usage)
        with metered() as usage:
            result = await gateway.run_turn(turn)
        return JSONResponse(
            completion_body(
                completion_id,
                result.model,
                result.text,
                now(),
                usage.as_dict(),
                blocked=result.blocked,
                handoff=result.handoff,
            ),
            headers=_turn_headers(result),
        )

    # The governance routers after the chat route: Starlette tries routes in order, and
    # the turn is the request that comes thousands of times a minute.
    app.include_router(consent_router(lambda: governance.consent, operator))
    app.include_router(rights_router(lambda: governance, operator))
    app.include_router(handoff_router(lambda: gateway.states, operator))
    if retention is not None:
        kept = retention
        app.include_router(conversations_router(lambda: kept, operator, closer))

    @app.get("/v1/models", response_model=ModelList)
    async def models(request: Request) -> JSONResponse:
        """The model names this key may request: its assistant's name, then the policy's
        aliases for it (some clients list models first)."""
        key = await _auth(request)
        names = gateway.policy.model_names(key.assistant)
        listed = ModelList(data=[Model(id=name) for name in names])
        return JSONResponse(listed.model_dump(mode="json"))

    @app.get("/v1/conversations/{conversation_id}", response_model=ConversationState)
    async def conversation_state(conversation_id: str, request: Request) -> JSONResponse:
        key = await _auth(request)
        check_conversation_id(conversation_id)
        state = await anyio.to_thread.run_sync(lambda: gateway.states.get(conversation_id))
        if state is None or state.assistant != key.assistant:
            raise TurnRefused(404, "conversation_not_found", "no such conversation")
        return JSONResponse(conversation_view(state).model_dump(mode="json"))

    # Errors in one format, OpenAPI, docs pages and probes (api/contract.py).
    install_contract(app, gateway_checks(gateway))
    return app
