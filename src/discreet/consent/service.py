"""Consent by the customer's reference: what the API and the CLI call.

Resolves the reference to the pseudonymous subject id through the vault (an audited
look-up), then records or reads consent by that id only.
"""

from __future__ import annotations

from dataclasses import dataclass

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent
from discreet.clock import Clock, system_clock
from discreet.consent.checker import ConsentGate
from discreet.consent.limits import ProcessingLimit, ProcessingLimits
from discreet.consent.records import Action, ConsentRecord, ConsentRegistry, ConsentState
from discreet.policy import Policy
from discreet.vault import Vault


@dataclass(frozen=True, slots=True)
class ConsentOverview:
    """A subject's consent as shown to an operator or the customer."""

    subject_id: str
    current: dict[str, ConsentRecord]
    history: list[ConsentRecord]
    limits: list[ProcessingLimit]

    def as_dict(self) -> dict[str, object]:
        return {
            "subject_id": self.subject_id,
            "current": {p: r.as_dict() for p, r in sorted(self.current.items())},
            "history": [r.as_dict() for r in self.history],
            "processing_limits": [limit.as_dict() for limit in self.limits],
        }


class ConsentService:
    """Consent records, processing limits and the gateway's gate over one vault."""

    def __init__(
        self,
        vault: Vault,
        *,
        clock: Clock = system_clock,
        policy: Policy | None = None,
        require_ai_consent: bool = False,
    ) -> None:
        db = vault.audit_log.db
        self.vault = vault
        self.registry = ConsentRegistry(
            db,
            tenant=vault.tenant,
            clock=clock,
            purposes=None if policy is None else policy.purposes.keys(),
        )
        self.limits = ProcessingLimits(db, tenant=vault.tenant, clock=clock)
        self.gate = ConsentGate(self.registry, self.limits, require_ai_consent=require_ai_consent)

    def record(
        self,
        ref: str,
        purpose: str,
        state: ConsentState,
        *,
        notice_version: str,
        channel: str,
        ctx: AccessContext,
    ) -> ConsentRecord:
        subject_id = self.vault.subject_id(ref, ctx=ctx)
        return self.registry.record(
            subject_id, purpose, state, notice_version=notice_version, channel=channel, ctx=ctx
        )

    def show(self, ref: str, *, ctx: AccessContext) -> ConsentOverview:
        """Current state, full history and processing limits (an audited read)."""
        subject_id = self.vault.subject_id(ref, ctx=ctx)
        history = self.registry.history(subject_id)
        current: dict[str, ConsentRecord] = {}
        for entry in history:
            current[entry.purpose] = entry
        self.vault.audit_log.append(
            AuditEvent(
                ctx=ctx,
                tenant=self.vault.tenant,
                action=Action.READ.value,
                outcome=Outcome.OK,
                subject=subject_id,
                details={"records": len(history)},
            )
        )
        return ConsentOverview(subject_id, current, history, self.limits.history(subject_id))
