"""Retention: conversation transcripts, retention runs, conversation close flag.

Adds ``gateway_conversations.closed_at`` (NULL: open). A closed conversation refuses new
turns and its token map is destroyed (see discreet.retention.closing).

Revision ID: 0005_retention
Revises: 0004_gateway
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_retention"
down_revision: str | None = "0004_gateway"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_messages"),
        sa.UniqueConstraint(
            "tenant", "conversation_id", "seq", name="uq_conversation_messages_seq"
        ),
    )
    op.create_index(
        "ix_conversation_messages_created", "conversation_messages", ["tenant", "created_at"]
    )
    op.create_index(
        "ix_conversation_messages_subject",
        "conversation_messages",
        ["tenant", "subject_id", "created_at"],
    )
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_runs"),
    )
    op.create_index("ix_retention_runs_tenant", "retention_runs", ["tenant", "finished_at"])
    with op.batch_alter_table("gateway_conversations") as batch:
        batch.add_column(sa.Column("closed_at", TS, nullable=True))
    # Idle-timeout sweeps look for open conversations by last activity.
    op.create_index(
        "ix_gateway_conversations_activity",
        "gateway_conversations",
        ["tenant", "closed_at", "updated_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_gateway_conversations_activity", table_name="gateway_conversations")
    with op.batch_alter_table("gateway_conversations") as batch:
        batch.drop_column("closed_at")
    op.drop_index("ix_retention_runs_tenant", table_name="retention_runs")
    op.drop_table("retention_runs")
    op.drop_index("ix_conversation_messages_subject", table_name="conversation_messages")
    op.drop_index("ix_conversation_messages_created", table_name="conversation_messages")
    op.drop_table("conversation_messages")
