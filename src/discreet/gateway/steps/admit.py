"""The first steps of a turn: `admit` (policy, conversation, binding), `listen` (the
customer's own words) and `decide` (consent and handoff: may the model answer at all?).

Each refuses with `TurnRefused` at the first failure, before anything is read of the
subject (fail closed).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from discreet.audit.context import AccessContext, ActorKind
from discreet.audit.context import LegalBasis as AuditLegalBasis
from discreet.clock import as_utc
from discreet.consent import REASON_TEXT, is_refusal
from discreet.conversations.states import ConversationState
from discreet.gateway.context import message_text
from discreet.gateway.handoff import asks_for_a_person, handoff_holds
from discreet.gateway.idshape import check_opaque_id
from discreet.gateway.refusals import TurnRefused
from discreet.gateway.steps.facts import Admitted, Heard, ShortAnswer, TurnRequest
from discreet.gateway.steps.services import TurnServices
from discreet.policy import PolicyDenied, UnknownAssistant, UnknownPurpose
from discreet.vault import ConversationSubjectConflict, SubjectNotFound

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,200}$")
NOT_ALLOWED_MESSAGES: dict[str, str] = {
    "en": "This request can't be handled by the AI assistant.",
    "nl": "Dit verzoek kan de AI-assistent niet afhandelen.",
    "de": "Diese Anfrage kann der KI-Assistent nicht bearbeiten.",
    "fr": "L'assistant IA ne peut pas traiter cette demande.",
}
NOT_ALLOWED_MESSAGE = NOT_ALLOWED_MESSAGES["en"]


def not_allowed_message(language: str | None) -> str:
    """Why the AI assistant does not answer, in the customer's language."""
    return NOT_ALLOWED_MESSAGES.get(language or "", NOT_ALLOWED_MESSAGE)


def check_conversation_id(value: str) -> str:
    if not _CONVERSATION_ID.match(value):
        raise TurnRefused(
            400,
            "invalid_conversation_id",
            "X-Discreet-Conversation must be 1-200 characters of letters, digits and ._:@-",
        )
    return value


def admit(services: TurnServices, request: TurnRequest) -> Admitted:
    """Policy (403), the conversation (open, this assistant's: 409) and its subject
    (bound for good: 409 on a switch, 404 for an unknown reference)."""
    assistant = request.key.assistant
    try:
        spec = services.policy.assistant(assistant)
        purpose = request.purpose or spec.purposes[0]
        grant = services.policy.access(assistant, purpose)
    except (PolicyDenied, UnknownPurpose, UnknownAssistant) as exc:
        raise TurnRefused(403, "purpose_not_allowed", str(exc)) from None
    ctx = AccessContext(
        actor=assistant,
        purpose=grant.purpose,
        legal_basis=AuditLegalBasis(grant.legal_basis.value),
        actor_kind=ActorKind.ASSISTANT,
    )
    conversation_id = check_conversation_id(
        request.conversation_id or f"conv_{secrets.token_hex(12)}"
    )
    state = services.states.get(conversation_id)
    # Ids are stored and audited in the clear: "jan@example.com" must not be one.
    # Checked when the conversation starts; a stored id passed this check then.
    # By shape and by blind index (gateway/idshape.py), not by the detector, which
    # took random opaque ids for names and numbers.
    if state is None and request.conversation_id is not None:
        check_opaque_id(conversation_id, services.vault.match_identifiers)
    if state is not None and state.assistant != assistant:
        raise TurnRefused(
            409, "conversation_assistant_conflict", "conversation belongs to another assistant"
        )
    if state is not None and state.closed_at is not None:
        raise closed()
    subject: str | None = None
    # A conversation this gateway bound on an earlier turn stays bound for good: its
    # subject comes from the state row, and the turn's one vault read confirms that the
    # reference still names it (refusing before anything is read otherwise). A new
    # conversation is bound first, so the consent check knows its subject.
    confirm = state is not None and state.subject is not None
    if request.subject_ref is not None:
        subject = state.subject if state is not None and confirm else None
        if subject is None:
            subject = _bind(services, conversation_id, request.subject_ref, ctx)
    elif confirm or services.vault.conversation_subject(conversation_id, ctx=ctx) is not None:
        raise subject_conflict("conversation is bound to a subject: send its X-Discreet-Subject")
    return Admitted(
        request=request,
        conversation_id=conversation_id,
        grant=grant,
        ctx=ctx,
        subject=subject,
        state=state,
        confirm=confirm,
        first_turn=state is None or state.turns == 0,
        started_at=as_utc(state.created_at) if state is not None else datetime.now(UTC),
    )


def listen(services: TurnServices, request: TurnRequest) -> Heard:
    """The customer's messages, their signals and ONE language for the whole turn,
    identified from the customer's own words (short texts, context values or "ok",
    cannot be identified on their own): detection uses it, and the customer reads the
    disclosure and handoff texts in it."""
    user_texts = tuple(message_text(m) for m in request.messages if m.get("role") == "user")
    own_text = "\n".join(user_texts)
    return Heard(
        user_texts=user_texts,
        own_text=own_text,
        language=services.cache.language_of(own_text, services.detector.config.default_language),
        signals=services.cache.signals_of(user_texts),
    )


def decide(services: TurnServices, admitted: Admitted, heard: Heard) -> ShortAnswer | None:
    """Whether the model may answer: a restriction of processing refuses the turn (403
    with the reason); no consent, a conversation with a person, or a customer asking for
    one get a short answer instead. None: the model answers."""
    decision = services.consent.check(admitted.subject, admitted.grant)
    if is_refusal(decision):
        # A restriction (art. 18) stops all processing, a human's included: refuse,
        # and say why, rather than promise a colleague who may not help either.
        raise TurnRefused(403, "processing_restricted", REASON_TEXT[decision.reason])
    handoff = services.policy.handoff
    language = heard.language
    short: ShortAnswer | None = None
    if not decision.allowed:
        # Say so, hand over to a person, and mark the conversation with the reason.
        short = ShortAnswer(
            f"{not_allowed_message(language)} {handoff.in_language(language)}",
            decision.reason,
        )
    elif admitted.state is not None and _handoff_holds(services, admitted.state, admitted.ctx):
        # Handed to a person: the model answers no more until the handoff is released.
        short = ShortAnswer(
            handoff.in_language(language), admitted.state.handoff_reason or "customer_request"
        )
    elif asks_for_a_person(heard.last_user, language, handoff.triggers):
        short = ShortAnswer(handoff.in_language(language), "customer_request")
    if short is not None and admitted.confirm and admitted.request.subject_ref is not None:
        # Nothing is read for a short answer, but a wrong reference is still refused.
        confirm(admitted.subject, _lookup(services, admitted.request.subject_ref, admitted.ctx))
    return short


def _handoff_holds(services: TurnServices, state: ConversationState, ctx: AccessContext) -> bool:
    """Whether the conversation stays with a person; one past the policy's
    ``release_after_minutes`` is released here (audited) and goes back to the model."""
    after = services.policy.handoff.release_after_minutes
    if handoff_holds(state.handoff, state.updated_at, datetime.now(UTC), after):
        return True
    if state.handoff:
        services.states.release_handoff(
            state.conversation_id, ctx=ctx, reason=f"quiet for {after} minutes (policy)"
        )
    return False


def _bind(
    services: TurnServices, conversation_id: str, subject_ref: str, ctx: AccessContext
) -> str:
    try:
        return services.vault.bind_conversation(conversation_id, subject_ref, ctx=ctx)
    except ConversationSubjectConflict:
        raise subject_conflict("conversation is bound to another subject") from None
    except SubjectNotFound:
        raise subject_not_found() from None


def _lookup(services: TurnServices, subject_ref: str, ctx: AccessContext) -> str:
    try:
        return services.vault.subject_id(subject_ref, ctx=ctx)
    except SubjectNotFound:
        raise subject_not_found() from None


def confirm(bound: str | None, seen: str | None) -> None:
    """The reference read now names the subject the conversation is bound to (409)."""
    if seen is None or seen != bound:
        raise subject_conflict("conversation is bound to another subject")


def closed() -> TurnRefused:
    return TurnRefused(
        409,
        "conversation_closed",
        "this conversation is closed and takes no more turns; start a new conversation "
        "(another X-Discreet-Conversation, or none)",
    )


def subject_conflict(message: str) -> TurnRefused:
    return TurnRefused(409, "conversation_subject_conflict", message)


def subject_not_found() -> TurnRefused:
    return TurnRefused(404, "subject_not_found", "no subject with that reference")


__all__ = [
    "NOT_ALLOWED_MESSAGE",
    "NOT_ALLOWED_MESSAGES",
    "admit",
    "check_conversation_id",
    "closed",
    "confirm",
    "decide",
    "listen",
    "not_allowed_message",
    "subject_conflict",
    "subject_not_found",
]
