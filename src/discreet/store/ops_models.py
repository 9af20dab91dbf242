"""Tables of operations and accountability (data store): incidents and alerts.

* ``ops_incidents``: the incident register (GDPR art. 33(5): document every breach).
  Holds no subject ids: how many subjects, which data categories, and the clock
  ("aware" -> "authority notified") only.
* ``ops_incident_subjects``: which subjects (pseudonymous ids only) an incident concerns;
  personal data, so it has one holder (:class:`discreet.ops.incidents.IncidentSubjects`).
* ``ops_incident_events``: the timeline (opened, notes, decisions, notifications, close).
  Free text is masked by the detector's pattern recognisers before it is stored.
* ``ops_alerts``: anomaly alerts. The actor is an API key id, an operator name or a keyed
  digest of an address; never a customer.

The Alembic revision ``0009_ops`` creates these tables; keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import ID_LEN, NAME_LEN, Base

INCIDENT_ID_LEN = 32
ACTOR_LEN = 200


class IncidentRow(Base):
    __tablename__ = "ops_incidents"

    id: Mapped[str] = mapped_column(String(INCIDENT_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    """confidentiality, integrity or availability."""
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    """manual, alert or guard_block."""
    source_ref: Mapped[str | None] = mapped_column(String(NAME_LEN))
    categories: Mapped[str] = mapped_column(Text)  # canonical JSON list
    subject_count: Mapped[int] = mapped_column(Integer)
    aware_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    authority_notified_at: Mapped[datetime | None]
    subjects_notified_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))

    __table_args__ = (
        Index("ix_ops_incidents_state", "tenant", "state"),
        Index("ix_ops_incidents_source", "tenant", "source", "source_ref"),
    )


class IncidentSubjectRow(Base):
    __tablename__ = "ops_incident_subjects"

    incident_id: Mapped[str] = mapped_column(
        String(INCIDENT_ID_LEN),
        ForeignKey("ops_incidents.id", ondelete="CASCADE"),
        primary_key=True,
    )
    subject_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    added_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_ops_incident_subjects_subject", "tenant", "subject_id"),
        {"info": {"subject_data": True}},
    )


class IncidentEventRow(Base):
    __tablename__ = "ops_incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        String(INCIDENT_ID_LEN), ForeignKey("ops_incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    text: Mapped[str] = mapped_column(Text)


class AlertRow(Base):
    __tablename__ = "ops_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    signal: Mapped[str] = mapped_column(String(NAME_LEN))
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    severity: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    value: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(ACTOR_LEN))
    delivered: Mapped[str] = mapped_column(String(200), server_default="")

    __table_args__ = (
        # One alert per signal, actor and window: a re-run of detection does not repeat it.
        Index("uq_ops_alerts_window", "tenant", "signal", "actor", "window_start", unique=True),
        Index("ix_ops_alerts_open", "tenant", "acked_at"),
    )


class OpsStateRow(Base):
    """Small named state: the anomaly baselines (per signal and actor) and the audit
    sequence number detection has read up to, so runs are incremental."""

    __tablename__ = "ops_state"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
