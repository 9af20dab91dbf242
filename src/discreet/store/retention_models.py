"""The table of retention runs (data store); the transcript table it once shared this
module with is in :mod:`discreet.conversations.models`.

* ``retention_runs``: one row per finished retention run (counts per kind, dry run or
  not), so an operator can see when data was last pruned without reading the audit log.

The Alembic revision ``0005_retention`` creates these tables (and adds
``gateway_conversations.closed_at``); keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import NAME_LEN, Base

ROLE_LEN = 16
ACTOR_LEN = 200


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
