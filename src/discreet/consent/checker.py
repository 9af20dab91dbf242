"""`ConsentGate`: the gateway's :class:`~discreet.consent.decision.ConsentChecker`, backed
by consent records and processing limits.

One question per turn -- may this subject be served for this purpose by an assistant? --
answered in this order, first match wins (reasons are short codes, never values):

1. ``restricted``: a restriction of processing (art. 18) is in force. Nobody may process
   the subject's data until it is lifted; the gateway refuses the turn and says so.
2. ``objected``: the customer objected (art. 21) to this purpose or to all processing.
3. ``objected_ai``: the customer objected to processing by an AI assistant.
4. ``no_ai_consent``: the customer withdrew consent to AI processing (or, with
   ``require_ai_consent``, never granted it).
5. ``consent_required``: the purpose's legal basis is consent and there is no current
   grant (including anonymous conversations: nobody to hold a grant).

Reasons 2 to 5 leave a person free to help: the gateway takes the human-handoff path.
Reads are not audited here: the gateway's turn record carries the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from discreet.consent.decision import ConsentDecision
from discreet.consent.limits import LimitKind, ProcessingLimits
from discreet.consent.records import AI_PROCESSING, ConsentRegistry, ConsentState
from discreet.policy import AccessGrant
from discreet.vault import Vault

T = TypeVar("T")

RESTRICTED = "restricted"
OBJECTED = "objected"
OBJECTED_AI = "objected_ai"
NO_AI_CONSENT = "no_ai_consent"
CONSENT_REQUIRED = "consent_required"

REFUSAL_REASONS = frozenset({RESTRICTED})
"""Reasons after which nobody may process the data: refuse, do not hand off."""

REASON_TEXT: dict[str, str] = {
    RESTRICTED: "processing of this customer's data is restricted (GDPR art. 18) until lifted",
    OBJECTED: "the customer objected to processing for this purpose (GDPR art. 21)",
    OBJECTED_AI: "the customer objected to being served by an AI assistant",
    NO_AI_CONSENT: "the customer has not consented to being served by an AI assistant",
    CONSENT_REQUIRED: "this purpose needs the customer's consent, and there is no current grant",
}
"""A sentence per reason, for clients, operators and the handoff note."""


def is_refusal(decision: ConsentDecision) -> bool:
    """True when the turn must be refused outright rather than handed to a human."""
    return not decision.allowed and decision.reason in REFUSAL_REASONS


class ConsentGate:
    """Implements the gateway's `ConsentChecker` protocol (``check(subject, grant)``)."""

    def __init__(
        self,
        consents: ConsentRegistry,
        limits: ProcessingLimits,
        *,
        require_ai_consent: bool = False,
    ) -> None:
        self._consents = consents
        self._limits = limits
        self._require_ai_consent = require_ai_consent

    @classmethod
    def for_vault(cls, vault: Vault, *, require_ai_consent: bool = False) -> ConsentGate:
        """The gate over the consent records in `vault`'s data store (same tenant)."""
        db = vault.data_store
        return cls(
            ConsentRegistry(db, tenant=vault.tenant),
            ProcessingLimits(db, tenant=vault.tenant),
            require_ai_consent=require_ai_consent,
        )

    def subjects_for_export(self, purpose: str) -> frozenset[str]:
        """Subjects whose data may go into an export for a consent-based purpose
        (``model_training``, ``analytics``): a current grant, and no restriction or
        objection in force for it."""
        granted = self._consents.subjects_with_grant(purpose)
        return granted - self._limits.subjects_limited_for(purpose) if granted else granted

    def filter_for_export(
        self, items: Iterable[T], purpose: str, subject_of: Callable[[T], str | None]
    ) -> Iterator[T]:
        """Only the items of subjects in :meth:`subjects_for_export` (items of no known
        subject are left out too). The allowed set is read once, when iteration starts."""
        allowed = self.subjects_for_export(purpose)
        for item in items:
            subject = subject_of(item)
            if subject is not None and subject in allowed:
                yield item

    def check(self, subject: str | None, grant: AccessGrant) -> ConsentDecision:
        return self.check_purpose(subject, grant.purpose, requires_consent=grant.requires_consent)

    def check_purpose(
        self, subject: str | None, purpose: str, *, requires_consent: bool
    ) -> ConsentDecision:
        """The same decision for any processing that is not a chat turn (exports, jobs)."""
        if subject is None:
            if requires_consent or self._require_ai_consent:
                return ConsentDecision(False, CONSENT_REQUIRED)
            return ConsentDecision(True)
        limits = self._limits.active(subject)
        if any(limit.kind is LimitKind.RESTRICTION for limit in limits):
            return ConsentDecision(False, RESTRICTED)
        for limit in limits:
            if limit.purpose == AI_PROCESSING:
                return ConsentDecision(False, OBJECTED_AI)
            if limit.covers(purpose):
                return ConsentDecision(False, OBJECTED)
        current = self._consents.current(subject)
        ai = current.get(AI_PROCESSING)
        if (ai is not None and ai.state is ConsentState.WITHDRAWN) or (
            self._require_ai_consent and (ai is None or not ai.granted)
        ):
            return ConsentDecision(False, NO_AI_CONSENT)
        if requires_consent:
            own = current.get(purpose)
            if own is None or not own.granted:
                return ConsentDecision(False, CONSENT_REQUIRED)
        return ConsentDecision(True)
