"""Data-subject requests and their life cycle (GDPR arts. 12 and 15-21).

States: received -> verified -> in_progress -> completed, or rejected (with a reason)
from any open state. An erasure that a legal hold on the subject stops goes from
in_progress to blocked_by_hold (nothing was erased) and back to in_progress when it is
resumed after the hold's release; it stays open, so its deadline still counts. The
deadline is one month after receipt, extendable once or more by up to two months in
total, each time with a recorded reason. A completed request keeps a completion record
(what was done, counts, when) that can be shown to the customer or to a regulator.
Requests name the subject by pseudonymous id only, and survive its erasure.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, ColumnElement, Connection, select, update

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.consent.limits import MAX_REASON, check_reason
from discreet.consent.records import check_token
from discreet.errors import Conflict, NotFound
from discreet.rights.deadlines import (
    MAX_EXTENSION_MONTHS,
    RESPONSE_MONTHS,
    add_months,
    initial_due,
    latest_due,
)
from discreet.store.db import Database
from discreet.store.governance_models import RightsRequestRow
from discreet.store.holder import TableHolder
from discreet.store.models import table_of

if TYPE_CHECKING:
    from discreet.rights.jurisdictions import Deadlines

_Q = table_of(RightsRequestRow)
ResultValue = str | int | bool | None | list[Any] | dict[str, Any]


class RequestKind(StrEnum):
    ACCESS = "access"
    """Access and portability (arts. 15, 20): an export archive."""
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


class RequestState(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    BLOCKED_BY_HOLD = "blocked_by_hold"
    """An erasure stopped by a legal hold on the subject; resumed when it is released."""
    COMPLETED = "completed"
    REJECTED = "rejected"


OPEN_STATES = frozenset(
    {
        RequestState.RECEIVED,
        RequestState.VERIFIED,
        RequestState.IN_PROGRESS,
        RequestState.BLOCKED_BY_HOLD,
    }
)
_NEXT: dict[RequestState, frozenset[RequestState]] = {
    RequestState.RECEIVED: frozenset({RequestState.VERIFIED, RequestState.REJECTED}),
    RequestState.VERIFIED: frozenset({RequestState.IN_PROGRESS, RequestState.REJECTED}),
    RequestState.IN_PROGRESS: frozenset(
        {RequestState.COMPLETED, RequestState.REJECTED, RequestState.BLOCKED_BY_HOLD}
    ),
    RequestState.BLOCKED_BY_HOLD: frozenset({RequestState.IN_PROGRESS, RequestState.REJECTED}),
    RequestState.COMPLETED: frozenset(),
    RequestState.REJECTED: frozenset(),
}


class RequestError(Conflict, ValueError):
    """A request cannot do that now (wrong state, extension too long, ...)."""

    code = "invalid_state"


class RequestNotFound(NotFound, LookupError):
    """No request with that id in this tenant."""

    code = "request_not_found"


@dataclass(frozen=True, slots=True)
class RightsRequest:
    id: str
    subject_id: str
    kind: RequestKind
    state: RequestState
    scope: str | None
    channel: str
    received_by: str
    received_at: datetime
    due_at: datetime
    extension_reason: str | None
    verified_at: datetime | None
    verified_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    rejection_reason: str | None
    result: dict[str, Any] | None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue_at(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at

    def as_dict(self) -> dict[str, Any]:
        def ts(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "kind": self.kind.value,
            "state": self.state.value,
            "scope": self.scope,
            "channel": self.channel,
            "received_by": self.received_by,
            "received_at": ts(self.received_at),
            "due_at": ts(self.due_at),
            "extension_reason": self.extension_reason,
            "verified_at": ts(self.verified_at),
            "verified_by": self.verified_by,
            "closed_at": ts(self.closed_at),
            "closed_by": self.closed_by,
            "rejection_reason": self.rejection_reason,
            "result": self.result,
        }


def _opt_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _request(row: Any) -> RightsRequest:
    return RightsRequest(
        id=row.id,
        subject_id=row.subject_id,
        kind=RequestKind(row.kind),
        state=RequestState(row.state),
        scope=row.scope,
        channel=row.channel,
        received_by=row.received_by,
        received_at=as_utc(row.received_at),
        due_at=as_utc(row.due_at),
        extension_reason=row.extension_reason,
        verified_at=_opt_utc(row.verified_at),
        verified_by=row.verified_by,
        closed_at=_opt_utc(row.closed_at),
        closed_by=row.closed_by,
        rejection_reason=row.rejection_reason,
        result=json.loads(row.result) if row.result else None,
    )


def _new_id() -> str:
    return "dsr_" + secrets.token_hex(12)


class RequestBook:
    """The data-subject requests of one tenant; every change is audited with it."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str = "default",
        clock: Clock = system_clock,
        deadlines: Deadlines | None = None,
    ) -> None:
        self.db = db
        self.tenant = tenant
        self._clock = clock
        # The policy's jurisdictions (rights/jurisdictions.py); none: the GDPR's rules.
        self.deadlines = deadlines
        self._audit = AuditLog(db)

    def now(self) -> datetime:
        return now_from(self._clock)

    def _audit_change(
        self,
        conn: Connection,
        ctx: AccessContext,
        request: RightsRequest,
        action: str,
        **details: str | int | bool,
    ) -> None:
        self._audit.append(
            AuditEvent(
                ctx=ctx,
                tenant=self.tenant,
                action=f"rights.{action}",
                outcome=Outcome.OK,
                subject=request.subject_id,
                details={"request": request.id, "kind": request.kind.value, **details},
            ),
            conn=conn,
        )

    def _load(self, conn: Connection, request_id: str, *, lock: bool = False) -> RightsRequest:
        query = select(_Q).where(_Q.c.tenant == self.tenant, _Q.c.id == request_id)
        row = conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise RequestNotFound(f"no request {request_id!r} in tenant {self.tenant!r}")
        return _request(row)

    def receive(
        self,
        subject_id: str,
        kind: RequestKind,
        *,
        channel: str,
        ctx: AccessContext,
        scope: str | None = None,
    ) -> RightsRequest:
        """Record a new request; its deadline starts now."""
        kind = RequestKind(kind)
        if self.deadlines is not None:
            self.deadlines.check_kind(kind)
        check_token("channel", channel)
        if scope is not None:
            if kind is not RequestKind.OBJECTION:
                raise RequestError("only an objection takes a scope (the purpose objected to)")
            check_token("scope", scope)
        now = self.now()
        values = {
            "id": _new_id(),
            "tenant": self.tenant,
            "subject_id": subject_id,
            "kind": kind.value,
            "state": RequestState.RECEIVED.value,
            "scope": scope,
            "channel": channel,
            "received_by": ctx.actor,
            "received_at": now,
            "due_at": self.deadlines.initial_due(now) if self.deadlines else initial_due(now),
        }
        with self.db.begin() as conn:
            conn.execute(_Q.insert(), values)
            request = self._load(conn, str(values["id"]))
            self._audit_change(conn, ctx, request, "receive", channel=channel)
        return request

    def get(self, request_id: str) -> RightsRequest:
        with self.db.begin() as conn:
            return self._load(conn, request_id)

    def find(
        self, *, state: RequestState | None = None, subject_id: str | None = None
    ) -> list[RightsRequest]:
        query = select(_Q).where(_Q.c.tenant == self.tenant)
        if state is not None:
            query = query.where(_Q.c.state == RequestState(state).value)
        if subject_id is not None:
            query = query.where(_Q.c.subject_id == subject_id)
        with self.db.begin() as conn:
            rows = conn.execute(query.order_by(_Q.c.received_at, _Q.c.id)).all()
        return [_request(row) for row in rows]

    def open_requests(self) -> list[RightsRequest]:
        """Every open request, oldest deadline first."""
        with self.db.begin() as conn:
            rows = conn.execute(
                select(_Q)
                .where(_Q.c.tenant == self.tenant, _Q.c.state.in_([s.value for s in OPEN_STATES]))
                .order_by(_Q.c.due_at, _Q.c.id)
            ).all()
        return [_request(row) for row in rows]

    def overdue(self) -> list[RightsRequest]:
        """Open requests past their (possibly extended) deadline, oldest deadline first."""
        now = self.now()
        return [r for r in self.open_requests() if r.due_at < now]

    def received_between(self, start: datetime, end: datetime) -> list[RightsRequest]:
        """Requests received from ``start`` up to (not including) ``end``, oldest first."""
        with self.db.begin() as conn:
            rows = conn.execute(
                select(_Q)
                .where(
                    _Q.c.tenant == self.tenant, _Q.c.received_at >= start, _Q.c.received_at < end
                )
                .order_by(_Q.c.received_at, _Q.c.id)
            ).all()
        return [_request(row) for row in rows]

    def _move(
        self,
        request_id: str,
        to: RequestState,
        ctx: AccessContext,
        values: Mapping[str, object] | None = None,
        **details: str | int | bool,
    ) -> RightsRequest:
        with self.db.begin() as conn:
            request = self._load(conn, request_id, lock=True)
            if to not in _NEXT[request.state]:
                raise RequestError(
                    f"request {request_id} is {request.state.value}; it cannot become {to.value}"
                )
            conn.execute(
                update(_Q).where(_Q.c.id == request_id).values(state=to.value, **dict(values or {}))
            )
            moved = self._load(conn, request_id)
            self._audit_change(conn, ctx, moved, to.value, **details)
        return moved

    def verify(self, request_id: str, *, ctx: AccessContext) -> RightsRequest:
        """The requester's identity was checked (the operator vouches for it)."""
        return self._move(
            request_id,
            RequestState.VERIFIED,
            ctx,
            {"verified_at": self.now(), "verified_by": ctx.actor},
        )

    def start(self, request_id: str, *, ctx: AccessContext) -> RightsRequest:
        return self._move(request_id, RequestState.IN_PROGRESS, ctx)

    def block(self, request_id: str, hold_ids: list[int], *, ctx: AccessContext) -> RightsRequest:
        """An erasure that legal holds stop: blocked_by_hold until they are released."""
        holds = ",".join(str(hold) for hold in hold_ids)
        return self._move(request_id, RequestState.BLOCKED_BY_HOLD, ctx, holds=holds)

    def ensure_started(self, request_id: str, *, ctx: AccessContext) -> RightsRequest:
        """In progress (starting it if merely verified, resuming it if blocked by a hold);
        refuses unverified or closed ones."""
        request = self.get(request_id)
        if request.state in (RequestState.VERIFIED, RequestState.BLOCKED_BY_HOLD):
            return self.start(request_id, ctx=ctx)
        if request.state is not RequestState.IN_PROGRESS:
            raise RequestError(
                f"request {request_id} is {request.state.value}; it must be verified first"
                if request.state is RequestState.RECEIVED
                else f"request {request_id} is {request.state.value} and cannot be carried out"
            )
        return request

    def complete(
        self, request_id: str, result: Mapping[str, ResultValue], *, ctx: AccessContext
    ) -> RightsRequest:
        """Close the request with its completion record (counts and facts, no values)."""
        now = self.now()
        record = {**dict(result), "completed_at": now.isoformat()}
        return self._move(
            request_id,
            RequestState.COMPLETED,
            ctx,
            {
                "closed_at": now,
                "closed_by": ctx.actor,
                "result": json.dumps(record, sort_keys=True, ensure_ascii=True),
            },
        )

    def reject(self, request_id: str, reason: str, *, ctx: AccessContext) -> RightsRequest:
        reason = check_reason(reason)
        return self._move(
            request_id,
            RequestState.REJECTED,
            ctx,
            {"closed_at": self.now(), "closed_by": ctx.actor, "rejection_reason": reason},
        )

    def extend(
        self, request_id: str, months: int, reason: str, *, ctx: AccessContext
    ) -> RightsRequest:
        """Push the deadline back by `months`; at most two months past the first deadline."""
        reason = check_reason(reason)
        if months < 1:
            raise RequestError("an extension is at least one month")
        with self.db.begin() as conn:
            request = self._load(conn, request_id, lock=True)
            if not request.is_open:
                raise RequestError(f"request {request_id} is {request.state.value}")
            # Counted from receipt, not from the current deadline, so month-end clamping
            # (31 Jan -> 28 Feb) does not shorten later months.
            already = next(
                (
                    k
                    for k in range(MAX_EXTENSION_MONTHS + 1)
                    if add_months(request.received_at, RESPONSE_MONTHS + k) >= request.due_at
                ),
                MAX_EXTENSION_MONTHS,
            )
            new_due = (
                self.deadlines.extended_due(request.received_at, request.due_at, months)
                if self.deadlines is not None
                else add_months(request.received_at, RESPONSE_MONTHS + already + months)
            )
            if self.deadlines is None and new_due > latest_due(request.received_at):
                raise RequestError(
                    "the deadline can be extended by at most two months in total (GDPR art. 12(3))"
                )
            # Every extension's reason is kept (the regulator may ask for each of them).
            reasons = (
                f"{request.extension_reason}; {reason}" if request.extension_reason else reason
            )
            if len(reasons) > MAX_REASON:
                raise RequestError(f"the extension reasons together exceed {MAX_REASON} characters")
            conn.execute(
                update(_Q)
                .where(_Q.c.id == request_id)
                .values(due_at=new_due, extension_reason=reasons)
            )
            extended = self._load(conn, request_id)
            self._audit_change(conn, ctx, extended, "extend", months=months)
        return extended


class RightsRequestRecords(TableHolder):
    """Holder of ``rights_requests``: kept after an erasure (the request and its
    completion record are what we show a regulator); a ``rights_requests`` rule expires
    closed requests, counted from their closing."""

    name = "rights_requests"
    table = _Q
    kind = "rights_requests"
    erasable = False

    def row_dict(self, row: Any) -> dict[str, Any]:
        return dict(_request(row).as_dict())

    def order(self) -> tuple[ColumnElement[Any], ...]:
        return (_Q.c.received_at, _Q.c.id)

    def stamp(self) -> Column[Any]:
        return _Q.c.closed_at
