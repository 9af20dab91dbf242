"""What retention must keep because of legal holds, expanded to rows it can filter on.

A hold on a subject keeps everything about that subject: its fields, and the token maps,
transcripts and records of every conversation bound to it. A hold on one conversation
keeps that conversation's token map, transcript and records. The expansion is read once
per run, so every step of the run agrees on what is held.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from discreet.rights.holds import LegalHold, active_holds
from discreet.store.db import Database
from discreet.store.gateway_models import GatewayConversation
from discreet.store.models import Conversation, table_of

_C = table_of(Conversation)
_G = table_of(GatewayConversation)
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class HeldSet:
    """Active holds of a tenant and the subjects and conversations they cover."""

    holds: tuple[LegalHold, ...]
    subjects: frozenset[str]
    conversations: frozenset[str]
    """Held conversations: held one by one, or bound to a held subject."""

    def covers(self, *, subject: str | None = None, conversation: str | None = None) -> bool:
        return (subject is not None and subject in self.subjects) or (
            conversation is not None and conversation in self.conversations
        )


def load_held(db: Database, tenant: str) -> HeldSet:
    """The tenant's active holds, expanded (see the module docstring)."""
    holds = tuple(active_holds(db, tenant=tenant))
    subjects = frozenset(h.subject_id for h in holds if h.subject_id)
    conversations = {h.conversation_id for h in holds if h.conversation_id}
    if subjects:
        with db.begin() as conn:
            conversations |= _bound_conversations(conn, tenant, sorted(subjects))
    return HeldSet(holds, subjects, frozenset(c for c in conversations if c))


def _bound_conversations(conn: Connection, tenant: str, subjects: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(subjects), _IN_CHUNK):
        part = subjects[start : start + _IN_CHUNK]
        found.update(
            conn.execute(
                select(_C.c.id).where(_C.c.tenant == tenant, _C.c.subject_id.in_(part))
            ).scalars()
        )
        found.update(
            conn.execute(
                select(_G.c.id).where(_G.c.tenant == tenant, _G.c.subject_id.in_(part))
            ).scalars()
        )
    return found
