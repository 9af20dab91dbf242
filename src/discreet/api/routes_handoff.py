"""Operators' view of conversations: read a conversation's state and release a handoff
(``/v1/operator/conversations/...``); the rules live in `gateway.handoff`.

An assistant key cannot release its own handoff: the point of a handoff is that a person,
not the model, decides when the customer is ready to talk to the assistant again.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factory, which string annotations would hide.
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from discreet.api.responses import ConversationState, conversation_view
from discreet.audit.context import AccessContext, ActorKind, LegalBasis
from discreet.conversations.states import ConversationStates
from discreet.errors import NotFound

HANDOFF_PURPOSE = "customer_support"
ConversationId = Annotated[str, Path(min_length=1, max_length=200)]


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="released by an operator", min_length=1, max_length=200)


class Released(BaseModel):
    released: bool = Field(description="False: it was not handed over (nothing changed).")
    conversation: ConversationState


def operator_support_context(actor: str) -> AccessContext:
    """An operator acting in a customer-service conversation (the contract with them)."""
    return AccessContext(
        actor=actor,
        purpose=HANDOFF_PURPOSE,
        legal_basis=LegalBasis.CONTRACT,
        actor_kind=ActorKind.API_KEY,
    )


def handoff_router(
    states: Callable[[], ConversationStates], operator: Callable[..., str]
) -> APIRouter:
    router = APIRouter(tags=["conversations (operators)"])
    Operator = Annotated[str, Depends(operator)]

    def _state(conversation_id: str) -> ConversationState:
        found = states().get(conversation_id)
        if found is None:
            raise NotFound("no such conversation", code="conversation_not_found")
        return conversation_view(found)

    @router.get("/v1/operator/conversations/{conversation_id}", response_model=ConversationState)
    def show(conversation_id: ConversationId, actor: Operator) -> ConversationState:
        """A conversation's state (any assistant's): handoff, closed, turns. No content."""
        return _state(conversation_id)

    @router.post("/v1/operator/conversations/{conversation_id}/release", response_model=Released)
    def release(
        conversation_id: ConversationId, actor: Operator, body: ReleaseIn | None = None
    ) -> Released:
        """Give a handed-over conversation back to the assistant (audited)."""
        _state(conversation_id)  # 404 before anything changes
        reason = (body or ReleaseIn()).reason
        released = states().release_handoff(
            conversation_id, ctx=operator_support_context(actor), reason=reason
        )
        return Released(released=released, conversation=_state(conversation_id))

    return router
