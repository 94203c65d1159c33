"""The editorial desk: review state of briefs, held feeds, editors, sessions, audit log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("briefs") as batch:
        batch.add_column(sa.Column("review", sa.String(length=16), nullable=True))
    op.create_table(
        "held_feeds",
        sa.Column("feed", sa.String(length=96), nullable=False),
        sa.Column("brief_id", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"]),
        sa.PrimaryKeyConstraint("feed", "brief_id"),
    )
    op.create_table(
        "reviews",
        sa.Column("brief_id", sa.String(length=64), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["brief_id"], ["briefs.id"]),
        sa.PrimaryKeyConstraint("brief_id"),
    )
    op.create_table(
        "editors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("editor", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["editor"], ["editors.name"]),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    op.create_table(
        "desk_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("editor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("brief_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_desk_log_brief", "desk_log", ["brief_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_desk_log_brief", table_name="desk_log")
    op.drop_table("desk_log")
    op.drop_table("desk_sessions")
    op.drop_table("editors")
    op.drop_table("reviews")
    op.drop_table("held_feeds")
    with op.batch_alter_table("briefs") as batch:
        batch.drop_column("review")
