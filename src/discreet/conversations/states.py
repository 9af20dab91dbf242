"""Gateway state of each conversation: assistant, turns, handoff (table
``gateway_conversations``), written together with the turn's audit record.

The vault owns the conversation ↔ subject binding; this module only keeps what the
gateway needs on top of it. `record_turn` updates the state, appends the turn's
pseudonymised messages to the transcript and the turn's audit record in one transaction,
so a turn is either counted, stored and audited, or none of these. A closed conversation
(``closed_at``, set by discreet.retention.closing) takes no more turns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.context import AccessContext, Outcome
from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import Clock, as_utc, system_clock
from discreet.conversations.fence import RunningErasures, fence_subject
from discreet.conversations.models import ConversationMessage, GatewayConversation
from discreet.conversations.transcripts import (
    MAX_HISTORY,
    StoredMessage,
    TranscriptStore,
    conversations_with_messages,
)
from discreet.errors import Conflict
from discreet.store.db import Database
from discreet.store.driver import DriverStatement
from discreet.store.models import table_of
from discreet.store.sql import chunks, held_flag, is_held, not_held, of_scope
from discreet.subjectdata import Batching, Due, Expiry, Held, OneRule, SubjectScope

_G = table_of(GatewayConversation)
_T = table_of(ConversationMessage)
# Built once (bound values at execution) and run on the driver's cursor
# (store/driver.py): these run on every chat turn.
_STATE = DriverStatement(
    select(_G).where(_G.c.tenant == bindparam("tenant"), _G.c.id == bindparam("id"))
)
_LOCK_STATE = DriverStatement(
    select(_G.c.turns, _G.c.handoff, _G.c.handoff_reason, _G.c.closed_at, _G.c.subject_id)
    .where(_G.c.tenant == bindparam("tenant"), _G.c.id == bindparam("id"))
    .with_for_update()
)
# Every turn's update, built once: a statement assembled per turn (where, values) cost
# more than the rest of the turn's bookkeeping transaction together.
_COUNT_TURN = DriverStatement(
    update(_G)
    .where(_G.c.tenant == bindparam("of_tenant"), _G.c.id == bindparam("of_id"))
    .values(
        turns=bindparam("new_turns"),
        updated_at=bindparam("now"),
        subject_id=bindparam("new_subject"),
        handoff=bindparam("new_handoff"),
        handoff_reason=bindparam("new_reason"),
    )
)
_EARLIER = DriverStatement(
    select(_T.c.conversation_id, _T.c.seq, _T.c.role, _T.c.text, _T.c.created_at)
    .where(
        _T.c.tenant == bindparam("tenant"),
        _T.c.subject_id == bindparam("subject"),
        _T.c.created_at >= bindparam("since"),
        _T.c.created_at < bindparam("before"),
        _T.c.conversation_id != bindparam("exclude"),
        _T.c.conversation_id.in_(
            select(_G.c.id).where(
                _G.c.tenant == bindparam("tenant"),
                _G.c.subject_id == bindparam("subject"),
                _G.c.assistant == bindparam("assistant"),
            )
        ),
    )
    .order_by(_T.c.created_at.desc(), _T.c.id.desc())
    .limit(bindparam("limit"))
)


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What `GET /v1/conversations/{id}` shows; pseudonymous ids only."""

    conversation_id: str
    assistant: str
    subject: str | None
    turns: int
    handoff: bool
    handoff_reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None


class ConversationClosed(Conflict):
    """The conversation was closed; it takes no more turns."""


@dataclass(frozen=True, slots=True)
class TurnUpdate:
    """How one finished turn changes its conversation's state."""

    conversation_id: str
    assistant: str
    subject: str | None
    handoff_reason: str | None = None  # set: the conversation is (now) marked for handoff
    transcript: tuple[tuple[str, str], ...] = ()
    """(role, PSEUDONYMISED text) pairs this turn adds to the stored transcript."""

    def __repr__(self) -> str:
        return (
            f"TurnUpdate(conversation={self.conversation_id!r}, "
            f"transcript=<{len(self.transcript)} messages>)"
        )


def _state(row: Any, *, aware: bool) -> ConversationState:
    """A state from its row. ``aware``: timestamps made UTC-aware; without, they stay as
    the database returns them (``get``, whose timestamps the API shows as they are)."""

    def at(value: datetime) -> datetime:
        return as_utc(value) if aware else value

    return ConversationState(
        conversation_id=row.id,
        assistant=row.assistant,
        subject=row.subject_id,
        turns=int(row.turns),
        handoff=bool(row.handoff),
        handoff_reason=row.handoff_reason,
        created_at=at(row.created_at),
        updated_at=at(row.updated_at),
        closed_at=at(row.closed_at) if row.closed_at is not None else None,
    )


class ConversationStates:
    """Reads and updates ``gateway_conversations`` of one tenant."""

    def __init__(self, db: Database, audit: AuditLog, tenant: str) -> None:
        self._db = db
        self._audit = audit
        self.tenant = tenant
        self.transcripts = TranscriptStore(db, tenant)

    def get(self, conversation_id: str) -> ConversationState | None:
        with self._db.read() as conn:
            row = _STATE.first(conn, {"tenant": self.tenant, "id": conversation_id})
        return None if row is None else _state(row, aware=False)

    def started_between(self, since: datetime, until: datetime) -> list[ConversationState]:
        """Conversations created in ``[since, until)``, oldest first (batch jobs: the
        training export and analytics select their input here)."""
        query = (
            select(_G)
            .where(
                _G.c.tenant == self.tenant,
                _G.c.created_at >= as_utc(since),
                _G.c.created_at < as_utc(until),
            )
            .order_by(_G.c.created_at, _G.c.id)
        )
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        return [_state(row, aware=True) for row in rows]

    def release_handoff(self, conversation_id: str, *, ctx: AccessContext, reason: str) -> bool:
        """Give a handed-over conversation back to the assistant (see gateway/handoff.py);
        False if it was not handed over. Audited as ``conversation.handoff_released``."""
        with self._db.begin() as conn:
            row = _LOCK_STATE.first(conn, {"tenant": self.tenant, "id": conversation_id})
            if row is None or not row.handoff:
                return False
            conn.execute(
                update(_G)
                .where(_G.c.tenant == self.tenant, _G.c.id == conversation_id)
                .values(handoff=False, updated_at=datetime.now(UTC))
            )
            self._audit.append(
                AuditEvent(
                    ctx=ctx,
                    tenant=self.tenant,
                    action="conversation.handoff_released",
                    outcome=Outcome.OK,
                    subject=row.subject_id,
                    details={"conversation": conversation_id, "reason": reason},
                ),
                conn=conn,
            )
        return True

    def earlier_messages(
        self,
        subject: str,
        *,
        assistant: str,
        since: datetime,
        before: datetime,
        exclude: str,
        limit: int,
    ) -> list[StoredMessage]:
        """The newest `limit` stored messages (oldest first) of the subject's conversations
        other than `exclude`, created in [`since`, `before`), as stored: pseudonymised with THEIR
        conversation's tokens, which mean nothing in another conversation. The caller
        re-tokenises them or neutralises them (`transcripts.neutralise_tokens`).
        Only conversations of `assistant`: another assistant (billing, say) may have seen
        data categories this one may not, and its conversations would carry them over.

        One indexed query (tenant, subject, created_at) that leaves the current
        conversation out in SQL. `before` is when the current conversation began: the
        index is read from there down, so the cost does not grow with the current
        conversation's own length (its messages are all newer), and a parallel
        conversation's later messages do not change this one's context turn by turn. Not
        `TranscriptStore.history`: that one neutralises other conversations' tokens and
        cannot restrict to one assistant, and the turn needs the raw tokens to re-tokenise.
        """
        if limit <= 0:
            return []
        params = {
            "tenant": self.tenant,
            "subject": subject,
            "since": as_utc(since),
            "before": as_utc(before),
            "exclude": exclude,
            "assistant": assistant,
            "limit": min(limit, MAX_HISTORY),
        }
        with self._db.read() as conn:
            rows = _EARLIER.rows(conn, params)
        return [
            StoredMessage(
                row.conversation_id,
                int(row.seq),
                row.role,
                row.text,
                as_utc(row.created_at),
            )
            for row in reversed(rows)
        ]

    def record_turn(
        self, change: TurnUpdate, events: Sequence[AuditEvent], *, erasures: RunningErasures
    ) -> int:
        """Count the turn, apply its handoff mark, store its transcript messages and
        append `events` (the turn record, and an incident if there was one); returns the
        turn number (1 for the first). One transaction: nothing is counted unaudited.
        Raises ConversationClosed if the conversation was closed meanwhile, and
        SubjectErasing if `erasures` says the subject is being erased (conversations/
        fence.py; the wiring gives the erasure jobs' owner)."""
        for attempt in range(2):
            try:
                with self._db.begin() as conn:
                    if change.subject is not None:  # erasure vs this turn: one waits
                        fence_subject(conn, self.tenant, change.subject, erasures)
                    now = datetime.now(UTC)
                    number, was_bound = self._upsert(conn, change, now)
                    if change.transcript:  # after the state row is locked: seqs stay unique
                        # Messages stored before the conversation was bound are attributed
                        # to the subject on the turn that binds it; after that, each turn's
                        # messages carry the subject already.
                        self.transcripts.append(
                            change.conversation_id,
                            change.transcript,
                            now,
                            subject=change.subject,
                            attribute_earlier=not was_bound,
                            conn=conn,
                        )
                    for event in events:
                        self._audit.append(event, conn=conn)
                    return number
            except DbIntegrityError:  # a concurrent first turn inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _upsert(self, conn: Connection, change: TurnUpdate, now: datetime) -> tuple[int, bool]:
        """The turn's number, and whether the conversation was bound to its subject
        before this turn."""
        row = _LOCK_STATE.first(conn, {"tenant": self.tenant, "id": change.conversation_id})
        if row is not None and row.closed_at is not None:
            raise ConversationClosed("the conversation was closed")
        if row is None:
            conn.execute(
                _G.insert(),
                {
                    "tenant": self.tenant,
                    "id": change.conversation_id,
                    "assistant": change.assistant,
                    "subject_id": change.subject,
                    "turns": 1,
                    "handoff": change.handoff_reason is not None,
                    "handoff_reason": change.handoff_reason,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            return 1, False
        # The first handoff reason stays; the subject, once bound, is the turn's own.
        first_handoff = change.handoff_reason is not None and not row.handoff
        _COUNT_TURN.rows(
            conn,
            {
                "of_tenant": self.tenant,
                "of_id": change.conversation_id,
                "new_turns": int(row.turns) + 1,
                "now": now,
                "new_subject": change.subject if change.subject is not None else row.subject_id,
                "new_handoff": bool(row.handoff) or first_handoff,
                "new_reason": change.handoff_reason if first_handoff else row.handoff_reason,
            },
        )
        return int(row.turns) + 1, row.subject_id is not None


# --- the subject-data holder of ``gateway_conversations`` -------------------------------

CONVERSATION_STATES = "gateway_conversations"
CONVERSATIONS = "conversations"
Forget = Callable[[Connection, str, Sequence[str]], int]
"""``(conn, tenant, conversation ids) -> n``: forget what else is kept about these
conversations (the vault's binding and token map), in the caller's transaction."""


def closed_at(conn: Connection, tenant: str, ids: Sequence[str]) -> dict[str, datetime]:
    """When each closed one of `ids` was closed (open or unknown ones are left out)."""
    found: dict[str, datetime] = {}
    for part in chunks(list(ids)):
        for row in conn.execute(
            select(_G.c.id, _G.c.closed_at).where(
                _G.c.tenant == tenant, _G.c.id.in_(part), _G.c.closed_at.is_not(None)
            )
        ):
            found[row.id] = as_utc(row.closed_at)
    return found


def is_closed(
    db: Database, tenant: str, conversation_id: str, *, conn: Connection | None = None
) -> bool:
    """Whether the conversation was closed (``gateway_conversations.closed_at`` set).

    Unknown conversations are open (their first turn has not been recorded yet). Pass the
    turn's `conn` to read it in the turn's own transaction.
    """
    query = select(_G.c.closed_at).where(_G.c.tenant == tenant, _G.c.id == conversation_id)
    if conn is not None:
        return conn.execute(query).scalar_one_or_none() is not None
    with db.begin() as own:
        return own.execute(query).scalar_one_or_none() is not None


def lock_for_closing(conn: Connection, tenant: str, ids: Sequence[str]) -> list[Any]:
    """The state rows (id, closed_at, subject_id, assistant) of `ids`, locked until the
    caller's transaction ends; unknown ids are left out."""
    return list(
        conn.execute(
            select(_G.c.id, _G.c.closed_at, _G.c.subject_id, _G.c.assistant)
            .where(_G.c.tenant == tenant, _G.c.id.in_(list(ids)))
            .with_for_update()
        ).all()
    )


def mark_closed(conn: Connection, tenant: str, ids: Sequence[str], at: datetime) -> None:
    """Close these conversations: they take no more turns."""
    if ids:
        conn.execute(
            update(_G).where(_G.c.tenant == tenant, _G.c.id.in_(list(ids))).values(closed_at=at)
        )


def idle_conversations(
    conn: Connection, tenant: str, before: datetime, *, limit: int | None = None
) -> list[str]:
    """Open conversations not active since `before`, least recently active first."""
    query = (
        select(_G.c.id)
        .where(_G.c.tenant == tenant, _G.c.closed_at.is_(None), _G.c.updated_at < before)
        .order_by(_G.c.updated_at)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).scalars())


def open_activity(conn: Connection, tenant: str) -> list[datetime]:
    """When each open conversation of the tenant was last active (idle forecasts)."""
    return [
        as_utc(at)
        for at in conn.execute(
            select(_G.c.updated_at).where(_G.c.tenant == tenant, _G.c.closed_at.is_(None))
        ).scalars()
    ]


def subject_conversations(conn: Connection, tenant: str, subject_ids: Sequence[str]) -> set[str]:
    """Ids of the conversations whose state names any of `subject_ids`."""
    found: set[str] = set()
    for part in chunks(list(subject_ids)):
        found.update(
            conn.execute(
                select(_G.c.id).where(_G.c.tenant == tenant, _G.c.subject_id.in_(part))
            ).scalars()
        )
    return found


def _no_more(conn: Connection, tenant: str, ids: Sequence[str]) -> int:
    return 0


class ConversationStateRecords(OneRule):
    """Holder of ``gateway_conversations`` for every tenant.

    A conversation's record goes once it is closed, its messages are gone and its last
    activity is older than the ``conversations`` retention; `forget` (the vault's
    bindings, given by the wiring) then drops its binding and token map in the same
    transaction.
    """

    name = "conversation_states"
    kind = CONVERSATIONS
    tables = (CONVERSATION_STATES,)
    erasable = True

    def __init__(
        self, db: Database, *, clock: Clock = system_clock, forget: Forget = _no_more
    ) -> None:
        self._db = db
        self._clock = clock
        self._forget = forget

    @staticmethod
    def _of(scope: SubjectScope) -> ColumnElement[bool]:
        return of_scope(scope, tenant=_G.c.tenant, subject=_G.c.subject_id, conversation=_G.c.id)

    def export(self, scope: SubjectScope) -> list[dict[str, Any]]:
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_G).where(self._of(scope)).order_by(_G.c.created_at, _G.c.id)
            ).all()
        return [
            {
                "conversation_id": row.id,
                "assistant": row.assistant,
                "turns": int(row.turns),
                "handed_to_human": bool(row.handoff),
                "handoff_reason": row.handoff_reason,
                "started_at": as_utc(row.created_at).isoformat(),
                "last_activity_at": as_utc(row.updated_at).isoformat(),
                "closed_at": as_utc(row.closed_at).isoformat() if row.closed_at else None,
            }
            for row in rows
        ]

    def erase(self, scope: SubjectScope, held: Held) -> int:
        """Delete the state of the subject's conversations, except held ones."""
        if held.covers(subject=scope.subject_id):
            return 0
        with self._db.begin() as conn:
            result = conn.execute(
                delete(_G).where(self._of(scope), not_held(held, conversation=_G.c.id))
            )
        return int(result.rowcount or 0)

    def _due(self, tenant: str, now: datetime, days: int) -> ColumnElement[bool]:
        return and_(
            _G.c.tenant == tenant,
            _G.c.closed_at.is_not(None),
            _G.c.updated_at < now - timedelta(days=days),
        )

    def expire_after(
        self, days: int, tenant: str, now: datetime, held: Held, dry_run: bool, batching: Batching
    ) -> list[Expiry]:
        columns = {"subject": _G.c.subject_id, "conversation": _G.c.id}
        with self._db.begin() as conn:
            due = self._due(tenant, now, days)
            candidates = list(
                conn.execute(select(_G.c.id).where(due, not_held(held, **columns))).scalars()
            )
            kept = list(
                conn.execute(select(_G.c.id).where(due, is_held(held, **columns))).scalars()
            )
            talking = conversations_with_messages(conn, tenant, candidates + kept)
            ids = [c for c in candidates if c not in talking]
            kept = [c for c in kept if c not in talking]
        if not dry_run:
            for part in chunks(ids, batching.size):
                with self._db.begin() as conn:
                    self._forget(conn, tenant, part)
                    for sub in chunks(part):
                        conn.execute(delete(_G).where(_G.c.tenant == tenant, _G.c.id.in_(sub)))
                    batching.report(conn, Expiry(CONVERSATIONS, None, days, len(part)))
        if not (ids or kept):
            return []
        return [Expiry(CONVERSATIONS, None, days, len(ids), len(kept))]

    def forecast_after(
        self, days: int, tenant: str, now: datetime, horizon_days: int, held: Held
    ) -> list[Due]:
        """When closed conversations' records fall due (their messages permitting)."""
        flag = held_flag(held, subject=_G.c.subject_id, conversation=_G.c.id)
        with self._db.begin() as conn:
            rows = conn.execute(
                select(_G.c.updated_at, flag).where(
                    _G.c.tenant == tenant, _G.c.closed_at.is_not(None)
                )
            ).all()
        starts = ((as_utc(r.updated_at), bool(r.held)) for r in rows)
        return self.due_after(days, now, horizon_days, starts)
