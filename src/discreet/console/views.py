"""Read models of the console's pages, built from the domain services (no rules here).

Each function gathers what one page shows; the routes in :mod:`discreet.console.pages`
check permissions, audit and render.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from discreet.analytics.releases import Release
from discreet.audit import AuditEntry
from discreet.audit.log import format_ts
from discreet.console.charts import Bar
from discreet.console.services import ConsoleServices
from discreet.gateway.context import TOKEN_PATTERN
from discreet.ops.incidents import ClockStatus, Incident
from discreet.rights import RightsRequest

SEARCH_DAYS = 30
"""An audit search without a start date covers this many days (a subject's: all)."""
TURN_ACTION = "gateway.turn"  # discreet.gateway.turn.TURN_ACTION; not imported: no gateway run-time
BLOCKED = "answer_blocked"
_TOKEN = re.compile(TOKEN_PATTERN)


# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueItem:
    request: RightsRequest
    days_left: int
    overdue: bool


def queue_item(request: RightsRequest, now: datetime) -> QueueItem:
    left = request.due_at - now
    return QueueItem(request, left.days, request.overdue_at(now))


def deadline_bars(items: Iterable[QueueItem]) -> list[Bar]:
    buckets = Counter[str]()
    for item in items:
        if item.overdue:
            buckets["overdue"] += 1
        elif item.days_left < 7:
            buckets["due within 7 days"] += 1
        elif item.days_left < 14:
            buckets["7-13 days left"] += 1
        else:
            buckets["14 days or more"] += 1
    order = ["overdue", "due within 7 days", "7-13 days left", "14 days or more"]
    return [
        Bar(name, buckets[name], "bar-alert" if name == "overdue" else "bar")
        for name in order
        if buckets[name]
    ]


@dataclass(frozen=True, slots=True)
class IncidentItem:
    """An open incident on the overview, with where it stands on the 72-hour clock."""

    incident: Incident
    clock: ClockStatus

    @property
    def hours(self) -> str:
        """Hours left, or overdue by (one decimal)."""
        return f"{abs(self.clock.remaining.total_seconds()) / 3600:.1f}"


def open_incidents(services: ConsoleServices, now: datetime) -> list[IncidentItem]:
    """Open incidents (not closed), the most urgent deadline first; notified ones last."""
    items = [IncidentItem(i, i.clock(now)) for i in services.incidents.list(include_closed=False)]
    return sorted(items, key=lambda i: (i.clock.stopped_at is not None, i.clock.deadline))


@dataclass(frozen=True, slots=True)
class AnalyticsSummary:
    """The latest released differentially private figures (noisy by design)."""

    volume: Release | None
    outcomes: Release | None

    @property
    def conversations(self) -> int | None:
        return None if self.volume is None else round(self.volume.total())

    @property
    def handoff_rate(self) -> float | None:
        return None if self.outcomes is None else self.outcomes.handoff_rate()


def analytics_summary(services: ConsoleServices) -> AnalyticsSummary:
    return AnalyticsSummary(
        services.releases.latest("volume"), services.releases.latest("outcomes")
    )


def timeline(services: ConsoleServices, request: RightsRequest) -> list[AuditEntry]:
    """The audit records of one request, oldest first."""
    return [
        entry
        for entry in services.audit.entries_about(request.subject_id)
        if entry.details.get("request") == request.id
    ]


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


# --- turns, guard decisions, conversations ----------------------------------------------


def turns_since(services: ConsoleServices, since: datetime) -> Iterator[AuditEntry]:
    for entry in services.audit.entries(since=since):
        if entry.action == TURN_ACTION:
            yield entry


def guard_days(
    services: ConsoleServices, now: datetime, days: int = 30
) -> list[tuple[str, int, int]]:
    """Per day of the last `days`: (day, answers blocked by the guard, other handoffs)."""
    start = (now - timedelta(days=days - 1)).date()
    blocked = Counter[str]()
    handoffs = Counter[str]()
    for entry in turns_since(services, now - timedelta(days=days)):
        day = entry.ts[:10]
        reason = str(entry.details.get("handoff", ""))
        if reason == BLOCKED:
            blocked[day] += 1
        elif reason:
            handoffs[day] += 1
    out = []
    for offset in range(days):
        day = (start + timedelta(days=offset)).isoformat()
        out.append((day, blocked[day], handoffs[day]))
    return out


@dataclass(slots=True)
class ConversationRow:
    id: str
    subject: str | None
    messages: int = 0
    last: str = ""
    assistant: str = ""
    turns: int = 0
    blocked: int = 0
    handoff: str = ""


def recent_conversations(
    services: ConsoleServices, now: datetime, *, days: int = 30, limit: int = 100
) -> list[ConversationRow]:
    """The newest conversations with stored transcripts, with what the turn records of
    the last `days` say about them (assistant, turns, guard blocks, handoffs)."""
    rows = {
        s.conversation_id: ConversationRow(
            s.conversation_id, s.subject_id, s.messages, format_ts(s.last_at)
        )
        for s in services.transcripts.summaries(limit=limit)
    }
    for entry in turns_since(services, now - timedelta(days=days)):
        row = rows.get(str(entry.details.get("conversation", "")))
        if row is None:
            continue
        row.assistant = entry.actor
        row.turns += 1
        reason = str(entry.details.get("handoff", ""))
        if reason == BLOCKED:
            row.blocked += 1
        if reason:
            row.handoff = reason
    return list(rows.values())


def subject_conversations(services: ConsoleServices, subject_id: str) -> list[str]:
    return [s.conversation_id for s in services.transcripts.summaries(subject=subject_id)]


def conversation_turns(
    services: ConsoleServices, conversation_id: str, subject: str | None, since: datetime
) -> list[AuditEntry]:
    source = (
        services.audit.entries_about(subject)
        if subject is not None
        else services.audit.entries(since=since - timedelta(minutes=1))
    )
    return [
        e
        for e in source
        if e.action == TURN_ACTION and e.details.get("conversation") == conversation_id
    ]


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    token: bool = False
    revealed: str | None = None


def pieces(text: str, revealed: dict[str, str]) -> list[Piece]:
    """A pseudonymised text split into plain text and tokens (revealed where granted)."""
    out: list[Piece] = []
    last = 0
    for match in _TOKEN.finditer(text):
        if match.start() > last:
            out.append(Piece(text[last : match.start()]))
        token = match.group(0)
        out.append(Piece(token, True, revealed.get(token)))
        last = match.end()
    if last < len(text):
        out.append(Piece(text[last:]))
    return out


def tokens_in(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for match in _TOKEN.finditer(text):
            seen[match.group(0)] = None
    return list(seen)


# --- audit search -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str = ""
    subject: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200

    def matches(self, entry: AuditEntry) -> bool:
        if self.actor and self.actor.lower() not in entry.actor.lower():
            return False
        if self.action and not entry.action.startswith(self.action):
            return False
        if self.subject and entry.subject != self.subject:
            return False
        return not (self.until is not None and entry.ts > format_ts(self.until))

    def run(self, services: ConsoleServices) -> Iterator[AuditEntry]:
        source = (
            services.audit.entries_about(self.subject)
            if self.subject
            else services.audit.entries(since=self.since)
        )
        since = format_ts(self.since) if self.since is not None else None
        for entry in source:
            if since is not None and entry.ts < since:
                continue
            if self.matches(entry):
                yield entry


def newest(entries: Iterable[AuditEntry], limit: int) -> list[AuditEntry]:
    kept: list[AuditEntry] = []
    for entry in entries:
        kept.append(entry)
        if len(kept) > limit:
            kept.pop(0)
    return list(reversed(kept))


# --- API keys ---------------------------------------------------------------------------


def keys_last_used(services: ConsoleServices, now: datetime, days: int = 90) -> dict[str, str]:
    """key id -> the time of its newest turn in the last `days` (from the audit log)."""
    last: dict[str, str] = {}
    for entry in turns_since(services, now - timedelta(days=days)):
        key = entry.details.get("key_id")
        if key:
            last[str(key)] = entry.ts
    return last


@dataclass(frozen=True, slots=True)
class FieldView:
    name: str
    category: str
    revealed: bool = False
    value: str | None = None
    grant_expires: datetime | None = None


@dataclass(slots=True)
class SubjectFields:
    by_category: dict[str, list[FieldView]] = field(default_factory=dict)
