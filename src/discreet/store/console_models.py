"""Tables of the privacy office console (data store): staff accounts, their sessions,
recovery codes and reveal grants.

* ``console_users``: one row per member of staff. The password only as an Argon2id hash;
  the TOTP secret once enrolled (it proves a second factor, it identifies no customer);
  failed attempts and the lock-out they caused.
* ``console_sessions``: server-side sessions. The cookie holds a random token; the row is
  keyed by its SHA-256, so a copy of the table cannot be replayed as cookies. ``stage``
  says how far sign-in got ("enrol", "mfa" or "full"); the CSRF token of the session's
  forms lives here too.
* ``console_recovery_codes``: one-time codes, Argon2id-hashed, each usable once.
* ``console_reveal_grants``: a member of staff revealed one value (a field of a subject, or
  one token of a conversation) for a reason, until ``expires_at``. Names a subject by its
  pseudonymous id and a conversation by its id, so it is personal data: the
  :class:`discreet.console.reveals.RevealGrants` holder alone reads and writes it.

The migration ``0011_console`` creates these tables; keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, ID_LEN, NAME_LEN, Base

USERNAME_LEN = 64
HASH_LEN = 200  # an Argon2 encoded hash is ~100 characters
SESSION_ID_LEN = 64  # SHA-256, hex
ROLE_LEN = 32
REASON_LEN = 500


class ConsoleUser(Base):
    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LEN), unique=True)
    role: Mapped[str] = mapped_column(String(ROLE_LEN))
    password_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    """The last TOTP time step accepted: a code is good once (no replay)."""
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(SESSION_ID_LEN), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    """The absolute end, however active the session is."""


class ConsoleRecoveryCode(Base):
    __tablename__ = "console_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(HASH_LEN))
    used_at: Mapped[datetime | None]


class ConsoleRevealGrant(Base):
    __tablename__ = "console_reveal_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    username: Mapped[str] = mapped_column(String(USERNAME_LEN))
    subject_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    conversation_id: Mapped[str | None] = mapped_column(String(CONVERSATION_ID_LEN))
    item: Mapped[str] = mapped_column(String(NAME_LEN))
    """The field name (subject) or the token, e.g. ``[PERSON_1]`` (conversation)."""
    reason: Mapped[str] = mapped_column(String(NAME_LEN))
    """A reason code (see discreet.console.reveals.REASONS): the audit record's purpose."""
    note: Mapped[str] = mapped_column(String(REASON_LEN))
    granted_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_console_reveal_grants_subject", "tenant", "subject_id"),
        Index("ix_console_reveal_grants_conversation", "tenant", "conversation_id"),
        {"info": {"subject_data": True}},
    )
