"""Training exports and differentially private analytics: export runs and their plans,
privacy budgets and the ledger of what was spent (see discreet.store.export_models).

Revision ID: 0010_export_analytics
Revises: 0009_ops
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_export_analytics"
down_revision: str | None = "0009_ops"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "export_runs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("partitions", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_export_runs"),
    )
    op.create_index("ix_export_runs_tenant", "export_runs", ["tenant", "created_at"])
    op.create_table(
        "export_items",
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "conversation_id", name="pk_export_items"),
    )
    op.create_index("ix_export_items_partition", "export_items", ["run_id", "partition"])
    op.create_index("ix_export_items_subject", "export_items", ["tenant", "subject_id"])
    op.create_table(
        "dp_budgets",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("delta", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "dataset", name="pk_dp_budgets"),
    )
    op.create_table(
        "dp_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("query", sa.String(64), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("delta", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("spent_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dp_ledger"),
    )
    op.create_index("ix_dp_ledger_dataset", "dp_ledger", ["tenant", "dataset"])


def downgrade() -> None:
    op.drop_index("ix_dp_ledger_dataset", table_name="dp_ledger")
    op.drop_table("dp_ledger")
    op.drop_table("dp_budgets")
    op.drop_index("ix_export_items_subject", table_name="export_items")
    op.drop_index("ix_export_items_partition", table_name="export_items")
    op.drop_table("export_items")
    op.drop_index("ix_export_runs_tenant", table_name="export_runs")
    op.drop_table("export_runs")
