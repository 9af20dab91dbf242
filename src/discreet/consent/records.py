"""Consent records: an append-only history per subject and purpose; the current state is
the newest record.

Nothing is ever updated or deleted here except by erasure: a withdrawal is a new record
just like a grant (withdrawing is exactly as easy as granting, GDPR art. 7(3)), and the
history shows who recorded what, when, through which channel and under which version of
the privacy notice. Subjects appear only by their pseudonymous id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partialmethod
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, Connection, bindparam, delete, func, select

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.errors import InvalidValue
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.governance_models import ConsentRecordRow
from discreet.store.holder import TableHolder
from discreet.store.models import table_of

_R = table_of(ConsentRecordRow)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_HISTORY = (
    select(_R)
    .where(_R.c.tenant == bindparam("tenant"), _R.c.subject_id == bindparam("subject"))
    .order_by(_R.c.id)
)
_ALL_HISTORY = DriverStatement(_HISTORY)  # on the driver's cursor (store/driver.py)
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
T = TypeVar("T")

AI_PROCESSING = "ai_processing"
"""Pseudo-purpose: processing by an AI assistant at all. A withdrawn grant or an
objection for it sends the customer to a human, whatever the purpose."""


class ConsentState(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    GRANT = "consent.grant"
    WITHDRAW = "consent.withdraw"
    READ = "consent.read"


def check_token(what: str, value: str) -> str:
    """Purposes, channels and notice versions are short tokens, never free text (which
    could carry a customer's words into the audit log)."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise InvalidValue(
            f"{what} must be 1 to 64 letters, digits or _.:- (starting with a letter or digit)",
            param=what,
        )
    return value


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One grant or withdrawal."""

    subject_id: str
    purpose: str
    state: ConsentState
    recorded_at: datetime
    notice_version: str
    channel: str
    recorded_by: str

    @property
    def granted(self) -> bool:
        return self.state is ConsentState.GRANTED

    def as_dict(self) -> dict[str, str]:
        return {
            "subject_id": self.subject_id,
            "purpose": self.purpose,
            "state": self.state.value,
            "recorded_at": self.recorded_at.isoformat(),
            "notice_version": self.notice_version,
            "channel": self.channel,
            "recorded_by": self.recorded_by,
        }


def _record(row: Any) -> ConsentRecord:
    return ConsentRecord(
        subject_id=row.subject_id,
        purpose=row.purpose,
        state=ConsentState(row.state),
        recorded_at=as_utc(row.recorded_at),
        notice_version=row.notice_version,
        channel=row.channel,
        recorded_by=row.recorded_by,
    )


class ConsentRegistry:
    """Consent records of one tenant in the data store.

    `purposes`, when given (the policy's purpose names), limits which purposes consent
    can be recorded for, so a typo cannot create a grant nobody ever checks.
    """

    def __init__(
        self,
        db: Database,
        *,
        tenant: str = "default",
        clock: Clock = system_clock,
        purposes: Iterable[str] | None = None,
    ) -> None:
        self.db = db
        self.tenant = tenant
        self._clock = clock
        self._audit = AuditLog(db)
        self._purposes = None if purposes is None else frozenset(purposes) | {AI_PROCESSING}

    def _check_purpose(self, purpose: str) -> str:
        check_token("purpose", purpose)
        if self._purposes is not None and purpose not in self._purposes:
            known = ", ".join(sorted(self._purposes))
            raise InvalidValue(
                f"unknown purpose {purpose!r}; the policy defines: {known}", param="purpose"
            )
        return purpose

    # --- writing ------------------------------------------------------------------------

    def record(
        self,
        subject_id: str,
        purpose: str,
        state: ConsentState,
        *,
        notice_version: str,
        channel: str,
        ctx: AccessContext,
    ) -> ConsentRecord:
        """Append a grant or a withdrawal, with its audit record in the same transaction."""
        state = ConsentState(state)
        self._check_purpose(purpose)
        check_token("notice_version", notice_version)
        check_token("channel", channel)
        now = now_from(self._clock)
        entry = ConsentRecord(subject_id, purpose, state, now, notice_version, channel, ctx.actor)
        action = Action.GRANT if state is ConsentState.GRANTED else Action.WITHDRAW
        with self.db.begin() as conn:
            conn.execute(
                _R.insert(),
                {
                    "tenant": self.tenant,
                    "subject_id": subject_id,
                    "purpose": purpose,
                    "state": state.value,
                    "recorded_at": now,
                    "notice_version": notice_version,
                    "channel": channel,
                    "recorded_by": ctx.actor,
                },
            )
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action=action.value,
                    outcome=Outcome.OK,
                    subject=subject_id,
                    details={
                        "consent_purpose": purpose,
                        "notice_version": notice_version,
                        "channel": channel,
                    },
                ),
                conn=conn,
            )
        return entry

    # `record` with the state fixed: one code path appends both kinds of entry.
    grant = partialmethod(record, state=ConsentState.GRANTED)
    withdraw = partialmethod(record, state=ConsentState.WITHDRAWN)

    def delete_subject(self, conn: Connection, subject_id: str) -> int:
        """Erasure only: drop the subject's whole history (in the caller's transaction)."""
        result = conn.execute(
            delete(_R).where(_R.c.tenant == self.tenant, _R.c.subject_id == subject_id)
        )
        return int(result.rowcount or 0)

    # --- reading ------------------------------------------------------------------------

    def history(self, subject_id: str, purpose: str | None = None) -> list[ConsentRecord]:
        """Every record of the subject (for one purpose, if given), oldest first."""
        params = {"tenant": self.tenant, "subject": subject_id}
        with self.db.read() as conn:
            if purpose is None:
                rows = _ALL_HISTORY.rows(conn, params)
            else:
                rows = list(conn.execute(_HISTORY.where(_R.c.purpose == purpose), params))
        return [_record(row) for row in rows]

    def current(self, subject_id: str) -> dict[str, ConsentRecord]:
        """The newest record per purpose: the state in force now."""
        latest: dict[str, ConsentRecord] = {}
        for entry in self.history(subject_id):
            latest[entry.purpose] = entry
        return latest

    def state(self, subject_id: str, purpose: str) -> ConsentState | None:
        """The state in force for (subject, purpose); None if consent was never recorded."""
        with self.db.read() as conn:
            row = conn.execute(
                select(_R.c.state)
                .where(
                    _R.c.tenant == self.tenant,
                    _R.c.subject_id == subject_id,
                    _R.c.purpose == purpose,
                )
                .order_by(_R.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if row is None else ConsentState(row)

    def has_grant(self, subject_id: str, purpose: str) -> bool:
        return self.state(subject_id, purpose) is ConsentState.GRANTED

    def subjects_with_grant(self, purpose: str) -> frozenset[str]:
        """Pseudonymous ids of every subject whose consent for `purpose` is granted now."""
        newest = (
            select(func.max(_R.c.id).label("id"))
            .where(_R.c.tenant == self.tenant, _R.c.purpose == purpose)
            .group_by(_R.c.subject_id)
            .subquery()
        )
        with self.db.begin() as conn:
            ids = conn.execute(
                select(_R.c.subject_id)
                .join(newest, newest.c.id == _R.c.id)
                .where(_R.c.state == ConsentState.GRANTED.value)
            ).scalars()
            return frozenset(ids)

    def filter_for_export(
        self,
        items: Iterable[T],
        purpose: str,
        subject_of: Callable[[T], str | None],
    ) -> Iterator[T]:
        """Only the items whose subject has a current grant for `purpose`.

        Items of subjects without a grant, and items of no known subject, are left out;
        the set of grants is read once, when iteration starts. Exports should use
        :meth:`discreet.consent.ConsentGate.filter_for_export`, which also leaves out
        restricted and objecting subjects.
        """
        allowed = self.subjects_with_grant(purpose)
        for item in items:
            subject = subject_of(item)
            if subject is not None and subject in allowed:
                yield item


def subjects_with_grant(db: Database, purpose: str, *, tenant: str = "default") -> frozenset[str]:
    """Pseudonymous ids of the subjects with a current grant for `purpose` (for jobs that
    hold only the data store)."""
    return ConsentRegistry(db, tenant=tenant).subjects_with_grant(purpose)


class ConsentRecords(TableHolder):
    """Holder of ``consent_records``. Retention (a ``consent_records`` rule) prunes
    superseded history only: the newest record of each (subject, purpose) is the current
    state and never expires."""

    name = "consent_records"
    table = _R
    kind = "consent_records"

    def row_dict(self, row: Any) -> dict[str, Any]:
        return dict(_record(row).as_dict())

    def stamp(self) -> Column[Any]:
        return _R.c.recorded_at

    def expirable(self) -> ColumnElement[bool]:
        newest = select(func.max(_R.c.id)).group_by(_R.c.tenant, _R.c.subject_id, _R.c.purpose)
        return _R.c.id.not_in(newest)
