"""The released figures of each differentially private release: ``dp_ledger.result``
(store/export_models.py), so the latest results can be shown without spending again.

Revision ID: 0013_export
Revises: 0012_keyed_audit_chain
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013_export"
down_revision: str | None = "0012_keyed_audit_chain"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("dp_ledger", sa.Column("result", sa.Text(), nullable=True))


def downgrade() -> None:
    # SQLite cannot drop a column in place; batch mode copies the table.
    with op.batch_alter_table("dp_ledger") as batch:
        batch.drop_column("result")
