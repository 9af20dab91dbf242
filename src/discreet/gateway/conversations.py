"""Gateway state of each conversation: assistant, turns, handoff (table
``gateway_conversations``), written together with the turn's audit record.

The vault owns the conversation ↔ subject binding; this module only keeps what the
gateway needs on top of it. `record_turn` updates the state and appends the turn's audit
record in one transaction, so a turn is either counted and audited, or neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

from discreet.audit.log import AuditEvent, AuditLog
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import table_of

_G = table_of(GatewayConversation)


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


@dataclass(frozen=True, slots=True)
class TurnUpdate:
    """How one finished turn changes its conversation's state."""

    conversation_id: str
    assistant: str
    subject: str | None
    handoff_reason: str | None = None  # set: the conversation is (now) marked for handoff


class ConversationStates:
    """Reads and updates ``gateway_conversations`` of one tenant."""

    def __init__(self, db: Database, audit: AuditLog, tenant: str) -> None:
        self._db = db
        self._audit = audit
        self.tenant = tenant

    def get(self, conversation_id: str) -> ConversationState | None:
        with self._db.begin() as conn:
            row = conn.execute(
                select(_G).where(_G.c.tenant == self.tenant, _G.c.id == conversation_id)
            ).one_or_none()
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
        )

    def record_turn(self, change: TurnUpdate, events: Sequence[AuditEvent]) -> int:
        """Count the turn, apply its handoff mark and append `events` (the turn record, and
        an incident if there was one); returns the turn number (1 for the first). One
        transaction: nothing is counted unaudited."""
        for attempt in range(2):
            try:
                with self._db.begin() as conn:
                    number = self._upsert(conn, change)
                    for event in events:
                        self._audit.append(event, conn=conn)
                    return number
            except DbIntegrityError:  # a concurrent first turn inserted the row first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _upsert(self, conn: Connection, change: TurnUpdate) -> int:
        now = datetime.now(UTC)
        where = (_G.c.tenant == self.tenant) & (_G.c.id == change.conversation_id)
        row = conn.execute(
            select(_G.c.turns, _G.c.handoff).where(where).with_for_update()
        ).one_or_none()
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
            return 1
        values: dict[str, object] = {"turns": int(row.turns) + 1, "updated_at": now}
        if change.subject is not None:
            values["subject_id"] = change.subject
        if change.handoff_reason is not None and not row.handoff:
            values.update(handoff=True, handoff_reason=change.handoff_reason)
        conn.execute(update(_G).where(where).values(**values))
        return int(row.turns) + 1
