"""Tables of training exports and differentially private analytics (data store).

* ``export_runs``: one row per export (training or snapshot): its parameters, state and
  counts. No subject ids: what an export did, never whom it concerned.
* ``export_items``: the plan of an export, one row per conversation: which partition it
  goes into and its (already k-anonymised) metadata. It names the conversation and its
  subject by their pseudonymous ids, so a rerun after a crash finishes the same plan and
  an access request can say which exports used a customer's conversations. Owned by
  :class:`discreet.export.records.ExportRecords` (a subject-data holder).
* ``dp_budgets``: the privacy budget (total epsilon and delta) per tenant and dataset.
* ``dp_ledger``: every differentially private release that spent from a budget, with the
  released (noisy) figures as JSON once computed. Counts and parameters only; nothing
  about any subject.

The Alembic revision ``0010_export_analytics`` creates these tables (``0013_export`` adds
``dp_ledger.result``); keep both in step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import CONVERSATION_ID_LEN, ID_LEN, NAME_LEN, Base

RUN_ID_LEN = 40
ACTOR_LEN = 200


class ExportRun(Base):
    __tablename__ = "export_runs"

    id: Mapped[str] = mapped_column(String(RUN_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    kind: Mapped[str] = mapped_column(String(16))
    """"training" or "snapshot"."""
    state: Mapped[str] = mapped_column(String(16))
    """"planned", "done" or "failed"."""
    params: Mapped[str] = mapped_column(Text)
    """Canonical JSON of what was asked (period, assistant, options); no values."""
    partitions: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the result's counts (filled when the run ends)."""
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_export_runs_tenant", "tenant", "created_at"),)


class ExportItem(Base):
    __tablename__ = "export_items"

    run_id: Mapped[str] = mapped_column(String(RUN_ID_LEN), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LEN), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    subject_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    partition: Mapped[int] = mapped_column(Integer)
    meta: Mapped[str] = mapped_column(Text)
    """Canonical JSON of the conversation's generalised quasi-identifiers."""
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_export_items_partition", "run_id", "partition"),
        Index("ix_export_items_subject", "tenant", "subject_id"),
        {"info": {"subject_data": True}},
    )


class DpBudget(Base):
    __tablename__ = "dp_budgets"

    tenant: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(NAME_LEN), primary_key=True)
    epsilon: Mapped[float] = mapped_column(Float)
    delta: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(ACTOR_LEN))
    updated_at: Mapped[datetime]


class DpLedgerEntry(Base):
    __tablename__ = "dp_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(NAME_LEN))
    dataset: Mapped[str] = mapped_column(String(NAME_LEN))
    query: Mapped[str] = mapped_column(String(NAME_LEN))
    epsilon: Mapped[float] = mapped_column(Float)
    delta: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    spent_at: Mapped[datetime]
    # The release as JSON (already noisy, so publishable); None while it is being computed
    # or when computing it failed after the charge (the budget stays spent: fail closed).
    result: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_dp_ledger_dataset", "tenant", "dataset"),)
