"""Typed response bodies, for the OpenAPI document and for the routes that build them: the
assistant routes (OpenAI's shapes, the subset discreet answers) and the governance routes
(consent, rights requests, legal holds, conversations)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from discreet.conversations.states import ConversationState as StoredState


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "content_filter"] = Field(
        "stop",
        description='"content_filter" when the output guard blocked the answer: the message '
        "is the blocked message and the conversation is handed to a person.",
    )


class DiscreetExtension(BaseModel):
    """discreet's field on a completion and on a stream's last chunk."""

    handoff: bool = Field(
        description="The conversation is with a person now (as X-Discreet-Handoff; on a "
        "stream also when the handoff came after the headers, a blocked release)."
    )
    reason: str | None = Field(
        None,
        description="Why, as a code: answer_blocked, customer_request, assistant (the model "
        "asked), or the consent decision's reason; null without a handoff.",
    )


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
    discreet: DiscreetExtension


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


# --- governance routes (operators) ------------------------------------------------------
# The bodies the domain objects' ``as_dict`` give, declared so OpenAPI shows them and
# FastAPI checks every answer against them. Timestamps stay the strings ``as_dict`` wrote
# (ISO 8601 with offset), declared as date-time.

Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class ConsentRecordOut(BaseModel):
    subject_id: str = Field(description="The subject's pseudonymous id.")
    purpose: str
    state: Literal["granted", "withdrawn"]
    recorded_at: Timestamp
    notice_version: str
    channel: str
    recorded_by: str


class ProcessingLimitOut(BaseModel):
    """A restriction (art. 18) or an objection (art. 21; a CCPA opt-out of sale/sharing)."""

    id: int
    kind: Literal["restriction", "objection"]
    purpose: str | None = Field(description="Objections: the purpose; none: all processing.")
    reason: str
    request_id: str | None
    set_by: str
    set_at: Timestamp
    lifted_at: Timestamp | None


class ConsentOverview(BaseModel):
    """``GET /v1/subjects/{ref}/consents``: current consent per purpose, history, limits."""

    subject_id: str
    current: dict[str, ConsentRecordOut]
    history: list[ConsentRecordOut]
    processing_limits: list[ProcessingLimitOut]


class RightsRequestOut(BaseModel):
    """A data-subject request; ``due_at`` follows the policy's jurisdictions."""

    id: str
    subject_id: str = Field(description="The subject's pseudonymous id.")
    kind: Literal["access", "rectification", "erasure", "restriction", "objection"]
    state: Literal[
        "received", "verified", "in_progress", "blocked_by_hold", "completed", "rejected"
    ] = Field(description="blocked_by_hold: an erasure waiting for a legal hold's release.")
    scope: str | None
    channel: str
    received_by: str
    received_at: Timestamp
    due_at: Timestamp
    extension_reason: str | None
    verified_at: Timestamp | None
    verified_by: str | None
    closed_at: Timestamp | None
    closed_by: str | None
    rejection_reason: str | None
    result: dict[str, Any] | None = Field(
        description="The completion record: what was done, counts, when; no values."
    )


class LegalHoldOut(BaseModel):
    id: int
    subject_id: str | None
    conversation_id: str | None
    reason: str
    set_by: str
    set_at: Timestamp
    released_at: Timestamp | None


class Lifted(BaseModel):
    lifted: int = Field(description="How many restrictions or objections were lifted.")


class ConversationClosed(BaseModel):
    """``POST /v1/conversations/{id}/close``: what closing did."""

    object: Literal["discreet.conversation.closed"] = "discreet.conversation.closed"
    conversation_id: str
    closed_at: Timestamp
    already_closed: bool
    reason: str
    token_map_destroyed: bool
    held: bool = Field(description="Under a legal hold: the token map is kept.")
    token_map_kept_until: Timestamp | None


class ExpiryLineOut(BaseModel):
    kind: str = Field(description="The record kind the retention rule names.")
    category: str | None
    days: int | None = Field(description="The rule's retention in days (None: kept).")
    when: str = Field(description='"now" (due at the next run), an ISO date, or "later".')
    count: int
    held: int = Field(description="Of count: kept by a legal hold.")


class RetentionReport(BaseModel):
    """``GET /v1/retention/report``: what expires when, in counts (no values)."""

    tenant: str
    at: Timestamp
    last_run_at: Timestamp | None
    horizon_days: int
    lines: list[ExpiryLineOut]
    holds: list[LegalHoldOut]


class DeletedCount(BaseModel):
    kind: str
    category: str | None
    days: int | None
    deleted: int = Field(description="Rows deleted (or, on a dry run, that would be).")
    held: int = Field(description="Rows due but kept by a legal hold.")


class RetentionRun(BaseModel):
    """``POST /v1/retention/run``: one retention run's counts (no values)."""

    tenant: str
    started_at: Timestamp
    finished_at: Timestamp
    dry_run: bool
    counts: list[DeletedCount]
    holds: list[LegalHoldOut]
