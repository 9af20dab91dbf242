"""Key store: master-key generations (rotation state shared by running processes).

Revision ID: 0002_keys_generations
Revises: 0001_keys
Create Date: 2026-12-03

The table starts empty: the first process that opens the key store records the master
key that wraps its rows as generation 1 (``vault.keystore``), so no key material or
fingerprint has to be known here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_keys_generations"
down_revision: str | None = "0001_keys"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "master_key_generations",
        sa.Column("generation", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("master_key_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("generation", name="pk_master_key_generations"),
        sa.UniqueConstraint("master_key_id", name="uq_master_key_generations_master_key_id"),
    )


def downgrade() -> None:
    op.drop_table("master_key_generations")
