"""Tables of the key store, a database of its own (ARCHITECTURE.md, principle 4).

Each row is one data key wrapped (AES-GCM) by the master key whose fingerprint is in
``master_key_id``, so a wrong master key is recognised before anything is unwrapped.
The migrations in ``store/migrations/keys`` create this table; keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, MetaData, String
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
