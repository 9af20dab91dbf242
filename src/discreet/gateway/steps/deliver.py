"""The `deliver` step: guard the model's answer, rehydrate it, check what the customer
would receive, and put the AI disclosure before a conversation's first answer.

1. the output guard on the still-pseudonymised answer (cross-subject leaks found by
   detection block it; secrets are redacted; unexplained personal data is withheld);
2. rehydration with this conversation's tokens only (unknown tokens are stripped);
3. the delivery check of the rehydrated text (guard/leaks.py through
   gateway/delivery.py): another subject's identifier, however spelled, blocks it.

A block replaces the whole answer by the guard's blocked message, hands the conversation
to a person ("answer_blocked") and comes with an incident record; the transcript then
stores the blocked message, never the withheld answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from discreet.audit.context import Outcome
from discreet.audit.log import AuditEvent
from discreet.detect.entities import EntityType
from discreet.gateway.delivery import INCIDENT_ACTION, blocked_result, check_delivery, leak_incident
from discreet.gateway.limits import too_large
from discreet.gateway.steps.facts import Answer, Delivery, Prepared
from discreet.gateway.steps.services import TurnServices
from discreet.guard import GuardResult


def types_text(types: Iterable[EntityType]) -> str:
    """Entity types as the audit record lists them: sorted values, comma-separated."""
    return ",".join(sorted(t.value for t in types))


def guard_answer(services: TurnServices, prepared: Prepared, answer: str) -> GuardResult:
    """The output guard on the pseudonymised `answer` (detection-based)."""
    assert prepared.outbound is not None
    if len(answer) > services.detector.config.max_chars:
        # The upstream's fault, not the client's: 502, not 413 (gateway/limits.py).
        raise too_large(services.detector.config.max_chars)
    vault = services.vault
    return services.guard.check(
        answer,
        subject=prepared.subject,
        known_values=list(prepared.outbound.known_values),
        own_text=prepared.own_text,
        language=prepared.heard.language,
        lookup=lambda queries: vault.find_subjects_by_identifiers(queries, ctx=prepared.ctx),
    )


def guard_incident(services: TurnServices, prepared: Prepared, guard: GuardResult) -> AuditEvent:
    """The incident record of an answer the output guard blocked: types, never values."""
    return AuditEvent(
        ctx=prepared.ctx,
        tenant=services.vault.tenant,
        action=INCIDENT_ACTION,
        outcome=Outcome.DENIED,
        subject=prepared.subject,
        details={
            "conversation": prepared.conversation_id,
            "entity_types": types_text(guard.leaked_types),
            "other_subjects": guard.other_subjects,
        },
    )


def disclosed(services: TurnServices, prepared: Prepared, pieces: list[str]) -> tuple[str, ...]:
    """`pieces` without empty ones, after the AI disclosure on a first answer."""
    if prepared.admitted.first_turn:
        pieces = [services.policy.disclosure.in_language(prepared.heard.language) + "\n\n", *pieces]
    return tuple(p for p in pieces if p)


def deliver(services: TurnServices, prepared: Prepared, answer: Answer) -> Delivery:
    """What the customer receives of `answer` (see the module's docstring)."""
    handoff = answer.handoff
    if prepared.outbound is None:  # a short answer: nothing to guard, nothing stored
        return Delivery(
            disclosed(services, prepared, list(answer.pieces)),
            None,
            None,
            (),
            0,
            0,
            handoff,
        )
    outbound = prepared.outbound
    text = "".join(answer.pieces)
    guard = guard_answer(services, prepared, text)
    incident: AuditEvent | None = None
    if guard.blocked:
        handoff = handoff or "answer_blocked"
        incident = guard_incident(services, prepared, guard)
    rehydrator = outbound.turn.streaming_rehydrator()
    source = answer.pieces if guard.text == text else (guard.text,)
    pieces = [rehydrator.feed(piece) for piece in source]
    pieces.append(rehydrator.flush())
    # The stored transcript gets the guarded answer before rehydration: tokens.
    transcript = (*outbound.transcript, ("assistant", guard.text))
    lookups = 0
    if not guard.blocked:
        # What the customer would read, checked as such (guard/leaks.py).
        delivered = check_delivery(services.vault, prepared, "".join(pieces))
        lookups = delivered.lookups
        if delivered.leaked:
            guard = blocked_result(guard, services.guard.blocked_message, delivered)
            handoff = handoff or "answer_blocked"
            incident = leak_incident(services.vault.tenant, prepared, delivered)
            pieces = [guard.text]
            transcript = (*outbound.transcript, ("assistant", guard.text))
    return Delivery(
        disclosed(services, prepared, pieces),
        guard,
        incident,
        transcript,
        len(rehydrator.unknown_tokens),
        lookups,
        handoff,
    )


__all__ = ["deliver", "disclosed", "guard_answer", "guard_incident", "types_text"]
