"""Briefs can be taken down (hidden, with a reason) and remember why a publish skipped them;
the feeds a hidden brief was in keep its tombstone (RFC 6721).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("briefs") as batch:
        batch.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("hidden_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("problem", sa.Text(), nullable=True))
    op.create_table(
        "tombstones",
        sa.Column("feed", sa.String(length=96), nullable=False),
        sa.Column("brief_id", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"]),
        sa.PrimaryKeyConstraint("feed", "brief_id"),
    )
    op.create_index("ix_tombstones_feed_hidden", "tombstones", ["feed", "hidden_at"])


def downgrade() -> None:
    op.drop_index("ix_tombstones_feed_hidden", table_name="tombstones")
    op.drop_table("tombstones")
    with op.batch_alter_table("briefs") as batch:
        batch.drop_column("problem")
        batch.drop_column("hidden_reason")
        batch.drop_column("hidden_at")
