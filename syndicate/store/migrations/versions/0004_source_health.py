"""Source health: what each poll yielded, per-document state, the cross-check's findings.

Adds the health columns to `sources` and three tables: `source_polls` (one row per poll),
`source_documents` (one row per document a source reads) and `cross_items` (what a
cross-check document has shown).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("health", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("health_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("health_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cross_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cross_report", sa.Text(), nullable=True))
    op.create_table(
        "source_polls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("bodies", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_source_polls_source", "source_polls", ["source_id", "polled_at"])
    op.create_table(
        "source_documents",
        sa.Column("source_id", sa.String(length=64), primary_key=True),
        sa.Column("url", sa.Text(), primary_key=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_items", sa.Integer(), nullable=True),
        sa.Column("most_items", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "cross_items",
        sa.Column("source_id", sa.String(length=64), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cross_items")
    op.drop_table("source_documents")
    op.drop_index("ix_source_polls_source", table_name="source_polls")
    op.drop_table("source_polls")
    with op.batch_alter_table("sources") as batch:
        for column in ("cross_report", "cross_checked_at", "health_since", "health_reason"):
            batch.drop_column(column)
        batch.drop_column("health")
