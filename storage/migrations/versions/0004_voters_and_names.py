"""Nominated voters per organisation on a board, and a cache of Slack display names for the register.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("org_voter", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "people",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("people")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("org_voter")
