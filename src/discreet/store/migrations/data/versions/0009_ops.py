"""Operations and accountability: incident register, its subjects and timeline, anomaly
alerts and the detection state (see ``discreet.store.ops_models``).

Revision ID: 0009_ops
Revises: 0008_gateway_subject_index
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_ops"
down_revision: str | None = "0008_gateway_subject_index"
branch_labels: str | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ops_incidents",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(64), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("subject_count", sa.Integer(), nullable=False),
        sa.Column("aware_at", _TS, nullable=False),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("authority_notified_at", _TS, nullable=True),
        sa.Column("subjects_notified_at", _TS, nullable=True),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ops_incidents"),
    )
    op.create_index("ix_ops_incidents_state", "ops_incidents", ["tenant", "state"])
    op.create_index("ix_ops_incidents_source", "ops_incidents", ["tenant", "source", "source_ref"])
    op.create_table(
        "ops_incident_subjects",
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["ops_incidents.id"],
            ondelete="CASCADE",
            name="fk_ops_incident_subjects_incident_id_ops_incidents",
        ),
        sa.PrimaryKeyConstraint("incident_id", "subject_id", name="pk_ops_incident_subjects"),
    )
    op.create_index(
        "ix_ops_incident_subjects_subject", "ops_incident_subjects", ["tenant", "subject_id"]
    )
    op.create_table(
        "ops_incident_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["ops_incidents.id"],
            ondelete="CASCADE",
            name="fk_ops_incident_events_incident_id_ops_incidents",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ops_incident_events"),
    )
    op.create_index("ix_ops_incident_events_incident_id", "ops_incident_events", ["incident_id"])
    op.create_table(
        "ops_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("signal", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("window_start", _TS, nullable=False),
        sa.Column("window_end", _TS, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_at", _TS, nullable=False),
        sa.Column("acked_at", _TS, nullable=True),
        sa.Column("acked_by", sa.String(200), nullable=True),
        sa.Column("delivered", sa.String(200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ops_alerts"),
    )
    op.create_index(
        "uq_ops_alerts_window",
        "ops_alerts",
        ["tenant", "signal", "actor", "window_start"],
        unique=True,
    )
    op.create_index("ix_ops_alerts_open", "ops_alerts", ["tenant", "acked_at"])
    op.create_table(
        "ops_state",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "name", name="pk_ops_state"),
    )


def downgrade() -> None:
    op.drop_table("ops_state")
    op.drop_index("ix_ops_alerts_open", table_name="ops_alerts")
    op.drop_index("uq_ops_alerts_window", table_name="ops_alerts")
    op.drop_table("ops_alerts")
    op.drop_index("ix_ops_incident_events_incident_id", table_name="ops_incident_events")
    op.drop_table("ops_incident_events")
    op.drop_index("ix_ops_incident_subjects_subject", table_name="ops_incident_subjects")
    op.drop_table("ops_incident_subjects")
    op.drop_index("ix_ops_incidents_source", table_name="ops_incidents")
    op.drop_index("ix_ops_incidents_state", table_name="ops_incidents")
    op.drop_table("ops_incidents")
