"""What retention must keep because of legal holds, expanded to rows it can filter on.

A hold on a subject keeps everything about that subject: its fields, and the token maps,
transcripts and records of every conversation bound to it. A hold on one conversation
keeps that conversation's token map, transcript and records. The expansion is read once
per run, so every step of the run agrees on what is held.
"""

from __future__ import annotations

from dataclasses import dataclass

from discreet.conversations.states import subject_conversations
from discreet.rights.holds import LegalHold, active_holds
from discreet.store.db import Database
from discreet.subjectdata import Held
from discreet.vault.bindings import bound_conversations


@dataclass(frozen=True, slots=True)
class HeldSet:
    """Active holds of a tenant and the subjects and conversations they cover."""

    holds: tuple[LegalHold, ...]
    subjects: frozenset[str]
    conversations: frozenset[str]
    """Held conversations: held one by one, or bound to a held subject."""

    def covers(self, *, subject: str | None = None, conversation: str | None = None) -> bool:
        return self.held.covers(subject=subject, conversation=conversation)

    @property
    def held(self) -> Held:
        """What the subject-data holders keep."""
        return Held(self.subjects, self.conversations)


def load_held(db: Database, tenant: str) -> HeldSet:
    """The tenant's active holds, expanded (see the module docstring)."""
    holds = tuple(active_holds(db, tenant=tenant))
    subjects = frozenset(h.subject_id for h in holds if h.subject_id)
    conversations = {h.conversation_id for h in holds if h.conversation_id}
    if subjects:
        with db.begin() as conn:
            conversations.update(bound_conversations(conn, tenant, sorted(subjects)))
            conversations |= subject_conversations(conn, tenant, sorted(subjects))
    return HeldSet(holds, subjects, frozenset(c for c in conversations if c))
