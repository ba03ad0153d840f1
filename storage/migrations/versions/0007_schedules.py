"""Scheduled work: each board's digest and reminder settings, governance reviews, and who was reminded.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("boards", sa.Column("digest_weekday", sa.Integer(), nullable=True, server_default="0"))
    op.add_column("boards", sa.Column("digest_at", sa.String(5), nullable=False, server_default="09:00"))
    op.add_column("boards", sa.Column("reminder_hours", sa.Integer(), nullable=False, server_default="24"))
    op.add_column("boards", sa.Column("skip_holidays", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("recurrence", sa.String(40), nullable=False),
        sa.Column("tell", sa.String(32), nullable=False),
        sa.Column("next_due", sa.DateTime(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_done_at", sa.DateTime(), nullable=True),
        sa.Column("last_done_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_reviews_board", "reviews", ["board_id"])
    op.create_table(
        "reminders_sent",
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_index("ix_reviews_board", table_name="reviews")
    op.drop_table("reviews")
    for column in ("skip_holidays", "reminder_hours", "digest_at", "digest_weekday"):
        op.drop_column("boards", column)
