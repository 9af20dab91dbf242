"""Data-subject requests end to end: intake by customer reference, carrying each kind
out, and the completion record. What the API and the CLI call.

Carrying out a request takes the customer's reference again and checks that it belongs
to the request's subject: requests store only the pseudonymous id, and the check keeps a
typo from acting on another customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from discreet.audit.context import AccessContext
from discreet.clock import Clock, system_clock
from discreet.consent.limits import LimitKind
from discreet.consent.service import ConsentService
from discreet.policy import Policy
from discreet.rights.erasure import Eraser, ErasureMismatch, ErasureOutcome
from discreet.rights.export import SubjectExport, collect
from discreet.rights.holds import LegalHold, active_holds, release_hold, set_hold
from discreet.rights.jurisdictions import Deadlines, parse_request
from discreet.rights.requests import (
    RequestBook,
    RequestError,
    RequestKind,
    RequestState,
    RightsRequest,
)
from discreet.subjectdata import Holders
from discreet.vault import Vault


@dataclass(frozen=True, slots=True)
class Execution:
    """What carrying out a request produced."""

    request: RightsRequest
    archive: bytes | None = None
    """Access requests: the zip for the customer (never stored)."""
    erasure: ErasureOutcome | None = None


class RightsService:
    """Rights requests, legal holds and the consent they act on, over one vault."""

    def __init__(
        self,
        vault: Vault,
        *,
        holders: Holders,
        clock: Clock = system_clock,
        policy: Policy | None = None,
    ) -> None:
        self.vault = vault
        self.policy = policy  # the access report's art. 15 information comes from it
        self.db = vault.data_store
        self.clock = clock
        self.holders = holders
        self.consent = ConsentService(vault, clock=clock, policy=policy)
        self.book = RequestBook(
            self.db,
            tenant=vault.tenant,
            clock=clock,
            deadlines=Deadlines(policy.jurisdictions) if policy is not None else None,
        )
        self.eraser = Eraser(vault, holders, clock=clock)

    # --- intake and life cycle ---------------------------------------------------------

    def parse_kind(self, kind: str, scope: str | None = None) -> tuple[RequestKind, str | None]:
        """A request kind in the words of the policy's jurisdictions (``access`` ..., or
        under the CCPA ``know``, ``delete``, ``correct``, ``opt_out``) as the kind and scope
        recorded; InvalidValue for a word none of them uses."""
        names = self.policy.jurisdictions if self.policy is not None else ("gdpr",)
        return parse_request(kind, scope, names)

    def submit(
        self,
        ref: str,
        kind: RequestKind,
        *,
        channel: str,
        ctx: AccessContext,
        scope: str | None = None,
    ) -> RightsRequest:
        subject_id = self.vault.subject_id(ref, ctx=ctx)
        return self.book.receive(subject_id, kind, channel=channel, ctx=ctx, scope=scope)

    def _check_ref(self, request: RightsRequest, ref: str, ctx: AccessContext) -> None:
        if self.vault.subject_id(ref, ctx=ctx) != request.subject_id:
            raise ErasureMismatch("that reference belongs to another subject than the request's")

    # --- carrying out ------------------------------------------------------------------

    def execute(
        self,
        request_id: str,
        ref: str,
        *,
        ctx: AccessContext,
        changes: Mapping[str, str | None] | None = None,
    ) -> Execution:
        """Carry out a verified request and complete it with its record.

        An erasure blocked by a legal hold on the subject becomes blocked_by_hold (nothing
        erased); the outcome names the holds. It resumes when executed again, or by
        itself when the last hold on the subject is released (`release`).
        """
        request = self.book.get(request_id)
        if changes and request.kind is not RequestKind.RECTIFICATION:
            raise RequestError("changes are for rectification requests only")
        if request.kind is RequestKind.ERASURE:
            return self._erase(request, ref, ctx)
        self._check_ref(request, ref, ctx)
        request = self.book.ensure_started(request_id, ctx=ctx)
        result: dict[str, Any] = {"kind": request.kind.value}
        archive: bytes | None = None
        if request.kind is RequestKind.ACCESS:
            export = self.export(ref, ctx=ctx)
            archive = export.archive(policy=self.policy, reference=ref)
            result.update(counts=export.counts, archive_bytes=len(archive))
        elif request.kind is RequestKind.RECTIFICATION:
            if not changes:
                raise RequestError("a rectification needs the corrected fields")
            self.vault.update_fields(ref, changes, ctx=ctx)
            result.update(
                fields_changed=sorted(k for k, v in changes.items() if v is not None),
                fields_deleted=sorted(k for k, v in changes.items() if v is None),
            )
        elif request.kind is RequestKind.RESTRICTION:
            limit = self.consent.limits.set(
                request.subject_id,
                LimitKind.RESTRICTION,
                reason="restriction requested by the data subject",
                ctx=ctx,
                request_id=request.id,
            )
            result.update(restricted_since=limit.set_at.isoformat(), limit_id=limit.id)
        elif request.kind is RequestKind.OBJECTION:
            limit = self.consent.limits.set(
                request.subject_id,
                LimitKind.OBJECTION,
                purpose=request.scope,
                reason="objection by the data subject",
                ctx=ctx,
                request_id=request.id,
            )
            result.update(objected_to=request.scope or "*", limit_id=limit.id)
        return Execution(self.book.complete(request.id, result, ctx=ctx), archive)

    def _erase(self, request: RightsRequest, ref: str | None, ctx: AccessContext) -> Execution:
        if request.state is RequestState.COMPLETED:  # running it again changes nothing
            done = self.eraser.job_for(request_id=request.id, subject_id=request.subject_id)
            if done is not None and done.state == "completed":
                outcome = ErasureOutcome(done.id, request.subject_id, True, (), done.steps_done)
                return Execution(request, erasure=outcome)
        if request.state is not RequestState.IN_PROGRESS:
            request = self.book.ensure_started(request.id, ctx=ctx)
        outcome = self.eraser.erase(
            ref, ctx=ctx, subject_id=request.subject_id, request_id=request.id
        )
        if not outcome.completed:
            hold_ids = [hold.id for hold in outcome.blocked_by]
            request = self.book.block(request.id, hold_ids, ctx=ctx)
            return Execution(request, erasure=outcome)
        result: dict[str, Any] = {"kind": request.kind.value, **outcome.summary()}
        if outcome.held_conversations:
            result["kept_under_legal_hold"] = outcome.held_conversations
        return Execution(self.book.complete(request.id, result, ctx=ctx), erasure=outcome)

    def export(self, ref: str, *, ctx: AccessContext) -> SubjectExport:
        return collect(
            self.vault,
            ref,
            ctx=ctx,
            holders=self.holders,
            generated_at=self.book.now(),
        )

    def lift(self, request_id: str, *, ctx: AccessContext) -> int:
        """Lift the restriction or objection a completed request put in force."""
        request = self.book.get(request_id)
        if request.kind is RequestKind.RESTRICTION:
            return self.consent.limits.lift(request.subject_id, LimitKind.RESTRICTION, ctx=ctx)
        if request.kind is RequestKind.OBJECTION:
            return self.consent.limits.lift(
                request.subject_id, LimitKind.OBJECTION, purpose=request.scope, ctx=ctx
            )
        raise RequestError("only restriction and objection requests can be lifted")

    # --- legal holds -------------------------------------------------------------------

    def hold_subject(self, ref: str, reason: str, *, ctx: AccessContext) -> LegalHold:
        subject_id = self.vault.subject_id(ref, ctx=ctx)
        return set_hold(
            self.db,
            tenant=self.vault.tenant,
            reason=reason,
            ctx=ctx,
            subject_id=subject_id,
            clock=self.clock,
        )

    def hold_conversation(
        self, conversation_id: str, reason: str, *, ctx: AccessContext
    ) -> LegalHold:
        return set_hold(
            self.db,
            tenant=self.vault.tenant,
            reason=reason,
            ctx=ctx,
            conversation_id=conversation_id,
            clock=self.clock,
        )

    def release(self, hold_id: int, *, ctx: AccessContext) -> LegalHold:
        """Release a hold, then resume the erasures it blocked that no other hold blocks
        (their reference was checked when they began; the erasure job resumes by id)."""
        hold = release_hold(self.db, hold_id, tenant=self.vault.tenant, ctx=ctx, clock=self.clock)
        if hold.subject_id is not None:
            self.resume_blocked(subject_id=hold.subject_id, ctx=ctx)
        return hold

    def resume_blocked(
        self, *, ctx: AccessContext, subject_id: str | None = None
    ) -> list[RightsRequest]:
        """Run the blocked_by_hold erasures again (of one subject, or all); each completes
        or stays blocked by the holds still in force. Returns them as they are now."""
        blocked = self.book.find(state=RequestState.BLOCKED_BY_HOLD, subject_id=subject_id)
        return [self._erase(request, None, ctx).request for request in blocked]

    def holds(self) -> list[LegalHold]:
        return active_holds(self.db, tenant=self.vault.tenant)
