"""Delegated authority: organisations get a type and are referred to by id; each member's authority per
category, versioned, with who granted it and when it is in force; escalation chains, deputies and escalations;
per-organisation amounts, governance marks and rule overrides on proposals; a rule per category; the queue of
decisions taken under delegation.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("kind", sa.String(24), nullable=False, server_default="other"))
    op.add_column("votes", sa.Column("organisation_id", sa.Integer(), nullable=True))
    # A vote named its organisation; the organisation of that name in the proposal's workspace is the one meant.
    op.execute("""
        UPDATE votes SET organisation_id = (
            SELECT o.id FROM organisations o
            JOIN boards b ON b.workspace_id = o.workspace_id
            JOIN proposals p ON p.board_id = b.id
            WHERE p.id = votes.proposal_id AND o.name = votes.organisation)
    """)
    op.create_table(
        "authorities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("unlimited", sa.Boolean(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(32), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_authorities_member", "authorities", ["organisation_id", "user_id", "category"])
    op.create_table(
        "chain_levels",
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("approvers", sa.String(400), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("limit_pence", sa.BigInteger(), nullable=True),
        sa.Column("approves_other", sa.Boolean(), nullable=False),
        sa.Column("response_days", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "deputies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("approver", sa.String(32), nullable=False),
        sa.Column("deputy", sa.String(32), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=True),
        sa.Column("brought_by", sa.String(32), nullable=False),
        sa.Column("level_position", sa.Integer(), nullable=False),
        sa.Column("level_title", sa.String(80), nullable=False),
        sa.Column("approvers", sa.String(400), nullable=False),
        sa.Column("acting_for", sa.String(400), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("answered_by", sa.String(32), nullable=True),
        sa.Column("answered_for", sa.String(32), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.UniqueConstraint("proposal_id", "organisation_id", name="uq_escalations_proposal_org"),
    )
    op.add_column("proposals", sa.Column("org_amounts", sa.Text(), nullable=False, server_default=""))
    op.add_column("proposals", sa.Column("marks", sa.String(200), nullable=False, server_default=""))
    op.add_column("proposals", sa.Column("rule_overridden_by", sa.String(32), nullable=True))
    op.create_table(
        "category_rules",
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("threshold", sa.String(16), nullable=True),
    )
    op.create_table(
        "delegated_decisions",
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(32), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("delegated_decisions")
    op.drop_table("category_rules")
    for column in ("rule_overridden_by", "marks", "org_amounts"):
        op.drop_column("proposals", column)
    op.drop_table("escalations")
    op.drop_table("deputies")
    op.drop_table("chain_levels")
    op.drop_index("ix_authorities_member", table_name="authorities")
    op.drop_table("authorities")
    op.drop_column("votes", "organisation_id")
    op.drop_column("organisations", "kind")
