"""Processing limits in force for a subject: restriction (GDPR art. 18) and objection
(art. 21), set by completed data-subject requests and kept until lifted.

They live next to consent because the same check enforces both: before anything
processes a subject's data, :class:`discreet.consent.ConsentGate` asks whether a grant,
a restriction or an objection stands in the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Connection, bindparam, delete, or_, select, update

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.consent.records import check_token
from discreet.errors import InvalidValue
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.governance_models import ProcessingLimitRow
from discreet.store.holder import TableHolder
from discreet.store.models import table_of

_L = table_of(ProcessingLimitRow)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_ACTIVE = DriverStatement(  # on the driver's cursor (store/driver.py)
    select(_L)
    .where(
        _L.c.tenant == bindparam("tenant"),
        _L.c.subject_id == bindparam("subject"),
        _L.c.lifted_at.is_(None),
    )
    .order_by(_L.c.id)
)
MAX_REASON = 500


class LimitKind(StrEnum):
    RESTRICTION = "restriction"
    """No processing at all (storage aside) until lifted."""
    OBJECTION = "objection"
    """No processing for one purpose (or for every purpose when it names none)."""


@dataclass(frozen=True, slots=True)
class ProcessingLimit:
    id: int
    subject_id: str
    kind: LimitKind
    purpose: str | None
    reason: str
    request_id: str | None
    set_by: str
    set_at: datetime
    lifted_at: datetime | None

    def covers(self, purpose: str) -> bool:
        return self.kind is LimitKind.RESTRICTION or self.purpose in (None, purpose)

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "purpose": self.purpose,
            "reason": self.reason,
            "request_id": self.request_id,
            "set_by": self.set_by,
            "set_at": self.set_at.isoformat(),
            "lifted_at": self.lifted_at.isoformat() if self.lifted_at else None,
        }


def check_reason(reason: str) -> str:
    if not reason or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidValue(f"a reason is 1 to {MAX_REASON} characters", param="reason")
    return reason.strip()


def _limit(row: Any) -> ProcessingLimit:
    return ProcessingLimit(
        id=int(row.id),
        subject_id=row.subject_id,
        kind=LimitKind(row.kind),
        purpose=row.purpose,
        reason=row.reason,
        request_id=row.request_id,
        set_by=row.set_by,
        set_at=as_utc(row.set_at),
        lifted_at=as_utc(row.lifted_at) if row.lifted_at is not None else None,
    )


class ProcessingLimits:
    """Restrictions and objections of one tenant."""

    def __init__(
        self, db: Database, *, tenant: str = "default", clock: Clock = system_clock
    ) -> None:
        self.db = db
        self.tenant = tenant
        self._clock = clock
        self._audit = AuditLog(db)

    def set(
        self,
        subject_id: str,
        kind: LimitKind,
        *,
        reason: str,
        ctx: AccessContext,
        purpose: str | None = None,
        request_id: str | None = None,
    ) -> ProcessingLimit:
        """Put a restriction or objection in force (audited in the same transaction)."""
        kind = LimitKind(kind)
        if purpose is not None:
            check_token("purpose", purpose)
        if kind is LimitKind.RESTRICTION and purpose is not None:
            raise InvalidValue(
                "a restriction covers all processing; it takes no purpose", param="purpose"
            )
        reason = check_reason(reason)
        now = now_from(self._clock)
        with self.db.begin() as conn:
            new_id = conn.execute(
                _L.insert().returning(_L.c.id),
                {
                    "tenant": self.tenant,
                    "subject_id": subject_id,
                    "kind": kind.value,
                    "purpose": purpose,
                    "request_id": request_id,
                    "reason": reason,
                    "set_by": ctx.actor,
                    "set_at": now,
                },
            ).scalar_one()
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action=f"processing.{kind.value}.set",
                    outcome=Outcome.OK,
                    subject=subject_id,
                    details={"limit_purpose": purpose or "*"},
                ),
                conn=conn,
            )
        return ProcessingLimit(
            int(new_id), subject_id, kind, purpose, reason, request_id, ctx.actor, now, None
        )

    def lift(
        self,
        subject_id: str,
        kind: LimitKind,
        *,
        ctx: AccessContext,
        purpose: str | None = None,
    ) -> int:
        """Lift the subject's active limits of `kind` (for `purpose`, for objections);
        returns how many were lifted."""
        kind = LimitKind(kind)
        now = now_from(self._clock)
        query = update(_L).where(
            _L.c.tenant == self.tenant,
            _L.c.subject_id == subject_id,
            _L.c.kind == kind.value,
            _L.c.lifted_at.is_(None),
        )
        if kind is LimitKind.OBJECTION:
            query = query.where(
                _L.c.purpose.is_(None) if purpose is None else _L.c.purpose == purpose
            )
        with self.db.begin() as conn:
            count = int(conn.execute(query.values(lifted_at=now, lifted_by=ctx.actor)).rowcount)
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action=f"processing.{kind.value}.lift",
                    outcome=Outcome.OK if count else Outcome.NOT_FOUND,
                    subject=subject_id,
                    details={"lifted": count, "limit_purpose": purpose or "*"},
                ),
                conn=conn,
            )
        return count

    def active(self, subject_id: str) -> list[ProcessingLimit]:
        with self.db.read() as conn:
            rows = _ACTIVE.rows(conn, {"tenant": self.tenant, "subject": subject_id})
        return [_limit(row) for row in rows]

    def history(self, subject_id: str) -> list[ProcessingLimit]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(_L)
                .where(_L.c.tenant == self.tenant, _L.c.subject_id == subject_id)
                .order_by(_L.c.id)
            ).all()
        return [_limit(row) for row in rows]

    def subjects_limited_for(self, purpose: str) -> frozenset[str]:
        """Subjects whose data may not be processed for `purpose` now: restricted, or
        objecting to that purpose or to all processing."""
        with self.db.begin() as conn:
            ids = conn.execute(
                select(_L.c.subject_id)
                .where(
                    _L.c.tenant == self.tenant,
                    _L.c.lifted_at.is_(None),
                    or_(
                        _L.c.kind == LimitKind.RESTRICTION.value,
                        _L.c.purpose.is_(None),
                        _L.c.purpose == purpose,
                    ),
                )
                .distinct()
            ).scalars()
            return frozenset(ids)

    def delete_subject(self, conn: Connection, subject_id: str) -> int:
        """Erasure only: drop the subject's limits (in the caller's transaction)."""
        result = conn.execute(
            delete(_L).where(_L.c.tenant == self.tenant, _L.c.subject_id == subject_id)
        )
        return int(result.rowcount or 0)


class ProcessingLimitRecords(TableHolder):
    """Holder of ``processing_limits``. Only lifted limits can expire (a
    ``processing_limits`` rule, counted from when they were lifted)."""

    name = "processing_limits"
    table = _L
    kind = "processing_limits"

    def row_dict(self, row: Any) -> dict[str, Any]:
        return dict(_limit(row).as_dict())

    def stamp(self) -> Column[Any]:
        return _L.c.lifted_at
