"""An index on ``audit_log.subject``.

A subject-access export lists the audit records about one subject; without the index
that read scans the whole log, which only grows.

Revision ID: 0007_audit_subject_index
Revises: 0006_operator_keys
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision: str = "0007_audit_subject_index"
down_revision: str | None = "0006_operator_keys"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
