"""The `record` step: ONE transaction for the turn's state, its transcript (the new
messages and the answer, pseudonymised) and its audit record (with the incident, if
any); and the refused turn's audit record (best effort).
"""

from __future__ import annotations

from contextlib import suppress

from discreet.audit.context import AccessContext, ActorKind, Outcome
from discreet.audit.context import LegalBasis as AuditLegalBasis
from discreet.audit.log import AuditEvent, DetailValue
from discreet.conversations.fence import SubjectErasing
from discreet.conversations.states import ConversationClosed, TurnUpdate
from discreet.detect.entities import ENTITY_INFO
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.steps.admit import closed
from discreet.gateway.steps.deliver import types_text
from discreet.gateway.steps.facts import Delivery, Prepared, TurnRequest, TurnResult
from discreet.gateway.steps.services import TurnServices
from discreet.store.errors import StorageError

TURN_ACTION = "gateway.turn"


def categories_sent(services: TurnServices, prepared: Prepared) -> set[str]:
    """Data categories that reached the model: context fields' and detected types'."""
    categories: set[str] = set()
    if prepared.outbound is None:
        return categories
    for name in prepared.outbound.sent_fields:
        with suppress(KeyError):
            categories.add(services.policy.category_of(name))
    categories.update(ENTITY_INFO[t].category.value for t in prepared.outbound.entities_in)
    return categories


def turn_event(services: TurnServices, prepared: Prepared, delivery: Delivery) -> AuditEvent:
    """The turn's audit record: counts, types and decisions, never a value."""
    outbound = prepared.outbound
    guard = delivery.guard
    details: dict[str, DetailValue] = {
        "conversation": prepared.conversation_id,
        "key_id": prepared.request.key.key_id,
        "backend": "embedded" if services.embedded_assistant is not None else "upstream",
        "stream": prepared.request.stream,
        "messages": len(prepared.request.messages),
        "entities_in": types_text(outbound.entities_in) if outbound else "",
        "entities_out": types_text(guard.found_types) if guard else "",
        "guard": ",".join(sorted(guard.decisions)) if guard else "not_run",
        "redacted": guard.redacted if guard else 0,
        "withheld": guard.withheld if guard else 0,
        "unknown_tokens_stripped": delivery.unknown_tokens,
        "outbound_withheld": outbound.withheld if outbound else 0,
        "delivery_lookups": delivery.delivery_lookups,
        "signals": ",".join(sorted(prepared.heard.signals)),
        "handoff": delivery.handoff or "",
        "cut_short": delivery.cut_short or "",
        "context_fields_dropped": ",".join(sorted(outbound.dropped_fields)) if outbound else "",
        "history_messages": outbound.history_messages if outbound else 0,
        "disclosure": prepared.admitted.first_turn,
    }
    return AuditEvent(
        ctx=prepared.ctx,
        tenant=services.vault.tenant,
        action=TURN_ACTION,
        outcome=Outcome.DENIED if delivery.blocked else Outcome.OK,
        subject=prepared.subject,
        categories=tuple(categories_sent(services, prepared)),
        fields=tuple(sorted(outbound.sent_fields)) if outbound else (),
        details=details,
    )


def record(services: TurnServices, prepared: Prepared, delivery: Delivery) -> TurnResult:
    """Store the turn (state, transcript, audit) in one transaction; its number."""
    event = turn_event(services, prepared, delivery)
    try:
        number = services.states.record_turn(
            TurnUpdate(
                prepared.conversation_id,
                prepared.request.key.assistant,
                prepared.subject,
                delivery.handoff,
                delivery.transcript,
            ),
            [event] if delivery.incident is None else [delivery.incident, event],
            erasures=services.erasures,
        )
    except ConversationClosed:
        raise closed() from None
    except SubjectErasing as exc:
        raise TurnRefused(409, exc.code, str(exc)) from None
    except StorageError as exc:
        raise TurnRefused(
            503, "audit_unavailable", f"audit log unavailable: {type(exc).__name__}"
        ) from None
    return TurnResult(
        conversation_id=prepared.conversation_id,
        text="".join(delivery.pieces),
        pieces=delivery.pieces,
        model=prepared.request.model,
        handoff=delivery.handoff,
        blocked=delivery.blocked,
        turn=number,
    )


def audit_refusal(
    services: TurnServices,
    request: TurnRequest,
    prepared: Prepared | None,
    refused: TurnRefused,
) -> None:
    """Best effort: a refused turn is audited too, unless the audit log is what failed."""
    ctx = (
        prepared.ctx
        if prepared is not None
        else AccessContext(
            actor=request.key.assistant,
            purpose=request.purpose or "unknown",
            legal_basis=AuditLegalBasis.LEGITIMATE_INTERESTS,
            actor_kind=ActorKind.ASSISTANT,
        )
    )
    event = AuditEvent(
        ctx=ctx,
        tenant=services.vault.tenant,
        action=TURN_ACTION,
        outcome=Outcome.DENIED if refused.status < 500 else Outcome.ERROR,
        subject=prepared.subject if prepared is not None else None,
        details={
            "conversation": prepared.conversation_id if prepared is not None else "",
            "key_id": request.key.key_id,
            "status": refused.status,
            "reason": refused.code,
        },
    )
    with suppress(Exception):
        services.vault.audit_log.append(event)


__all__ = ["TURN_ACTION", "audit_refusal", "categories_sent", "record", "turn_event"]
