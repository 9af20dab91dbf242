"""The blind index is probed by digest first: ``ix_blind_index_digest`` on
(tenant, digest, kind) replaces ``ix_blind_index_lookup`` on (tenant, kind, digest).

The output guard asks about ~40 digests of several kinds per answer. With kind second
in the index, one statement naming every kind made SQLite probe each kind × digest
pair; with digest second, each digest is one probe and the kind is read from the index
entry (the caller keeps only the (kind, digest) pairs it asked about).

Revision ID: 0014_blind_index_digest
Revises: 0013_export
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision: str = "0014_blind_index_digest"
down_revision: str | None = "0013_export"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_blind_index_digest", "blind_index", ["tenant", "digest", "kind"])
    op.drop_index("ix_blind_index_lookup", table_name="blind_index")


def downgrade() -> None:
    op.create_index("ix_blind_index_lookup", "blind_index", ["tenant", "kind", "digest"])
    op.drop_index("ix_blind_index_digest", table_name="blind_index")
