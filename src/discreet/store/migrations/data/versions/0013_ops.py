"""Released differentially private results: ``dp_releases`` (store/export_models.py).

Revision ID: 0013_ops
Revises: 0012_keyed_audit_chain
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013_ops"
down_revision: str | None = "0012_keyed_audit_chain"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dp_releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("query", sa.String(64), nullable=False),
        sa.Column("period_since", TS, nullable=False),
        sa.Column("period_until", TS, nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("released_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dp_releases"),
    )
    op.create_index("ix_dp_releases_latest", "dp_releases", ["tenant", "query", "released_at"])


def downgrade() -> None:
    op.drop_index("ix_dp_releases_latest", table_name="dp_releases")
    op.drop_table("dp_releases")
