"""Tables of conversation transcripts and retention runs (data store).

* ``conversation_messages``: the stored transcript of each conversation, one row per
  message, holding **pseudonymised text only** (``[PERSON_1]`` tokens, never raw values).
  Once a conversation's token map is destroyed (close, retention, erasure), what remains
  here identifies nobody. ``subject_id`` is the bound subject's pseudonym (NULL for an
  anonymous conversation), so the history window and legal holds can find a subject's
  messages without a join.
* ``retention_runs``: one row per finished retention run (counts per kind, dry run or
  not), so an operator can see when data was last pruned without reading the audit log.

The Alembic revision ``0005_retention`` creates these tables (and adds
``gateway_conversations.closed_at``); keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, ID_LEN, NAME_LEN, Base, subject_data

ROLE_LEN = 16
ACTOR_LEN = 200


class ConversationMessage(Base):
    __tablename__ = "conversation_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN))
    subject_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    seq: Mapped[int] = mapped_column(Integer)
    """Position in the conversation, from 1."""
    role: Mapped[str] = mapped_column(String(ROLE_LEN))
    text: Mapped[str] = mapped_column(Text)
    """Pseudonymised text only."""
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("tenant", "conversation_id", "seq", name="uq_conversation_messages_seq"),
        # Retention deletes by age across all conversations.
        Index("ix_conversation_messages_created", "tenant", "created_at"),
        # The history window of one subject, newest first.
        Index("ix_conversation_messages_subject", "tenant", "subject_id", "created_at"),
        subject_data(),
    )


class RetentionRunRow(Base):
    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    dry_run: Mapped[bool] = mapped_column(Boolean)
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    counts: Mapped[str] = mapped_column(Text)
    """Canonical JSON: kind -> {"deleted": n, "held": n} (counts only, never values)."""

    __table_args__ = (Index("ix_retention_runs_tenant", "tenant", "finished_at"),)
