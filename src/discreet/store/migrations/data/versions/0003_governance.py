"""Data store: consent records, processing limits, rights requests, erasure jobs, legal holds.

Revision ID: 0003_governance
Revises: 0001_data
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_governance"
down_revision: str | None = "0001_data"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "consent_records",
        _id(),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("notice_version", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consent_records"),
    )
    op.create_index(
        "ix_consent_records_subject", "consent_records", ["tenant", "subject_id", "purpose"]
    )
    op.create_index("ix_consent_records_purpose", "consent_records", ["tenant", "purpose"])
    op.create_table(
        "processing_limits",
        _id(),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_processing_limits"),
    )
    op.create_index("ix_processing_limits_subject", "processing_limits", ["tenant", "subject_id"])
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("received_by", sa.String(200), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("extension_reason", sa.String(500), nullable=True),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("rejection_reason", sa.String(500), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rights_requests"),
    )
    op.create_index("ix_rights_requests_subject_id", "rights_requests", ["subject_id"])
    op.create_index("ix_rights_requests_due_at", "rights_requests", ["due_at"])
    op.create_table(
        "erasure_jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("current_step", sa.String(64), nullable=True),
        sa.Column("steps_done", sa.Text(), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_erasure_jobs"),
    )
    op.create_index("ix_erasure_jobs_subject_id", "erasure_jobs", ["subject_id"])
    op.create_table(
        "legal_holds",
        _id(),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", TS, nullable=False),
        sa.Column("released_at", TS, nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_legal_holds"),
    )
    op.create_index("ix_legal_holds_subject", "legal_holds", ["tenant", "subject_id"])
    op.create_index("ix_legal_holds_conversation", "legal_holds", ["tenant", "conversation_id"])


def downgrade() -> None:
    for table in (
        "legal_holds",
        "erasure_jobs",
        "rights_requests",
        "processing_limits",
        "consent_records",
    ):
        op.drop_table(table)
