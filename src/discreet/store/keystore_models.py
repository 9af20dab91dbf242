"""Tables of the key store, a database of its own (ARCHITECTURE.md, principle 4).

Each row is one data key wrapped (AES-GCM) by the master key whose fingerprint is in
``master_key_id``, so a wrong master key is recognised before anything is unwrapped.
The migrations in ``store/migrations/keys`` create this table; keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, NAME_LEN, NAMING_CONVENTION


class KeysBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {bytes: LargeBinary(), datetime: DateTime(timezone=True)}  # noqa: RUF012


class WrappedKey(KeysBase):
    __tablename__ = "wrapped_keys"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    """"subject", "conversation" or "index" (the tenant's blind-index key)."""
    owner_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN), primary_key=True)
    master_key_id: Mapped[str] = mapped_column(String(32), index=True)
    wrapped: Mapped[bytes]
    created_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]


class MasterKeyGeneration(KeysBase):
    """One master key the key store has known, in order (``discreet keys rotate``).

    Exactly one generation is ``current`` (new data keys are wrapped by it); during a
    rotation one is ``next`` (the rotation re-wraps every key under it, resumably); the
    ones rotated away from are ``retired`` and may never wrap a key again. Processes
    read this small table to notice a rotation another process made."""

    __tablename__ = "master_key_generations"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    master_key_id: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    """"current", "next" or "retired"."""
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
