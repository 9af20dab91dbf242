"""What will expire when: the ``discreet retention report``.

For each record kind (and data category, for subject fields) it counts the rows that are
due now (the next run deletes them), those due but kept by a legal hold, and those that
will fall due on each day within the horizon, plus the rest ("later"). It reads
timestamps only (no ciphertext, no text) and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from discreet.audit.log import AuditLog
from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.conversations.states import open_activity
from discreet.policy.models import resolve_retention
from discreet.policy.policy import Policy
from discreet.policy.vocabulary import RecordKind
from discreet.retention.held import load_held
from discreet.retention.runner import policy_retention
from discreet.rights.holds import LegalHold
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.retention_models import RetentionRunRow
from discreet.subjectdata import Due, Holders, due_lines

_R = table_of(RetentionRunRow)

NOW = "now"
LATER = "later"


@dataclass(frozen=True, slots=True)
class ExpiryLine:
    kind: str
    category: str | None
    days: int | None
    when: str
    """"now" (due at the next run), an ISO date within the horizon, or "later"."""
    count: int
    held: int = 0
    """Of `count`: kept by a legal hold (only for "now")."""

    @classmethod
    def of(cls, due: Due) -> ExpiryLine:
        when = LATER if due.later else NOW if due.on is None else due.on.isoformat()
        return cls(due.kind, due.category, due.days, when, due.count, due.held)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "days": self.days,
            "when": self.when,
            "count": self.count,
            "held": self.held,
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    tenant: str
    at: datetime
    horizon_days: int
    lines: tuple[ExpiryLine, ...]
    holds: tuple[LegalHold, ...]
    last_run_at: datetime | None = None
    """When the last (non-dry) retention run of this tenant finished."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "at": self.at.isoformat(),
            "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None,
            "horizon_days": self.horizon_days,
            "lines": [line.as_dict() for line in self.lines],
            "holds": [hold.as_dict() for hold in self.holds],
        }


def forecast(
    data: Database,
    policy: Policy,
    *,
    holders: Holders,
    tenant: str,
    clock: Clock = system_clock,
    horizon_days: int = 30,
) -> Forecast:
    """Counts of what expires when, per kind and category (see the module docstring):
    every registered holder forecasts its own rows, then idle conversations and the
    audit log."""
    now = now_from(clock)
    held = load_held(data, tenant)
    retention = policy_retention(policy)
    dues: list[Due] = []
    for holder in holders:
        dues += holder.forecast(tenant, now, horizon_days, retention, held.held)
    with data.begin() as conn:
        idle = timedelta(minutes=policy.conversation.idle_timeout_minutes)
        dues += due_lines(
            "idle_conversations",
            None,
            None,
            now,
            horizon_days,
            ((at + idle, False) for at in open_activity(conn, tenant)),
        )
        last = conn.execute(
            select(func.max(_R.c.finished_at)).where(_R.c.tenant == tenant)
        ).scalar_one_or_none()
    rule = resolve_retention(policy.retention, RecordKind.AUDIT_RECORDS)
    if rule is not None:
        dues += due_lines(
            RecordKind.AUDIT_RECORDS.value,
            None,
            rule.days,
            now,
            horizon_days,
            ((at + timedelta(days=rule.days), False) for at in AuditLog(data).timestamps()),
        )
    return Forecast(
        tenant,
        now,
        horizon_days,
        tuple(ExpiryLine.of(due) for due in dues),
        held.holds,
        as_utc(last) if last is not None else None,
    )
