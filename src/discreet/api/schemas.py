"""Request and response shapes of the OpenAI chat-completions API (the subset discreet
serves). Validation errors are reported by location and reason, never with the input."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from discreet.errors import validation_problems
from discreet.gateway.turn import FORWARDED_PARAMS


class TextPart(BaseModel):
    """A text content part; other part types (images, audio) cannot be checked for
    personal data and are refused."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["text"]
    text: str


class ToolFunction(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    arguments: str = ""


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    type: Literal["function"] = "function"
    function: ToolFunction


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None


class ChatCompletionRequest(BaseModel):
    """The request body. Unknown fields are accepted (clients send many) and dropped."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = False
    n: int | None = Field(default=None, ge=1, le=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    seed: int | None = None

    def params(self) -> dict[str, Any]:
        """Sampling parameters that were set, of those the gateway forwards (numbers only)."""
        return {
            name: getattr(self, name)
            for name in sorted(FORWARDED_PARAMS)
            if getattr(self, name) is not None
        }

    def message_dicts(self) -> list[dict[str, Any]]:
        return [m.model_dump(exclude_none=True) for m in self.messages]


def describe_validation_error(exc: ValidationError) -> str:
    """Where and why the body is invalid, without echoing any input."""
    return "invalid request body: " + validation_problems(exc, root="body", most=5)


def finish_reason(blocked: bool) -> str:
    """OpenAI's own value for an answer its content filter stopped, when the guard
    blocked the answer (the customer got the blocked message); "stop" otherwise."""
    return "content_filter" if blocked else "stop"


def discreet_field(handoff: str | None) -> dict[str, Any]:
    """The ``discreet`` extension of a completion and of a stream's last chunk: whether
    the conversation is with a person now, and why (a reason code, never content). A
    stream's headers went out before its end; this is where a later handoff shows."""
    return {"handoff": handoff is not None, "reason": handoff}


def completion_body(
    completion_id: str,
    model: str,
    text: str,
    created: int,
    usage: dict[str, int],
    *,
    blocked: bool,
    handoff: str | None,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason(blocked),
            }
        ],
        # The upstream's token counts, passed on (zeros when it reports none, as for the
        # embedded assistant); discreet does not estimate them.
        "usage": usage,
        "discreet": discreet_field(handoff),
    }


def chunk_body(
    completion_id: str,
    model: str,
    created: int,
    delta: dict[str, str],
    finish_reason: str | None = None,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def last_chunk(
    completion_id: str, model: str, created: int, *, blocked: bool, handoff: str | None
) -> dict[str, Any]:
    """The chunk that ends a stream's answer: its finish reason and the extension."""
    body = chunk_body(completion_id, model, created, {}, finish_reason(blocked))
    return {**body, "discreet": discreet_field(handoff)}


def usage_chunk(
    completion_id: str, model: str, created: int, usage: dict[str, int]
) -> dict[str, Any]:
    """The last chunk of a stream whose upstream reported usage (OpenAI's shape)."""
    return {**chunk_body(completion_id, model, created, {}), "choices": [], "usage": usage}


def error_body(message: str, error_type: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def now() -> int:
    return int(time.time())
