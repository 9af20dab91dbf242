"""The last check of a turn: what the customer would receive, after rehydration.

`check_delivery` runs `guard.leaks.check` on the rehydrated answer against the vault's
blind indexes (`Vault.match_identifiers`); a leak replaces the whole answer with the
guard's blocked message (`blocked_result`) and becomes an incident record
(`leak_incident`, kinds and counts only). The transcript then stores the blocked
message, never the withheld answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent
from discreet.guard import GuardDecision, GuardResult
from discreet.guard.leaks import LeakResult, check
from discreet.transform.pseudonymizer import ConversationTurn
from discreet.vault import Vault
from discreet.vault.blind_index import IdentifierKind

INCIDENT_ACTION = "incident.cross_subject_leak"


class TurnFacts(Protocol):
    """What the check needs of a prepared turn (`steps.facts.Prepared` has it)."""

    @property
    def conversation_id(self) -> str: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def own_text(self) -> str: ...
    @property
    def ctx(self) -> AccessContext: ...
    @property
    def turn(self) -> ConversationTurn | None: ...


def check_delivery(vault: Vault, prepared: TurnFacts, text: str) -> LeakResult:
    """Leak check of `text`, the rehydrated answer of `prepared`'s conversation. Its
    customer's own words and its token-map values may appear; other subjects' not."""
    allowed = [prepared.own_text]
    if prepared.turn is not None:
        allowed.extend(prepared.turn.token_values())
    return check(text, subject=prepared.subject, allowed=allowed, lookup=vault.match_identifiers)


def blocked_result(guard: GuardResult, message: str, leak: LeakResult | GuardResult) -> GuardResult:
    """`guard`'s result turned into a blocked one (the answer replaced by `message`);
    `leak` is what blocked it (the delivery check, or the guard on a streamed piece)."""
    return replace(
        guard,
        text=message,
        blocked=True,
        decisions=frozenset({GuardDecision.BLOCKED_CROSS_SUBJECT}),
        other_subjects=leak.other_subjects,
        redacted=0,
        withheld=0,
    )


def leak_incident(tenant: str, prepared: TurnFacts, leak: LeakResult) -> AuditEvent:
    """The incident record of a blocked delivery: identifier kinds, never values."""
    return cross_subject_incident(tenant, prepared, leak.kinds, leak.other_subjects, "delivery")


def cross_subject_incident(
    tenant: str,
    prepared: TurnFacts,
    kinds: Iterable[IdentifierKind],
    other_subjects: int,
    stage: str,
) -> AuditEvent:
    """A cross-subject incident found at `stage` ("delivery": the answer; "tool": a
    tool result on the way in): identifier kinds and counts, never values."""
    return AuditEvent(
        ctx=prepared.ctx,
        tenant=tenant,
        action=INCIDENT_ACTION,
        outcome=Outcome.DENIED,
        subject=prepared.subject,
        details={
            "conversation": prepared.conversation_id,
            "entity_types": "",
            "identifier_kinds": ",".join(sorted(k.value for k in kinds)),
            "other_subjects": other_subjects,
            "stage": stage,
        },
    )


__all__ = [
    "INCIDENT_ACTION",
    "TurnFacts",
    "blocked_result",
    "check_delivery",
    "cross_subject_incident",
    "leak_incident",
]
