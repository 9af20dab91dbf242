"""The consent decision: may this subject's data be processed for this purpose?

A leaf below both the gateway (which asks) and the consent records (which answer): it
depends on the policy's types only, so neither imports the other to agree on the question.

This is the ONE place where per-customer permission plugs into a chat turn. The consent
component (consent records, GDPR art. 7) implements `ConsentChecker`; restrictions of
processing (art. 18) and objections (art. 21) answer through the same protocol later, so
the gateway keeps a single question to ask. `discreet.consent.ConsentGate` is that
implementation (`discreet serve` wires it in); `AllowAll`, the default of a bare
`Gateway`, answers yes, which is
correct for purposes whose legal basis is not consent (contract, legitimate interests):
the policy decides those. A purpose that requires consent with no checker wired in is a
deployment decision made explicit by `RequireConsentChecker` (refuse such turns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from discreet.policy import AccessGrant


@dataclass(frozen=True, slots=True)
class ConsentDecision:
    """Whether processing may go ahead; `reason` is a short code for audit and clients."""

    allowed: bool
    reason: str = "allowed"


@runtime_checkable
class ConsentChecker(Protocol):
    """Answers, per turn, whether `subject` (a pseudonymous id, or None for an anonymous
    conversation) may be served by `grant.assistant` for `grant.purpose`."""

    def check(self, subject: str | None, grant: AccessGrant) -> ConsentDecision: ...


class AllowAll:
    """The default: no per-customer limits yet (the consent issue plugs in here)."""

    def check(self, subject: str | None, grant: AccessGrant) -> ConsentDecision:
        return ConsentDecision(True)


class RequireConsentChecker:
    """Refuses purposes that need consent (no consent records to consult); allows others."""

    def check(self, subject: str | None, grant: AccessGrant) -> ConsentDecision:
        if grant.requires_consent:
            return ConsentDecision(False, "consent_required")
        return ConsentDecision(True)
