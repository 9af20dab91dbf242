"""Closing conversations and forgetting them.

A conversation is closed explicitly (``POST /v1/conversations/{id}/close``) or when it has
been idle longer than the policy's ``conversation.idle_timeout_minutes`` (the retention
run and its scheduler close those). Closing sets ``gateway_conversations.closed_at``;
from then on the conversation refuses new turns (the turn asks :func:`is_closed`).

Closing also forgets the conversation: its token map is destroyed (rows deleted, its own
key shredded), so its stored transcript stays only in pseudonymised form and no later
conversation can have its tokens rehydrated. That is the default (principle 2: shortest
retention). A policy keeps maps after closing only by saying so explicitly, with
``conversation.keep_token_maps_after_close_days: N``: then the map is kept N days after
closing and the retention run destroys it when they have passed. The ``token_maps``
retention rule is a different thing: it bounds how long any map is kept unused, which
matters for conversations that are never closed. A legal hold on the conversation or its
subject keeps the map; the outcome says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from discreet.audit.context import AccessContext, ActorKind, LegalBasis, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.conversations.states import (
    idle_conversations,
    lock_for_closing,
    mark_closed,
)
from discreet.errors import NotFound
from discreet.policy.policy import Policy
from discreet.retention.held import HeldSet, load_held
from discreet.store.db import Database
from discreet.vault.bindings import ConversationBindings, binding_subjects, with_token_maps
from discreet.vault.keystore import KeyStore

CLOSE_BATCH = 500

RETENTION_CONTEXT = AccessContext(
    actor="retention",
    purpose="retention",
    legal_basis=LegalBasis.LEGAL_OBLIGATION,
    actor_kind=ActorKind.SYSTEM,
)
"""The context of scheduled retention work (storage limitation, GDPR art. 5(1)(e))."""

CLOSE_ACTION = "conversation.close"


class ConversationNotFound(NotFound, LookupError):
    """No conversation with that id in this tenant (it never had a turn)."""

    code = "conversation_not_found"


@dataclass(frozen=True, slots=True)
class CloseOutcome:
    """What closing one conversation did; pseudonymous ids and flags only."""

    conversation_id: str
    closed_at: datetime
    already_closed: bool
    reason: str
    """"explicit" or "idle"."""
    token_map_destroyed: bool
    held: bool
    """A legal hold kept the token map."""
    token_map_kept_until: datetime | None
    """When a policy rule keeps the map after closing: until when (the run destroys it)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "closed_at": self.closed_at.isoformat(),
            "already_closed": self.already_closed,
            "reason": self.reason,
            "token_map_destroyed": self.token_map_destroyed,
            "held": self.held,
            "token_map_kept_until": (
                self.token_map_kept_until.isoformat() if self.token_map_kept_until else None
            ),
        }


def token_map_keep_days(policy: Policy) -> int:
    """Days a closed conversation's token map is kept: the policy's explicit
    ``conversation.keep_token_maps_after_close_days``, 0 by default (destroyed on close)."""
    return policy.conversation.keep_token_maps_after_close_days


class ConversationCloser:
    """Closes one tenant's conversations and destroys their token maps."""

    def __init__(
        self,
        data: Database,
        keys: KeyStore,
        policy: Policy,
        *,
        tenant: str,
        clock: Clock = system_clock,
    ) -> None:
        self._db = data
        self._keys = keys
        self._bindings = ConversationBindings(data, keys, clock=clock)
        self._policy = policy
        self._audit = AuditLog(data)
        self.tenant = tenant
        self._clock = clock

    def close(
        self,
        conversation_id: str,
        *,
        ctx: AccessContext,
        reason: str = "explicit",
        assistant: str | None = None,
    ) -> CloseOutcome:
        """Close the conversation (idempotent) and forget its token map unless held or
        kept by policy; ConversationNotFound if it never had a turn or, when `assistant`
        is given, belongs to another assistant (an assistant closes only its own)."""
        outcomes = self.close_many([conversation_id], ctx=ctx, reason=reason, assistant=assistant)
        if not outcomes:
            raise ConversationNotFound(
                f"no conversation {conversation_id!r} in tenant {self.tenant!r}"
            )
        return outcomes[0]

    def close_many(
        self,
        conversation_ids: Sequence[str],
        *,
        ctx: AccessContext,
        reason: str = "explicit",
        assistant: str | None = None,
        batch_size: int = CLOSE_BATCH,
    ) -> list[CloseOutcome]:
        """Close several conversations, a batch per transaction (one audit record per
        conversation, keys shredded once per batch); unknown ids are skipped."""
        held = load_held(self._db, self.tenant)
        outcomes: list[CloseOutcome] = []
        for start in range(0, len(conversation_ids), batch_size):
            part = list(conversation_ids[start : start + batch_size])
            with self._db.begin() as conn:
                outcomes += self._close_batch(conn, part, held, ctx, reason, assistant)
        if any(o.token_map_destroyed for o in outcomes):
            self._db.purge_deleted()
        return outcomes

    def _close_batch(
        self,
        conn: Connection,
        ids: list[str],
        held: HeldSet,
        ctx: AccessContext,
        reason: str,
        assistant: str | None,
    ) -> list[CloseOutcome]:
        now = now_from(self._clock)
        keep_days = token_map_keep_days(self._policy)
        rows = lock_for_closing(conn, self.tenant, ids)
        found = [r for r in rows if assistant is None or r.assistant == assistant]
        bound = binding_subjects(conn, self.tenant, [r.id for r in found])
        mark_closed(conn, self.tenant, [r.id for r in found if r.closed_at is None], now)
        plans = []
        for row in found:
            subject = bound.get(row.id) or row.subject_id
            is_held = held.covers(subject=subject, conversation=row.id)
            closed_at = as_utc(row.closed_at) if row.closed_at is not None else now
            due = closed_at + timedelta(days=keep_days) <= now
            plans.append((row, subject, is_held, closed_at, due))
        doomed = [row.id for row, _, is_held, _, due in plans if due and not is_held]
        with_maps = with_token_maps(conn, self.tenant, doomed)
        if doomed:
            self._bindings.destroy_maps(conn, self.tenant, doomed)
        outcomes = []
        for row, subject, is_held, closed_at, due in plans:
            destroyed = row.id in with_maps
            kept_until = None if due or is_held else closed_at + timedelta(days=keep_days)
            already = row.closed_at is not None
            outcome = CloseOutcome(
                row.id, closed_at, already, reason, destroyed, is_held, kept_until
            )
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action=CLOSE_ACTION,
                    outcome=Outcome.OK,
                    subject=subject,
                    details={
                        "reason": reason,
                        "already_closed": already,
                        "token_map_destroyed": destroyed,
                        "held": is_held,
                    },
                ),
                conn=conn,
            )
            outcomes.append(outcome)
        order = {cid: i for i, cid in enumerate(ids)}
        return sorted(outcomes, key=lambda o: order[o.conversation_id])

    def idle_conversations(self, *, limit: int | None = None) -> list[str]:
        """Open conversations idle longer than the policy's idle timeout, oldest first."""
        now = now_from(self._clock)
        cutoff = now - timedelta(minutes=self._policy.conversation.idle_timeout_minutes)
        with self._db.begin() as conn:
            return idle_conversations(conn, self.tenant, cutoff, limit=limit)

    def close_idle(self, *, ctx: AccessContext = RETENTION_CONTEXT) -> list[CloseOutcome]:
        """Close every idle conversation (one audit record each)."""
        return self.close_many(self.idle_conversations(), ctx=ctx, reason="idle")
