"""Tables of the data store. Every customer value in here is ciphertext or a keyed digest.

* ``subjects``: one row per data subject, keyed by a random pseudonymous id. The
  customer's own reference (often a customer number) is kept only as a blind-index
  digest (for look-up) and as ciphertext (to give it back on access requests).
* ``subject_fields``: one AES-GCM ciphertext per field, with its data category.
* ``blind_index``: keyed HMACs of normalised identifiers, for look-ups without plaintext.
* ``conversations`` / ``token_maps``: the conversation ↔ subject binding and the
  encrypted token map of each conversation.
* ``audit_log`` / ``audit_head``: the hash-chained audit log and its chain head, the row
  appends lock to stay in one chain.

The migrations in ``store/migrations/data`` create these tables; keep both in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from discreet.subjectdata import PERSONAL_DATA

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LEN = 40  # subject pseudonyms
NAME_LEN = 64  # tenants, field names, categories, kinds
CONVERSATION_ID_LEN = 200
GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first audit record, and the chain head of an empty log."""


def subject_data() -> dict[str, Any]:
    """``__table_args__`` (or its last item) of a table that can hold personal data: every
    such table has exactly one subject-data holder (:mod:`discreet.subjectdata`)."""
    return {"info": {PERSONAL_DATA: True}}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {bytes: LargeBinary(), datetime: DateTime(timezone=True)}  # noqa: RUF012


class Subject(Base):
    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    ref_digest: Mapped[bytes]
    ref_ciphertext: Mapped[bytes]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("tenant", "ref_digest", name="uq_subjects_tenant_ref"),
        subject_data(),
    )


class SubjectField(Base):
    __tablename__ = "subject_fields"

    subject_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    category: Mapped[str] = mapped_column(String(NAME_LEN))
    ciphertext: Mapped[bytes]
    updated_at: Mapped[datetime]

    __table_args__ = subject_data()


class BlindIndexEntry(Base):
    __tablename__ = "blind_index"

    subject_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    kind: Mapped[str] = mapped_column(String(NAME_LEN))
    digest: Mapped[bytes]

    __table_args__ = (
        # Digest before kind: the guard asks about many digests of several kinds in one
        # statement, one index probe per digest (migration 0014).
        Index("ix_blind_index_digest", "tenant", "digest", "kind"),
        subject_data(),
    )


class Conversation(Base):
    __tablename__ = "conversations"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN), primary_key=True)
    subject_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]

    __table_args__ = subject_data()


class TokenMap(Base):
    __tablename__ = "token_maps"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN), primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    """Which key encrypts it: "subject" (the bound subject's) or "conversation" (its own)."""
    ciphertext: Mapped[bytes]
    updated_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "conversation_id"],
            ["conversations.tenant", "conversations.id"],
            ondelete="CASCADE",
            name="fk_token_maps_conversation",
        ),
        subject_data(),
    )


class AuditRecord(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # ISO-8601 UTC text, not a timestamp column: hashed as stored, so it must round-trip
    # byte for byte on every backend.
    ts: Mapped[str] = mapped_column(String(32), index=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    actor: Mapped[str] = mapped_column(String(200))
    actor_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(NAME_LEN))
    subject: Mapped[str | None] = mapped_column(String(ID_LEN), index=True)  # access exports
    categories: Mapped[str] = mapped_column(Text)  # canonical JSON list
    fields: Mapped[str] = mapped_column(Text)  # canonical JSON list
    purpose: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON object (counts, no values)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row (id 1): the last sequence number and hash. Appends lock it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, typed for insert/update/delete statements."""
    return cast(Table, model.__table__)


# Tables of other modules join Base.metadata when imported: import them here, so the
# migrations and the schema checks always see every table of the data store.
from discreet.conversations import models as _conversation_models  # noqa: E402, F401
from discreet.store import console_models as _console_models  # noqa: E402, F401
from discreet.store import export_models as _export_models  # noqa: E402, F401
from discreet.store import governance_models as _governance_models  # noqa: E402, F401
from discreet.store import guarantees_models as _guarantees_models  # noqa: E402, F401
from discreet.store import ops_models as _ops_models  # noqa: E402, F401
from discreet.store import retention_models as _retention_models  # noqa: E402, F401
