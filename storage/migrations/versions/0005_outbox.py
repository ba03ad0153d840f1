"""The outbox: jobs to tell Slack, with their leases; per-channel pacing and per-method rate-limit pauses.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("redraw", sa.Boolean(), nullable=False),
        sa.Column("spacing_ms", sa.Integer(), nullable=False),
        sa.Column("rerun", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    # The claim reads pending jobs by due time and running ones by lease end; finished rows stay out of both.
    op.create_index("ix_outbox_pending_due", "outbox", ["due_at", "id"], postgresql_where=sa.text("state = 'pending'"),
                    sqlite_where=sa.text("state = 'pending'"))
    op.create_index("ix_outbox_running_lease", "outbox", ["lease_until"],
                    postgresql_where=sa.text("state = 'running'"), sqlite_where=sa.text("state = 'running'"))
    op.create_table(
        "outbox_channels",
        sa.Column("channel", sa.String(64), primary_key=True),
        sa.Column("next_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "outbox_pauses",
        sa.Column("method", sa.String(64), primary_key=True),
        sa.Column("until", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_pauses")
    op.drop_table("outbox_channels")
    op.drop_index("ix_outbox_running_lease", table_name="outbox")
    op.drop_index("ix_outbox_pending_due", table_name="outbox")
    op.drop_table("outbox")
