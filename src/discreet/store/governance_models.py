"""Tables of consent, data-subject requests, erasure jobs and legal holds (data store).

Every row names a subject only by its pseudonymous id (``subjects.id``), never by a name,
e-mail or customer number, and none of them has a foreign key to ``subjects``: after an
erasure the request, its completion record and the erasure job must outlive the subject
(they are what we show a regulator), holding a pseudonym that no longer resolves.

* ``consent_records``: append-only history of grants and withdrawals; the current state
  of (subject, purpose) is its newest row.
* ``processing_limits``: restrictions of processing (GDPR art. 18) and objections
  (art. 21) in force for a subject, until lifted.
* ``rights_requests``: data-subject requests with their state, deadline and completion
  record (JSON of what was done and counts, never values).
* ``erasure_jobs``: per-step progress of an erasure, written before each step, so a crash
  leaves a record saying how far it got and running it again finishes it.
* ``legal_holds``: holds on a subject or one conversation that block erasure and deletion
  (shared with the retention jobs).

The migration ``0003_governance`` creates these tables; keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, ID_LEN, NAME_LEN, Base, subject_data

REQUEST_ID_LEN = 40
ACTOR_LEN = 200
REASON_LEN = 500


class ConsentRecordRow(Base):
    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(ID_LEN))
    purpose: Mapped[str] = mapped_column(String(NAME_LEN))
    state: Mapped[str] = mapped_column(String(16))
    """"granted" or "withdrawn"."""
    recorded_at: Mapped[datetime]
    notice_version: Mapped[str] = mapped_column(String(NAME_LEN))
    channel: Mapped[str] = mapped_column(String(NAME_LEN))
    recorded_by: Mapped[str] = mapped_column(String(ACTOR_LEN))

    __table_args__ = (
        Index("ix_consent_records_subject", "tenant", "subject_id", "purpose"),
        Index("ix_consent_records_purpose", "tenant", "purpose"),
        subject_data(),
    )


class ProcessingLimitRow(Base):
    __tablename__ = "processing_limits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(ID_LEN))
    kind: Mapped[str] = mapped_column(String(16))
    """"restriction" (all processing) or "objection" (one purpose, or all when NULL)."""
    purpose: Mapped[str | None] = mapped_column(String(NAME_LEN))
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_LEN))
    reason: Mapped[str] = mapped_column(String(REASON_LEN))
    set_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    set_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))

    __table_args__ = (
        Index("ix_processing_limits_subject", "tenant", "subject_id"),
        subject_data(),
    )


class RightsRequestRow(Base):
    __tablename__ = "rights_requests"

    id: Mapped[str] = mapped_column(String(REQUEST_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str | None] = mapped_column(String(NAME_LEN))
    """The purpose an objection is about (NULL: all processing)."""
    channel: Mapped[str] = mapped_column(String(NAME_LEN))
    received_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    extension_reason: Mapped[str | None] = mapped_column(String(REASON_LEN))
    verified_at: Mapped[datetime | None]
    verified_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))
    rejection_reason: Mapped[str | None] = mapped_column(String(REASON_LEN))
    result: Mapped[str | None] = mapped_column(Text)
    """Completion record: canonical JSON of what was done, counts and times (no values)."""

    __table_args__ = subject_data()


class ErasureJobRow(Base):
    __tablename__ = "erasure_jobs"

    id: Mapped[str] = mapped_column(String(REQUEST_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_LEN))
    state: Mapped[str] = mapped_column(String(16))
    """"running" until every step is done, then "completed"."""
    current_step: Mapped[str | None] = mapped_column(String(NAME_LEN))
    """The step started last and not yet recorded as done (NULL between steps)."""
    steps_done: Mapped[str] = mapped_column(Text)
    """Canonical JSON object: step name -> its counts, in the order the steps finished."""
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    __table_args__ = subject_data()


class LegalHoldRow(Base):
    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    """Set for a hold on everything about a subject."""
    conversation_id: Mapped[str | None] = mapped_column(String(CONVERSATION_ID_LEN))
    """Set for a hold on one conversation."""
    reason: Mapped[str] = mapped_column(String(REASON_LEN))
    set_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    set_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))

    __table_args__ = (
        Index("ix_legal_holds_subject", "tenant", "subject_id"),
        Index("ix_legal_holds_conversation", "tenant", "conversation_id"),
        subject_data(),
    )
