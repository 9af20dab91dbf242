"""What will expire when: the ``discreet retention report``.

For each record kind (and data category, for subject fields) it counts the rows that are
due now (the next run deletes them), those due but kept by a legal hold, and those that
will fall due on each day within the horizon, plus the rest ("later"). It reads
timestamps only (no ciphertext, no text) and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.policy.models import resolve_retention
from discreet.policy.policy import Policy
from discreet.policy.vocabulary import RecordKind
from discreet.retention.closing import token_map_keep_days
from discreet.retention.held import HeldSet, load_held
from discreet.retention.runner import is_held
from discreet.rights.holds import LegalHold
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import AuditRecord, Subject, SubjectField, TokenMap, table_of
from discreet.store.retention_models import ConversationMessage, RetentionRunRow

_T = table_of(ConversationMessage)
_M = table_of(TokenMap)
_G = table_of(GatewayConversation)
_S = table_of(Subject)
_F = table_of(SubjectField)
_A = table_of(AuditRecord)
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


class _Bucketer:
    def __init__(self, now: datetime, horizon_days: int) -> None:
        self.now = now
        self.until = now + timedelta(days=horizon_days)

    def lines(
        self,
        kind: str,
        category: str | None,
        days: int | None,
        expiries: Iterable[tuple[datetime, bool]],
    ) -> list[ExpiryLine]:
        due = held = later = 0
        by_day: Counter[date] = Counter()
        for expires, is_held_row in expiries:
            if expires <= self.now:
                due += 1
                held += int(is_held_row)
            elif expires <= self.until:
                by_day[expires.date()] += 1
            else:
                later += 1
        lines = []
        if due:
            lines.append(ExpiryLine(kind, category, days, NOW, due, held))
        lines.extend(
            ExpiryLine(kind, category, days, day.isoformat(), n)
            for day, n in sorted(by_day.items())
        )
        if later:
            lines.append(ExpiryLine(kind, category, days, LATER, later))
        return lines


def forecast(
    data: Database,
    policy: Policy,
    *,
    tenant: str,
    clock: Clock = system_clock,
    horizon_days: int = 30,
) -> Forecast:
    """Counts of what expires when, per kind and category (see the module docstring)."""
    now = now_from(clock)
    held = load_held(data, tenant)
    buckets = _Bucketer(now, horizon_days)
    lines: list[ExpiryLine] = []
    with data.begin() as conn:

        def rows(query: Select[Any]) -> Iterable[Any]:
            return conn.execute(query).all()

        days = policy.retention_days(RecordKind.CONVERSATION_MESSAGES)
        flag = _flag(held, subject=_T.c.subject_id, conversation=_T.c.conversation_id)
        lines += buckets.lines(
            RecordKind.CONVERSATION_MESSAGES.value,
            None,
            days,
            (
                (as_utc(r.created_at) + timedelta(days=days), bool(r.held))
                for r in rows(select(_T.c.created_at, flag).where(_T.c.tenant == tenant))
            ),
        )

        days = policy.retention_days(RecordKind.TOKEN_MAPS)
        keep = token_map_keep_days(policy)
        query = (
            select(_M.c.conversation_id, _M.c.updated_at, _G.c.closed_at)
            .outerjoin(_G, (_G.c.tenant == _M.c.tenant) & (_G.c.id == _M.c.conversation_id))
            .where(_M.c.tenant == tenant)
        )
        lines += buckets.lines(
            RecordKind.TOKEN_MAPS.value,
            None,
            days,
            (
                (
                    _token_map_expiry(r.updated_at, r.closed_at, days, keep),
                    r.conversation_id in held.conversations,
                )
                for r in rows(query)
            ),
        )

        subject_flag = _flag(held, subject=_F.c.subject_id)
        fields = rows(
            select(_F.c.category, _F.c.updated_at, subject_flag)
            .join(_S, _S.c.id == _F.c.subject_id)
            .where(_S.c.tenant == tenant)
        )
        for category in sorted({r.category for r in fields}):
            days = policy.retention_days(RecordKind.SUBJECT_FIELDS, category)
            lines += buckets.lines(
                RecordKind.SUBJECT_FIELDS.value,
                category,
                days,
                (
                    (as_utc(r.updated_at) + timedelta(days=days), bool(r.held))
                    for r in fields
                    if r.category == category
                ),
            )

        idle = timedelta(minutes=policy.conversation.idle_timeout_minutes)
        lines += buckets.lines(
            "idle_conversations",
            None,
            None,
            (
                (as_utc(r.updated_at) + idle, False)
                for r in rows(
                    select(_G.c.updated_at).where(_G.c.tenant == tenant, _G.c.closed_at.is_(None))
                )
            ),
        )

        rule = resolve_retention(policy.retention, RecordKind.AUDIT_RECORDS)
        if rule is not None:
            lines += buckets.lines(
                RecordKind.AUDIT_RECORDS.value,
                None,
                rule.days,
                (
                    (datetime.fromisoformat(r.ts) + timedelta(days=rule.days), False)
                    for r in rows(select(_A.c.ts))
                ),
            )
        last = conn.execute(
            select(func.max(_R.c.finished_at)).where(_R.c.tenant == tenant)
        ).scalar_one_or_none()
    return Forecast(
        tenant,
        now,
        horizon_days,
        tuple(lines),
        held.holds,
        as_utc(last) if last is not None else None,
    )


def _flag(held: HeldSet, **columns: Any) -> Any:
    return case((is_held(held, **columns), 1), else_=0).label("held")


def _token_map_expiry(
    updated_at: datetime, closed_at: datetime | None, days: int, keep: int
) -> datetime:
    expires = as_utc(updated_at) + timedelta(days=days)
    if closed_at is not None:
        expires = min(expires, as_utc(closed_at) + timedelta(days=keep))
    return expires
