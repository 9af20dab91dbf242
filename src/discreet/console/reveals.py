"""Reveal grants: one member of staff may see one value (a subject's field, or one token
of one conversation) for a stated reason, until the grant expires.

The console shows values masked. Revealing one takes a reason code (:data:`REASONS`,
which becomes the purpose of the audited read) and a short note; the grant lasts the
policy's ``console.reveal_minutes`` and covers only its holder, only that value. Each
page view that shows the value reads it through the vault again, audited with that
purpose, so the audit log lists every time it was seen.

:class:`RevealGrants` is the subject-data holder of ``console_reveal_grants`` (its rows
name a subject's pseudonymous id or a conversation id): it alone reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, delete, select

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.console.errors import AccountInputError
from discreet.store.console_models import REASON_LEN, ConsoleRevealGrant
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.sql import not_held, of_scope
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, SubjectScope

_G = table_of(ConsoleRevealGrant)
KIND: Final = "console_reveal_grants"

REASONS: Final = {
    "caller_verification": "verifying the identity of a customer on the line",
    "complaint_investigation": "investigating a complaint about this conversation",
    "delivery_problem": "resolving a delivery or order problem the customer raised",
    "fraud_check": "checking suspected fraud",
    "legal_claim": "establishing or defending a legal claim",
    "data_subject_request": "answering the customer's data-subject request",
}
"""Reason codes for revealing a value; each is the purpose of the audited read."""


@dataclass(frozen=True, slots=True)
class RevealGrant:
    id: int
    tenant: str
    username: str
    subject_id: str | None
    conversation_id: str | None
    item: str
    reason: str
    note: str
    granted_at: datetime
    expires_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "subject_id": self.subject_id,
            "conversation_id": self.conversation_id,
            "item": self.item,
            "reason": self.reason,
            "note": self.note,
            "granted_at": self.granted_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def _grant(row: Any) -> RevealGrant:
    return RevealGrant(
        id=int(row.id),
        tenant=row.tenant,
        username=row.username,
        subject_id=row.subject_id,
        conversation_id=row.conversation_id,
        item=row.item,
        reason=row.reason,
        note=row.note,
        granted_at=as_utc(row.granted_at),
        expires_at=as_utc(row.expires_at),
    )


def check_reason(reason: str, note: str) -> tuple[str, str]:
    if reason not in REASONS:
        raise AccountInputError(f"unknown reason {reason!r}; expected one of: {', '.join(REASONS)}")
    note = note.strip()
    if not note or len(note) > REASON_LEN or any(ord(ch) < 32 for ch in note):
        raise AccountInputError(
            f"a reveal needs a note of 1 to {REASON_LEN} printable characters saying why"
        )
    return reason, note


class RevealGrants(OneRule):
    """The holder of ``console_reveal_grants``."""

    kind = KIND

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock

    @property
    def name(self) -> str:
        return KIND

    @property
    def tables(self) -> tuple[str, ...]:
        return (_G.name,)

    erasable = True

    # --- the console's use ------------------------------------------------------------

    def grant(
        self,
        tenant: str,
        username: str,
        *,
        item: str,
        reason: str,
        note: str,
        minutes: int,
        subject_id: str | None = None,
        conversation_id: str | None = None,
    ) -> RevealGrant:
        if (subject_id is None) == (conversation_id is None):
            raise ValueError("a grant is for a subject's field or a conversation's token")
        reason, note = check_reason(reason, note)
        now = now_from(self.clock)
        with self.db.begin() as conn:
            new_id = conn.execute(
                _G.insert()
                .values(
                    tenant=tenant,
                    username=username,
                    subject_id=subject_id,
                    conversation_id=conversation_id,
                    item=item,
                    reason=reason,
                    note=note,
                    granted_at=now,
                    expires_at=now + timedelta(minutes=minutes),
                )
                .returning(_G.c.id)
            ).scalar_one()
            row = conn.execute(select(_G).where(_G.c.id == new_id)).one()
        return _grant(row)

    def active(
        self,
        tenant: str,
        username: str,
        *,
        subject_id: str | None = None,
        conversation_id: str | None = None,
    ) -> list[RevealGrant]:
        """The user's unexpired grants on one subject or one conversation."""
        now = now_from(self.clock)
        query = select(_G).where(
            _G.c.tenant == tenant, _G.c.username == username, _G.c.expires_at > now
        )
        if subject_id is not None:
            query = query.where(_G.c.subject_id == subject_id)
        if conversation_id is not None:
            query = query.where(_G.c.conversation_id == conversation_id)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(_G.c.id)).all()
        return [_grant(row) for row in rows]

    def recent(self, tenant: str, *, limit: int = 50) -> list[RevealGrant]:
        """The newest grants of the tenant (for auditors: who revealed what, why)."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(_G).where(_G.c.tenant == tenant).order_by(_G.c.id.desc()).limit(limit)
            ).all()
        return [_grant(row) for row in rows]

    # --- the subject-data protocol ----------------------------------------------------

    @staticmethod
    def _about(scope: SubjectScope) -> ColumnElement[bool]:
        return of_scope(
            scope, tenant=_G.c.tenant, subject=_G.c.subject_id, conversation=_G.c.conversation_id
        )

    @staticmethod
    def _not_held(held: Held) -> ColumnElement[bool]:
        # NULL-safe: a grant on a conversation has no subject id, and vice versa.
        return not_held(held, subject=_G.c.subject_id, conversation=_G.c.conversation_id)

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            rows = conn.execute(select(_G).where(self._about(scope)).order_by(_G.c.id)).all()
        return [_grant(row).as_dict() for row in rows]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        if held.covers(subject=scope.subject_id):
            # A hold on the subject covers its conversations, whose grants carry no subject.
            return 0
        with self.db.begin() as conn:
            result = conn.execute(delete(_G).where(self._about(scope), self._not_held(held)))
        return int(result.rowcount)

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        cutoff = now - timedelta(days=days)
        due = and_(_G.c.tenant == tenant, _G.c.granted_at <= cutoff)
        with self.db.begin() as conn:
            rows = conn.execute(select(_G.c.subject_id, _G.c.conversation_id).where(due)).all()
            kept = sum(
                1 for r in rows if held.covers(subject=r.subject_id, conversation=r.conversation_id)
            )
            deleted = len(rows) - kept
            line = Expiry(KIND, None, days, deleted, kept)
            if not dry_run and deleted:
                conn.execute(delete(_G).where(due, self._not_held(held)))
                batching.report(conn, line)
        return [line]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(_G.c.granted_at, _G.c.subject_id, _G.c.conversation_id).where(
                    _G.c.tenant == tenant
                )
            ).all()
        starts = (
            (
                as_utc(r.granted_at),
                held.covers(subject=r.subject_id, conversation=r.conversation_id),
            )
            for r in rows
        )
        return self.due_after(days, now, horizon_days, starts)
