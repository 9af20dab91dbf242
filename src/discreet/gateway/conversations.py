"""Gateway state of each conversation: assistant, turns, handoff (table
``gateway_conversations``), written together with the turn's audit record.

The vault owns the conversation ↔ subject binding; this module only keeps what the
gateway needs on top of it. `record_turn` updates the state, appends the turn's
pseudonymised messages to the transcript and the turn's audit record in one transaction,
so a turn is either counted, stored and audited, or none of these. A closed conversation
(``closed_at``, set by discreet.retention.closing) takes no more turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.log import AuditEvent, AuditLog
from discreet.clock import as_utc
from discreet.gateway.erasure_fence import fence_subject
from discreet.gateway.transcripts import (
    MAX_HISTORY,
    StoredMessage,
    TranscriptStore,
)
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import table_of
from discreet.store.retention_models import ConversationMessage

_G = table_of(GatewayConversation)
_T = table_of(ConversationMessage)
# Built once (bound values at execution): these run on every chat turn, and building a
# statement again each time (expressions, cache keys) cost about as much as running it.
_STATE = select(_G).where(_G.c.tenant == bindparam("tenant"), _G.c.id == bindparam("id"))
_LOCK_STATE = (
    select(_G.c.turns, _G.c.handoff, _G.c.handoff_reason, _G.c.closed_at, _G.c.subject_id)
    .where(_G.c.tenant == bindparam("tenant"), _G.c.id == bindparam("id"))
    .with_for_update()
)
# Every turn's update, built once: a statement assembled per turn (where, values) cost
# more than the rest of the turn's bookkeeping transaction together.
_COUNT_TURN = (
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
_EARLIER = (
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


class ConversationClosed(Exception):
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


class ConversationStates:
    """Reads and updates ``gateway_conversations`` of one tenant."""

    def __init__(self, db: Database, audit: AuditLog, tenant: str) -> None:
        self._db = db
        self._audit = audit
        self.tenant = tenant
        self.transcripts = TranscriptStore(db, tenant)

    def get(self, conversation_id: str) -> ConversationState | None:
        with self._db.read() as conn:
            row = conn.execute(_STATE, {"tenant": self.tenant, "id": conversation_id}).one_or_none()
        if row is None:
            return None
        return ConversationState(
            conversation_id=row.id,
            assistant=row.assistant,
            subject=row.subject_id,
            turns=int(row.turns),
            handoff=bool(row.handoff),
            handoff_reason=row.handoff_reason,
            created_at=row.created_at,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
        )

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
            rows = conn.execute(_EARLIER, params).all()
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

    def record_turn(self, change: TurnUpdate, events: Sequence[AuditEvent]) -> int:
        """Count the turn, apply its handoff mark, store its transcript messages and
        append `events` (the turn record, and an incident if there was one); returns the
        turn number (1 for the first). One transaction: nothing is counted unaudited.
        Raises ConversationClosed if the conversation was closed meanwhile."""
        for attempt in range(2):
            try:
                with self._db.begin() as conn:
                    if change.subject is not None:  # erasure vs this turn: one waits
                        fence_subject(conn, self.tenant, change.subject)
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
        row = conn.execute(
            _LOCK_STATE, {"tenant": self.tenant, "id": change.conversation_id}
        ).one_or_none()
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
        conn.execute(
            _COUNT_TURN,
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
