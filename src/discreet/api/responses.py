"""Typed response bodies of the assistant routes, for the OpenAPI document and for the routes
that build them (OpenAI's shapes, the subset discreet answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from discreet.conversations.states import ConversationState as StoredState


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "length"] = "stop"


class Usage(BaseModel):
    """Token counts as the upstream reported them (0 for the embedded assistant)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)


class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "discreet"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


class ConversationState(BaseModel):
    """``GET /v1/conversations/{id}``: what the conversation's state is, without content."""

    id: str
    object: Literal["discreet.conversation"] = "discreet.conversation"
    assistant: str
    subject: str | None = Field(description="The subject's pseudonymous id, if bound.")
    turns: int
    handoff: bool = Field(description="Handed to a human: the model answers no more turns.")
    handoff_reason: str | None
    closed: bool = Field(description="Closed: no more turns, token map forgotten.")
    closed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


def conversation_view(state: StoredState) -> ConversationState:
    return ConversationState(
        id=state.conversation_id,
        assistant=state.assistant,
        subject=state.subject,
        turns=state.turns,
        handoff=state.handoff,
        handoff_reason=state.handoff_reason,
        closed=state.closed_at is not None,
        closed_at=state.closed_at,
        created_at=state.created_at,
        updated_at=state.updated_at,
    )
