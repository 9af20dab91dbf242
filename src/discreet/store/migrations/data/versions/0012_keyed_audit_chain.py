"""The keyed audit chain: ``audit_macs`` and ``audit_mac_head`` (store/guarantees_models.py).

Revision ID: 0012_keyed_audit_chain
Revises: 0011_console
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012_keyed_audit_chain"
down_revision: str | None = "0011_console"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_macs",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_macs"),
    )
    op.create_table(
        "audit_mac_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_mac_head"),
    )


def downgrade() -> None:
    op.drop_table("audit_mac_head")
    op.drop_table("audit_macs")
