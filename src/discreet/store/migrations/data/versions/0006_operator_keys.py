"""Operator API keys: a ``role`` column on ``gateway_api_keys``.

Keys created before this revision all stood for an assistant, so the column defaults to
``assistant`` and existing rows keep working unchanged.

Revision ID: 0006_operator_keys
Revises: 0005_retention
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_operator_keys"
down_revision: str | None = "0005_retention"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_api_keys") as batch:
        batch.add_column(
            sa.Column("role", sa.String(16), nullable=False, server_default="assistant")
        )


def downgrade() -> None:
    with op.batch_alter_table("gateway_api_keys") as batch:
        batch.drop_column("role")
