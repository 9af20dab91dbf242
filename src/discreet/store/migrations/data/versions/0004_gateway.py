"""Gateway: API keys and conversation state (see discreet.conversations.models).

Revision ID: 0004_gateway
Revises: 0003_governance
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_gateway"
down_revision: str | None = "0003_governance"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gateway_api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("assistant", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gateway_api_keys"),
    )
    op.create_table(
        "gateway_conversations",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("assistant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("handoff_reason", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id", name="pk_gateway_conversations"),
    )
    op.create_index(
        "ix_gateway_conversations_handoff", "gateway_conversations", ["tenant", "handoff"]
    )


def downgrade() -> None:
    op.drop_index("ix_gateway_conversations_handoff", table_name="gateway_conversations")
    op.drop_table("gateway_conversations")
    op.drop_table("gateway_api_keys")
