"""Tables of conversations, in the data store: API keys, conversation state, transcripts.

* ``gateway_api_keys``: one row per API key. Only a SHA-256 digest of the key is kept
  (the key is 32 random bytes, so a plain hash cannot be brute-forced); the key id is the
  public part of the key and lets the gateway find the row without scanning.
* ``gateway_conversations``: what the gateway knows about a conversation beyond the vault's
  binding: which assistant serves it, how many turns it had, whether it was handed to a
  human. No foreign key to the vault's ``conversations``: an anonymous conversation has
  state before (or without) a vault row. Rows hold a subject pseudonym and counts only,
  so after an erasure what remains is a pseudonym that no longer resolves.

* ``conversation_messages``: the stored transcript of each conversation, one row per
  message, holding **pseudonymised text only** (``[PERSON_1]`` tokens, never raw values).
  Once a conversation's token map is destroyed (close, retention, erasure), what remains
  here identifies nobody. ``subject_id`` is the bound subject's pseudonym (NULL for an
  anonymous conversation), so the history window and legal holds can find a subject's
  messages without a join (revision ``0005_retention``).

Uses the data store's declarative `Base`, so the same metadata and naming convention
apply; the Alembic revision ``0004_gateway`` creates these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, ID_LEN, NAME_LEN, Base, subject_data

KEY_ID_LEN = 32
KEY_HASH_LEN = 64  # SHA-256, hex
REASON_LEN = 64
ROLE_LEN = 16


class GatewayApiKey(Base):
    __tablename__ = "gateway_api_keys"

    id: Mapped[str] = mapped_column(String(KEY_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    assistant: Mapped[str] = mapped_column(String(NAME_LEN))
    key_hash: Mapped[str] = mapped_column(String(KEY_HASH_LEN))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # "assistant" (chat endpoints; `assistant` names the policy's assistant) or "operator"
    # (governance endpoints; `assistant` then holds the operator's name, for the audit).
    # Added by revision 0006_operator_keys; existing keys are assistant keys.
    role: Mapped[str] = mapped_column(String(ROLE_LEN), server_default="assistant")


class GatewayConversation(Base):
    __tablename__ = "gateway_conversations"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN), primary_key=True)
    assistant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    turns: Mapped[int]
    handoff: Mapped[bool]
    handoff_reason: Mapped[str | None] = mapped_column(String(REASON_LEN))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    """Set when the conversation was closed (explicitly or idle); it then refuses new
    turns. Added by revision ``0005_retention``; see discreet.retention.closing."""

    __table_args__ = (
        Index("ix_gateway_conversations_handoff", "tenant", "handoff"),
        Index("ix_gateway_conversations_activity", "tenant", "closed_at", "updated_at"),
        # A turn's history: the subject's other conversations (revision 0008).
        Index("ix_gateway_conversations_subject", "tenant", "subject_id"),
        subject_data(),
    )


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
