"""An index on ``gateway_conversations (tenant, subject_id)``.

Every chat turn reads the subject's earlier conversations for its history; without the
index that read scanned all of the tenant's conversations, a cost that grew with the
number of customers (measured: the query plan searched by tenant alone).

Revision ID: 0008_gateway_subject_index
Revises: 0007_audit_subject_index
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision: str = "0008_gateway_subject_index"
down_revision: str | None = "0007_audit_subject_index"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_gateway_conversations_subject", "gateway_conversations", ["tenant", "subject_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_gateway_conversations_subject", table_name="gateway_conversations")
