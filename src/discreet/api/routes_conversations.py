"""Conversation close and retention endpoints.

* ``POST /v1/conversations/{id}/close`` -- close a conversation and forget its token map
  (see :mod:`discreet.retention.closing`); 404 for an unknown conversation (or one of
  another assistant), 503 when a store is unavailable (the app's one error map answers
  both from the error tree). Repeating it is harmless.
* ``GET /v1/retention/report?horizon_days=30`` -- what will expire when (operator).
* ``POST /v1/retention/run?dry_run=true`` -- a retention run now (operator).

Legal holds have their endpoints in ``routes_rights`` (``/v1/legal-holds``).

Mounting (``api/app.py``)::

    retention = open_retention(policy, settings)      # discreet.wiring
    app.include_router(conversations_router(lambda: retention, operator, closer))

`operator` is the app's operator dependency (returns the operator's name). `closer` is a
dependency returning a :class:`Closer`: who closes, and for an assistant key, which
assistant (it may close only its own conversations); omit it to let operators alone
close conversations.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependency
# aliases built inside the router factory.
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from discreet.api.responses import ConversationClosed, RetentionReport, RetentionRun
from discreet.api.routes_consent import operator_context
from discreet.audit.context import AccessContext, ActorKind, LegalBasis
from discreet.retention import Retention, forecast

CLOSE_PURPOSE = "conversation_close"
RETENTION_PURPOSE = "retention"
MAX_CONVERSATION_ID = 200


@dataclass(frozen=True, slots=True)
class Closer:
    """Who asks to close a conversation."""

    actor: str
    assistant: str | None = None
    """Set for an assistant's API key: it may close only that assistant's conversations."""
    actor_kind: ActorKind = ActorKind.API_KEY

    def context(self) -> AccessContext:
        return AccessContext(
            actor=self.actor,
            purpose=CLOSE_PURPOSE,
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            actor_kind=self.actor_kind,
        )


def conversations_router(
    retention: Callable[[], Retention],
    operator: Callable[..., str],
    closer: Callable[..., Closer] | None = None,
) -> APIRouter:
    """The close and retention routes; `retention`, `operator` and `closer` are FastAPI
    dependencies (see the module docstring)."""
    router = APIRouter(tags=["retention"])
    Service = Annotated[Retention, Depends(retention)]
    Operator = Annotated[str, Depends(operator)]

    def operator_closer(actor: Operator) -> Closer:
        return Closer(actor=actor)

    Who = Annotated[Closer, Depends(closer or operator_closer)]

    @router.post("/v1/conversations/{conversation_id}/close", response_model=ConversationClosed)
    def close_conversation(
        conversation_id: Annotated[str, Path(min_length=1, max_length=MAX_CONVERSATION_ID)],
        svc: Service,
        who: Who,
    ) -> dict[str, Any]:
        outcome = svc.closer.close(conversation_id, ctx=who.context(), assistant=who.assistant)
        return {"object": "discreet.conversation.closed", **outcome.as_dict()}

    @router.get("/v1/retention/report", response_model=RetentionReport)
    def retention_report(
        svc: Service,
        actor: Operator,
        horizon_days: Annotated[int, Query(ge=1, le=3650)] = 30,
    ) -> dict[str, Any]:
        return forecast(
            svc.data,
            svc.policy,
            holders=svc.holders,
            tenant=svc.tenant,
            clock=svc.clock,
            horizon_days=horizon_days,
        ).as_dict()

    @router.post("/v1/retention/run", response_model=RetentionRun)
    def retention_run(svc: Service, actor: Operator, dry_run: bool = False) -> dict[str, Any]:
        ctx = operator_context(actor, RETENTION_PURPOSE)
        return svc.runner.run(dry_run=dry_run, ctx=ctx).as_dict()

    return router
