"""The incident register and its 72-hour clock (GDPR art. 33 and 34).

Art. 33(1): a personal-data breach is notified to the supervisory authority "without undue
delay and, where feasible, not later than 72 hours after having become aware of it". The
clock therefore runs from ``aware_at`` (not from when the breach happened or when the
incident was typed in) to ``authority_notified_at``. It is kept and computed in UTC, so a
daylight-saving change inside the window neither adds nor removes an hour: 72 hours are 72
elapsed hours, and a local wall clock may show 71 or 73 between start and deadline.
Times a person types are read in a named time zone (:func:`parse_local_time`), and a
local time that does not exist (the spring-forward gap) or exists twice (the fall-back
hour) is refused rather than guessed.

Every incident documents (art. 33(5)) its kind (confidentiality, integrity,
availability), severity, the data categories and how many subjects are concerned, a
timeline of notes and decisions, and when the authority and the subjects were told. The
subjects themselves are kept as pseudonymous ids only, in ``ops_incident_subjects``,
whose single holder is :class:`IncidentSubjects`. Free text (titles, notes) is masked by
the detector's patterns before it is stored: a note is not a place for an e-mail address.

Incidents open by hand, from an alert (:mod:`discreet.ops.alerts`) or from the gateway's
guard blocks, which the gateway already writes to the audit log as
``incident.cross_subject_leak`` records (:meth:`IncidentRegister.open_from_guard_blocks`
reads them; the gateway is not changed).
"""

from __future__ import annotations

import builtins
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, delete, func, select, update

from discreet.clock import Clock, as_utc, now_from, system_clock
from discreet.errors import Conflict, InvalidInput, NotFound
from discreet.ops.masking import mask_text
from discreet.store.db import Database
from discreet.store.models import table_of
from discreet.store.ops_models import IncidentEventRow, IncidentRow, IncidentSubjectRow
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, RetentionDays, SubjectScope

NOTIFY_WITHIN = timedelta(hours=72)
"""Art. 33(1): from becoming aware to notifying the authority."""
GUARD_INCIDENT_ACTION = "incident.cross_subject_leak"
"""The audit action the gateway writes when the output guard blocks a leak."""
MAX_TEXT = 4000

_I = table_of(IncidentRow)
_S = table_of(IncidentSubjectRow)
_E = table_of(IncidentEventRow)


class Kind(StrEnum):
    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"
    AVAILABILITY = "availability"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class State(StrEnum):
    OPEN = "open"
    NOTIFIED = "notified"
    """The authority has been notified; the clock has stopped."""
    CLOSED = "closed"


class IncidentNotFound(NotFound):
    """No incident with that id in this tenant."""


class IncidentClosed(Conflict):
    """The incident is closed; reopen it by opening a new one."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} (use an IANA name)") from None


def parse_local_time(text: str, tz: str = "UTC") -> datetime:
    """An ISO-8601 time as aware UTC; without an offset it is read in `tz`.

    A wall-clock time that `tz` skips (spring forward) or repeats (fall back) is refused
    with the fix named: give the offset explicitly."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--aware/--at: {text!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is not None:
        return as_utc(parsed)
    local = zone(tz)
    first, second = parsed.replace(tzinfo=local, fold=0), parsed.replace(tzinfo=local, fold=1)
    if as_utc(first).astimezone(local).replace(tzinfo=None) != parsed:
        raise InvalidInput(
            f"{text} does not exist in {tz} (clocks go forward over it): add the offset"
        )
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput(
            f"{text} is ambiguous in {tz} (the hour repeats when clocks go back): "
            "add the offset, e.g. +02:00 or +01:00"
        )
    return as_utc(first)


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """Where an incident stands on the 72-hour clock at `now`."""

    deadline: datetime
    stopped_at: datetime | None
    """When the authority was notified (the clock stops there)."""
    remaining: timedelta
    """Until the deadline (negative: overdue by that much; frozen once stopped)."""

    @property
    def overdue(self) -> bool:
        return self.stopped_at is None and self.remaining < timedelta(0)

    @property
    def late(self) -> bool:
        """Notified, but after the deadline (art. 33(1): reasons for the delay owed)."""
        return self.stopped_at is not None and self.stopped_at > self.deadline

    def describe(self, tz: str = "UTC") -> str:
        local = self.deadline.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M %Z")
        if self.stopped_at is not None:
            when = self.stopped_at.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M %Z")
            return f"authority notified {when}" + (" (after the deadline)" if self.late else "")
        hours = abs(self.remaining.total_seconds()) / 3600
        if self.overdue:
            return f"OVERDUE by {hours:.1f} h (deadline {local})"
        return f"{hours:.1f} h left (deadline {local})"


def clock_status(aware_at: datetime, notified_at: datetime | None, now: datetime) -> ClockStatus:
    deadline = as_utc(aware_at) + NOTIFY_WITHIN
    stop = as_utc(notified_at) if notified_at is not None else None
    return ClockStatus(deadline, stop, deadline - (stop or as_utc(now)))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    tenant: str
    title: str
    kind: Kind
    severity: Severity
    state: State
    source: str
    source_ref: str | None
    categories: tuple[str, ...]
    subject_count: int
    aware_at: datetime
    opened_at: datetime
    opened_by: str
    authority_notified_at: datetime | None
    subjects_notified_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    timeline: tuple[TimelineEntry, ...] = ()

    def clock(self, now: datetime) -> ClockStatus:
        return clock_status(self.aware_at, self.authority_notified_at, now)

    def as_dict(self, now: datetime | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "state": self.state.value,
            "source": self.source,
            "source_ref": self.source_ref,
            "categories": list(self.categories),
            "subject_count": self.subject_count,
            "aware_at": self.aware_at.isoformat(),
            "opened_at": self.opened_at.isoformat(),
            "opened_by": self.opened_by,
            "authority_notified_at": _iso(self.authority_notified_at),
            "subjects_notified_at": _iso(self.subjects_notified_at),
            "closed_at": _iso(self.closed_at),
            "closed_by": self.closed_by,
            "timeline": [t.as_dict() for t in self.timeline],
        }
        if now is not None:
            status = self.clock(now)
            body["deadline"] = status.deadline.isoformat()
            body["hours_left"] = round(status.remaining.total_seconds() / 3600, 2)
            body["overdue"] = status.overdue
        return body


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _clean(text: str, what: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{what} must not be empty")
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return mask_text(text)


def _severity_of(text: str) -> Severity:
    try:
        return Severity(text)
    except ValueError:
        return Severity.HIGH


def _incident(row: Any, timeline: Iterable[TimelineEntry] = ()) -> Incident:
    return Incident(
        id=row.id,
        tenant=row.tenant,
        title=row.title,
        kind=Kind(row.kind),
        severity=Severity(row.severity),
        state=State(row.state),
        source=row.source,
        source_ref=row.source_ref,
        categories=tuple(json.loads(row.categories)),
        subject_count=int(row.subject_count),
        aware_at=as_utc(row.aware_at),
        opened_at=as_utc(row.opened_at),
        opened_by=row.opened_by,
        authority_notified_at=as_utc(row.authority_notified_at)
        if row.authority_notified_at
        else None,
        subjects_notified_at=as_utc(row.subjects_notified_at) if row.subjects_notified_at else None,
        closed_at=as_utc(row.closed_at) if row.closed_at else None,
        closed_by=row.closed_by,
        timeline=tuple(timeline),
    )


class IncidentRegister:
    """The incident register of one tenant (the incident tables but the subject links,
    which :class:`IncidentSubjects` owns; the register writes them through it)."""

    def __init__(self, db: Database, *, tenant: str, clock: Clock = system_clock) -> None:
        self._db = db
        self.tenant = tenant
        self._clock = clock
        self.subjects = IncidentSubjects(db, clock=clock)

    def now(self) -> datetime:
        return now_from(self._clock)

    def open(
        self,
        *,
        title: str,
        kind: Kind,
        severity: Severity,
        actor: str,
        aware_at: datetime | None = None,
        categories: Iterable[str] = (),
        subjects: Iterable[str] = (),
        subject_count: int | None = None,
        source: str = "manual",
        source_ref: str | None = None,
        conn: Connection | None = None,
    ) -> Incident:
        """Open an incident; `aware_at` defaults to now. `subjects` are pseudonymous ids;
        `subject_count` may be larger (subjects not yet identified one by one)."""
        now = self.now()
        aware = as_utc(aware_at) if aware_at is not None else now
        if aware > now + timedelta(minutes=5):
            raise InvalidInput("--aware lies in the future")
        ids = sorted(set(subjects))
        count = max(subject_count or 0, len(ids))
        if count < 0:
            raise InvalidInput("--subjects must not be negative")
        incident_id = f"INC-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"
        row = {
            "id": incident_id,
            "tenant": self.tenant,
            "title": _clean(title, "title", 200),
            "kind": kind.value,
            "severity": severity.value,
            "state": State.OPEN.value,
            "source": source,
            "source_ref": source_ref,
            "categories": json.dumps(sorted(set(categories))),
            "subject_count": count,
            "aware_at": aware,
            "opened_at": now,
            "opened_by": actor,
            "authority_notified_at": None,
            "subjects_notified_at": None,
            "closed_at": None,
            "closed_by": None,
        }

        def write(c: Connection) -> None:
            c.execute(_I.insert(), row)
            self.subjects.link(c, self.tenant, incident_id, ids, now)
            self._event(c, incident_id, now, "opened", actor, f"{source}: {row['title']}")

        if conn is not None:
            write(conn)
        else:
            with self._db.begin() as own:
                write(own)
        return self.get(incident_id)

    def _event(
        self, conn: Connection, incident_id: str, at: datetime, kind: str, actor: str, text: str
    ) -> None:
        conn.execute(
            _E.insert(),
            {"incident_id": incident_id, "at": at, "kind": kind, "actor": actor, "text": text},
        )

    def _row(self, conn: Connection, incident_id: str) -> Any:
        row = conn.execute(
            select(_I).where(_I.c.id == incident_id, _I.c.tenant == self.tenant)
        ).one_or_none()
        if row is None:
            raise IncidentNotFound(f"no incident {incident_id!r}")
        return row

    def get(self, incident_id: str) -> Incident:
        with self._db.read() as conn:
            row = self._row(conn, incident_id)
            events = conn.execute(
                select(_E).where(_E.c.incident_id == incident_id).order_by(_E.c.at, _E.c.id)
            ).all()
        return _incident(
            row, (TimelineEntry(as_utc(e.at), e.kind, e.actor, e.text) for e in events)
        )

    def list(
        self, *, state: State | None = None, include_closed: bool = True
    ) -> builtins.list[Incident]:
        query = select(_I).where(_I.c.tenant == self.tenant).order_by(_I.c.aware_at)
        if state is not None:
            query = query.where(_I.c.state == state.value)
        elif not include_closed:
            query = query.where(_I.c.state != State.CLOSED.value)
        with self._db.read() as conn:
            return [_incident(r) for r in conn.execute(query).all()]

    def overdue(self, now: datetime | None = None) -> builtins.list[Incident]:
        """Incidents whose authority notification is past the 72-hour deadline."""
        moment = now or self.now()
        # Every open incident counts, low severity too: deciding that a breach needs no
        # notification is itself recorded (a decision) and then the incident is closed.
        return [i for i in self.list(state=State.OPEN) if i.clock(moment).overdue]

    def note(self, incident_id: str, text: str, *, actor: str, decision: bool = False) -> None:
        """Add a timeline entry; a `decision` (e.g. "no notification: unlikely to result
        in a risk", art. 33(1)) is marked as such for the record."""
        body = _clean(text, "note")
        with self._db.begin() as conn:
            row = self._row(conn, incident_id)
            if row.state == State.CLOSED.value:
                raise IncidentClosed(f"incident {incident_id} is closed")
            self._event(
                conn, incident_id, self.now(), "decision" if decision else "note", actor, body
            )

    def add_subjects(self, incident_id: str, subjects: Iterable[str], *, actor: str) -> int:
        ids = sorted(set(subjects))
        now = self.now()
        with self._db.begin() as conn:
            row = self._row(conn, incident_id)
            added = self.subjects.link(conn, self.tenant, incident_id, ids, now)
            linked = self.subjects.count(conn, incident_id)
            conn.execute(
                update(_I)
                .where(_I.c.id == incident_id)
                .values(subject_count=max(int(row.subject_count), linked))
            )
            self._event(conn, incident_id, now, "subjects", actor, f"{added} subject(s) added")
        return added

    def notify(
        self,
        incident_id: str,
        *,
        to: str,
        actor: str,
        at: datetime | None = None,
        reference: str = "",
    ) -> Incident:
        """Record that the authority (``to="authority"``, stops the clock) or the subjects
        (``to="subjects"``, art. 34) were notified, at `at` (default now)."""
        if to not in ("authority", "subjects"):
            raise InvalidInput("--to must be authority or subjects")
        now = self.now()
        when = as_utc(at) if at is not None else now
        if when > now + timedelta(minutes=5):
            raise InvalidInput("--at lies in the future")
        with self._db.begin() as conn:
            row = self._row(conn, incident_id)
            if row.state == State.CLOSED.value:
                raise IncidentClosed(f"incident {incident_id} is closed")
            if when < as_utc(row.aware_at):
                raise InvalidInput("--at is before the incident's aware time")
            values: dict[str, Any]
            if to == "authority":
                values = {"authority_notified_at": when, "state": State.NOTIFIED.value}
            else:
                values = {"subjects_notified_at": when}
            conn.execute(update(_I).where(_I.c.id == incident_id).values(**values))
            late = to == "authority" and when > as_utc(row.aware_at) + NOTIFY_WITHIN
            text = f"{to} notified" + (
                f" (reference {_clean(reference, 'reference', 200)})" if reference.strip() else ""
            )
            if late:
                text += "; after the 72-hour deadline: the reasons for the delay are owed"
            self._event(conn, incident_id, when, f"notified_{to}", actor, text)
        return self.get(incident_id)

    def close(self, incident_id: str, *, actor: str, summary: str) -> Incident:
        """Close an incident with a summary. An incident the authority was not notified
        of needs the decision recorded: close refuses without a decision entry."""
        body = _clean(summary, "summary")
        now = self.now()
        with self._db.begin() as conn:
            row = self._row(conn, incident_id)
            if row.state == State.CLOSED.value:
                raise IncidentClosed(f"incident {incident_id} is already closed")
            if row.authority_notified_at is None:
                decisions = conn.execute(
                    select(func.count())
                    .select_from(_E)
                    .where(_E.c.incident_id == incident_id, _E.c.kind == "decision")
                ).scalar_one()
                if not decisions:
                    raise Conflict(
                        f"incident {incident_id}: the authority was not notified; record the "
                        "decision not to notify first (incidents note --decision)"
                    )
            conn.execute(
                update(_I)
                .where(_I.c.id == incident_id)
                .values(state=State.CLOSED.value, closed_at=now, closed_by=actor)
            )
            self._event(conn, incident_id, now, "closed", actor, body)
        return self.get(incident_id)

    def open_from_alert(
        self, alert: Any, *, actor: str, severity: Severity | None = None
    ) -> Incident:
        """Open an incident from an anomaly alert (once per alert): aware from when the
        alert was raised; a broken audit chain is an integrity incident, the rest
        confidentiality."""
        ref = f"alert:{alert.id}"
        with self._db.read() as conn:
            exists = conn.execute(
                select(_I.c.id).where(
                    _I.c.tenant == self.tenant, _I.c.source == "alert", _I.c.source_ref == ref
                )
            ).scalar_one_or_none()
        if exists is not None:
            raise Conflict(f"alert {alert.id} already has incident {exists}")
        return self.open(
            title=f"Alert {alert.id}: {alert.signal} by {alert.actor}",
            kind=Kind.INTEGRITY if alert.signal == "audit_chain" else Kind.CONFIDENTIALITY,
            severity=severity or _severity_of(alert.severity),
            actor=actor,
            aware_at=alert.raised_at,
            source="alert",
            source_ref=ref,
        )

    def open_from_guard_blocks(
        self, entries: Iterable[Any], *, actor: str = "discreet-ops"
    ) -> builtins.list[Incident]:
        """Open one incident per guard block in `entries` (audit entries; others ignored)
        that has none yet. The incident concerns the conversation's subject (whose answer
        would have carried another customer's data) and counts the other subjects whose
        values were found; it is aware from the audit record's time."""
        from discreet.detect.entities import ENTITY_INFO, EntityType

        opened: list[Incident] = []
        for entry in entries:
            if entry.action != GUARD_INCIDENT_ACTION:
                continue
            ref = f"audit:{entry.seq}"
            with self._db.read() as conn:
                exists = conn.execute(
                    select(_I.c.id).where(
                        _I.c.tenant == self.tenant,
                        _I.c.source == "guard_block",
                        _I.c.source_ref == ref,
                    )
                ).first()
            if exists is not None:
                continue
            types = [t for t in str(entry.details.get("entity_types", "")).split(",") if t]
            categories = {
                ENTITY_INFO[EntityType(t)].category.value
                for t in types
                if t in EntityType.__members__
            }
            others = int(entry.details.get("other_subjects", 0) or 0)
            opened.append(
                self.open(
                    title="Output guard blocked another customer's data in an answer",
                    kind=Kind.CONFIDENTIALITY,
                    severity=Severity.MEDIUM,
                    actor=actor,
                    aware_at=datetime.fromisoformat(entry.ts.replace("Z", "+00:00")),
                    categories=categories,
                    subjects=[entry.subject] if entry.subject else [],
                    subject_count=others + (1 if entry.subject else 0),
                    source="guard_block",
                    source_ref=ref,
                )
            )
        return opened


class IncidentSubjects(OneRule):
    """Holder of ``ops_incident_subjects``: which subjects an incident concerns.

    Export lists the incidents about the subject (id, kind, when); erasure deletes the
    links but the incident keeps its count (art. 33(5) documentation stays complete
    without naming anyone); retention uses the ``incident`` record kind, if the policy has
    a rule for it, by the incident's opening time."""

    name = "ops_incident_subjects"
    erasable = True
    tables = ("ops_incident_subjects",)
    kind = "audit_records"
    """The retention rule that governs the links: they document processing like the
    audit log does (art. 33(5)), so they are kept as long as audit records."""

    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        self._db = db
        self._clock = clock

    def days(self, retention: RetentionDays) -> int | None:
        try:
            return retention(self.kind, None)
        except (KeyError, ValueError):  # a policy without that record kind: no rule, keep
            return None

    def link(
        self, conn: Connection, tenant: str, incident_id: str, ids: Iterable[str], now: datetime
    ) -> int:
        existing = set(
            conn.execute(select(_S.c.subject_id).where(_S.c.incident_id == incident_id)).scalars()
        )
        rows = [
            {"incident_id": incident_id, "subject_id": s, "tenant": tenant, "added_at": now}
            for s in ids
            if s not in existing
        ]
        if rows:
            conn.execute(_S.insert(), rows)
        return len(rows)

    def count(self, conn: Connection, incident_id: str) -> int:
        return int(
            conn.execute(
                select(func.count()).select_from(_S).where(_S.c.incident_id == incident_id)
            ).scalar_one()
        )

    def export(self, scope: SubjectScope) -> builtins.list[dict[str, Any]]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_I.c.id, _I.c.kind, _I.c.aware_at, _I.c.state, _S.c.added_at)
                .join(_I, _I.c.id == _S.c.incident_id)
                .where(_S.c.tenant == scope.tenant, _S.c.subject_id == scope.subject_id)
                .order_by(_S.c.added_at)
            ).all()
        return [
            {
                "incident": r.id,
                "kind": r.kind,
                "aware_at": as_utc(r.aware_at).isoformat(),
                "state": r.state,
                "linked_at": as_utc(r.added_at).isoformat(),
            }
            for r in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        if held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            result = conn.execute(
                delete(_S).where(_S.c.tenant == scope.tenant, _S.c.subject_id == scope.subject_id)
            )
        return int(result.rowcount or 0)

    def _due_rows(self, conn: Connection, tenant: str) -> builtins.list[Any]:
        return list(
            conn.execute(
                select(_S.c.incident_id, _S.c.subject_id, _I.c.opened_at)
                .join(_I, _I.c.id == _S.c.incident_id)
                .where(_S.c.tenant == tenant)
            ).all()
        )

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> builtins.list[Expiry]:
        cutoff = as_utc(now) - timedelta(days=days)
        deleted = kept = 0
        with self._db.begin() as conn:
            for row in self._due_rows(conn, tenant):
                if as_utc(row.opened_at) >= cutoff:
                    continue
                if held.covers(subject=row.subject_id):
                    kept += 1
                    continue
                deleted += 1
                if not dry_run:
                    conn.execute(
                        delete(_S).where(
                            _S.c.incident_id == row.incident_id,
                            _S.c.subject_id == row.subject_id,
                        )
                    )
            line = Expiry(self.kind, None, days, deleted, kept)
            if not dry_run:
                # Few rows (one per incident and subject): one batch, reported with it.
                batching.report(conn, line)
        return [line]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> builtins.list[Due]:
        with self._db.read() as conn:
            rows = self._due_rows(conn, tenant)
        starts = ((as_utc(row.opened_at), held.covers(subject=row.subject_id)) for row in rows)
        return self.due_after(days, as_utc(now), horizon_days, starts)
