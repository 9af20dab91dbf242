"""Legal holds: a subject, or one conversation, that must not be erased or deleted
(litigation, an investigation, a statutory duty) until the hold is released.

Shared with the retention jobs: anything that deletes customer data asks
:func:`active_holds` first. Holds name subjects by pseudonymous id only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, or_, select, update

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.consent.limits import check_reason
from discreet.errors import InvalidValue, NotFound
from discreet.store.db import Database
from discreet.store.governance_models import LegalHoldRow
from discreet.store.holder import TableHolder
from discreet.store.models import table_of

_H = table_of(LegalHoldRow)


class HoldNotFound(NotFound, LookupError):
    """No active hold with that id in this tenant."""

    code = "hold_not_found"


@dataclass(frozen=True, slots=True)
class LegalHold:
    id: int
    subject_id: str | None
    conversation_id: str | None
    reason: str
    set_by: str
    set_at: datetime
    released_at: datetime | None

    @property
    def target(self) -> str:
        """What it covers, for answers and reports: "subject" or "conversation <id>"."""
        if self.subject_id:
            return f"subject {self.subject_id}"
        return f"conversation {self.conversation_id}"

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "conversation_id": self.conversation_id,
            "reason": self.reason,
            "set_by": self.set_by,
            "set_at": self.set_at.isoformat(),
            "released_at": self.released_at.isoformat() if self.released_at else None,
        }


def _hold(row: Any) -> LegalHold:
    return LegalHold(
        id=int(row.id),
        subject_id=row.subject_id,
        conversation_id=row.conversation_id,
        reason=row.reason,
        set_by=row.set_by,
        set_at=as_utc(row.set_at),
        released_at=as_utc(row.released_at) if row.released_at is not None else None,
    )


def _event(ctx: AccessContext, tenant: str, action: str, hold: LegalHold) -> AuditEvent:
    return AuditEvent(
        ctx=ctx,
        tenant=tenant,
        action=action,
        outcome=Outcome.OK,
        subject=hold.subject_id,
        details={"hold_id": hold.id, "scope": "subject" if hold.subject_id else "conversation"},
    )


MAX_CONVERSATION_ID = 200


def _is_conversation_id(value: str) -> bool:
    return bool(value.strip()) and len(value) <= MAX_CONVERSATION_ID and value.isprintable()


def set_hold(
    db: Database,
    *,
    tenant: str,
    reason: str,
    ctx: AccessContext,
    subject_id: str | None = None,
    conversation_id: str | None = None,
    clock: Clock = system_clock,
) -> LegalHold:
    """Put a hold on a subject or on one conversation (exactly one of the two)."""
    if (subject_id is None) == (conversation_id is None):
        raise InvalidValue("a legal hold covers either a subject or a conversation")
    if conversation_id is not None and not _is_conversation_id(conversation_id):
        # An empty or blank id would be a hold on nothing that reads as a hold.
        raise InvalidValue(
            f"a conversation id is 1 to {MAX_CONVERSATION_ID} printable characters, not blank",
            param="conversation_id",
        )
    reason = check_reason(reason)
    now = now_from(clock)
    with db.begin() as conn:
        new_id = conn.execute(
            _H.insert().returning(_H.c.id),
            {
                "tenant": tenant,
                "subject_id": subject_id,
                "conversation_id": conversation_id,
                "reason": reason,
                "set_by": ctx.actor,
                "set_at": now,
            },
        ).scalar_one()
        hold = LegalHold(int(new_id), subject_id, conversation_id, reason, ctx.actor, now, None)
        AuditLog(db).append(_event(ctx, tenant, "legal_hold.set", hold), conn=conn)
    return hold


def release_hold(
    db: Database, hold_id: int, *, tenant: str, ctx: AccessContext, clock: Clock = system_clock
) -> LegalHold:
    """Release an active hold; HoldNotFound if there is none with that id."""
    now = now_from(clock)
    with db.begin() as conn:
        row = conn.execute(
            select(_H).where(_H.c.tenant == tenant, _H.c.id == hold_id, _H.c.released_at.is_(None))
        ).one_or_none()
        if row is None:
            raise HoldNotFound(f"no active legal hold {hold_id} in tenant {tenant!r}")
        conn.execute(
            update(_H).where(_H.c.id == hold_id).values(released_at=now, released_by=ctx.actor)
        )
        hold = _hold(row)
        AuditLog(db).append(_event(ctx, tenant, "legal_hold.release", hold), conn=conn)
    return LegalHold(
        hold.id,
        hold.subject_id,
        hold.conversation_id,
        hold.reason,
        hold.set_by,
        hold.set_at,
        now,
    )


def active_holds(
    db: Database,
    *,
    tenant: str,
    subject_id: str | None = None,
    conversation_ids: list[str] | None = None,
) -> list[LegalHold]:
    """Active holds on the subject and/or on any of the conversations (all, if neither)."""
    query = select(_H).where(_H.c.tenant == tenant, _H.c.released_at.is_(None))
    scopes = []
    if subject_id is not None:
        scopes.append(_H.c.subject_id == subject_id)
    if conversation_ids:
        scopes.append(_H.c.conversation_id.in_(conversation_ids))
    if subject_id is not None or conversation_ids is not None:
        if not scopes:
            return []
        query = query.where(or_(*scopes))
    with db.begin() as conn:
        rows = conn.execute(query.order_by(_H.c.id)).all()
    return [_hold(row) for row in rows]


class LegalHoldRecords(TableHolder):
    """Holder of ``legal_holds``: kept after an erasure (evidence of why data was kept);
    a ``legal_holds`` rule expires released holds, counted from their release."""

    name = "legal_holds"
    table = _H
    kind = "legal_holds"
    erasable = False

    def row_dict(self, row: Any) -> dict[str, Any]:
        return dict(_hold(row).as_dict())

    def stamp(self) -> Column[Any]:
        return _H.c.released_at

    def held_columns(self) -> dict[str, ColumnElement[Any]]:
        return {"subject": _H.c.subject_id, "conversation": _H.c.conversation_id}
