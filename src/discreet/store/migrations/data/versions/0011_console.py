"""Data store: the privacy office console's accounts, sessions, recovery codes and
reveal grants (see ``discreet.store.console_models``).

Revision ID: 0011_console
Revises: 0010_export_analytics
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011_console"
down_revision: str | None = "0010_export_analytics"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_console_users"),
        sa.UniqueConstraint("username", name="uq_console_users_username"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("pending_totp_secret", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name="fk_console_sessions_user_id_console_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_sessions"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "console_recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name="fk_console_recovery_codes_user_id_console_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_recovery_codes"),
    )
    op.create_index("ix_console_recovery_codes_user_id", "console_recovery_codes", ["user_id"])
    op.create_table(
        "console_reveal_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_console_reveal_grants"),
    )
    op.create_index(
        "ix_console_reveal_grants_subject", "console_reveal_grants", ["tenant", "subject_id"]
    )
    op.create_index(
        "ix_console_reveal_grants_conversation",
        "console_reveal_grants",
        ["tenant", "conversation_id"],
    )


def downgrade() -> None:
    op.drop_table("console_reveal_grants")
    op.drop_table("console_recovery_codes")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
