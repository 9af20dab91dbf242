"""The FastAPI application: ``POST /v1/chat/completions`` and ``GET /v1/conversations/{id}``.

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
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from discreet.api.auth import authenticate
from discreet.api.schemas import (
    ChatCompletionRequest,
    chunk_body,
    completion_body,
    describe_validation_error,
    error_body,
    now,
)
from discreet.gateway.apikeys import ApiKeyInfo
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.turn import Gateway, TurnRequest, TurnResult, check_conversation_id
from discreet.store.errors import StorageError

DEFAULT_MAX_BODY_BYTES = 1_048_576
SUBJECT_HEADER = "x-discreet-subject"
CONVERSATION_HEADER = "x-discreet-conversation"
PURPOSE_HEADER = "x-discreet-purpose"
T = TypeVar("T")


def _error(refused: TurnRefused) -> JSONResponse:
    return JSONResponse(
        error_body(refused.message, refused.error_type, refused.code), status_code=refused.status
    )


async def _blocking(func: Callable[[], T]) -> T:
    """Run a database call in a worker thread; storage failures become 503."""
    try:
        return await anyio.to_thread.run_sync(func)
    except StorageError as exc:
        raise TurnRefused(
            503, "vault_unavailable", f"vault unavailable: {type(exc).__name__}"
        ) from None


def _header(request: Request, name: str, limit: int = 200) -> str | None:
    value = request.headers.get(name)
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


def _sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


async def _stream_events(result: TurnResult, completion_id: str) -> AsyncIterator[bytes]:
    created = now()
    yield _sse(
        chunk_body(completion_id, result.model, created, {"role": "assistant", "content": ""})
    )
    for piece in result.pieces:
        yield _sse(chunk_body(completion_id, result.model, created, {"content": piece}))
    yield _sse(chunk_body(completion_id, result.model, created, {}, "stop"))
    yield _sse("[DONE]")


def create_app(gateway: Gateway, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """The API over `gateway`; closes the gateway's backend on shutdown."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncGenerator[None, None]:
        yield
        await gateway.aclose()

    app = FastAPI(
        title="discreet",
        summary="OpenAI-compatible privacy gateway",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(TurnRefused)
    async def _refused(_request: Request, exc: TurnRefused) -> JSONResponse:
        return _error(exc)

    async def _auth(request: Request) -> ApiKeyInfo:
        return await _blocking(lambda: authenticate(gateway.api_keys, request))

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        key = await _auth(request)
        raw = await _read_body(request, max_body_bytes)
        try:
            body = ChatCompletionRequest.model_validate_json(raw)
        except ValidationError as exc:
            raise TurnRefused(400, "invalid_request", describe_validation_error(exc)) from None
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
        result = await gateway.run_turn(turn)
        headers = {
            "X-Discreet-Conversation": result.conversation_id,
            "X-Discreet-Handoff": "true" if result.handoff else "false",
        }
        completion_id = f"chatcmpl-{secrets.token_hex(12)}"
        if body.stream:
            return StreamingResponse(
                _stream_events(result, completion_id),
                media_type="text/event-stream",
                headers={**headers, "Cache-Control": "no-cache"},
            )
        return JSONResponse(
            completion_body(completion_id, result.model, result.text, now()), headers=headers
        )

    @app.get("/v1/models")
    async def models(request: Request) -> JSONResponse:
        """The key's assistant as the one model (some clients list models first)."""
        key = await _auth(request)
        model = {"id": key.assistant, "object": "model", "created": 0, "owned_by": "discreet"}
        return JSONResponse({"object": "list", "data": [model]})

    @app.get("/v1/conversations/{conversation_id}")
    async def conversation_state(conversation_id: str, request: Request) -> JSONResponse:
        key = await _auth(request)
        check_conversation_id(conversation_id)
        state = await _blocking(lambda: gateway.states.get(conversation_id))
        if state is None or state.assistant != key.assistant:
            raise TurnRefused(404, "conversation_not_found", "no such conversation")
        return JSONResponse(
            {
                "id": state.conversation_id,
                "object": "discreet.conversation",
                "assistant": state.assistant,
                "subject": state.subject,
                "turns": state.turns,
                "handoff": state.handoff,
                "handoff_reason": state.handoff_reason,
                "created_at": state.created_at.isoformat(),
                "updated_at": state.updated_at.isoformat(),
            }
        )

    return app
