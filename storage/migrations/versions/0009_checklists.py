"""Checklists: templates a board loads, rounds, each respondent's progress and answers, and actions from gaps.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklist_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_id", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(32), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("board_id", "template_id", "version", name="uq_checklist_templates_version"),
    )
    op.create_table(
        "checklist_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("template_id", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),  # one member's own run, outside a board round
        sa.Column("opened_by", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_checklist_rounds_board", "checklist_rounds", ["board_id", "template_id", "closed_at"])
    # A respondent is a Slack user id, or for an unattributed template a keyed pseudonym of one.
    op.create_table(
        "checklist_responses",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checklist_rounds.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("respondent", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "checklist_answers",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checklist_rounds.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("respondent", sa.String(64), primary_key=True),
        sa.Column("question_id", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(40), nullable=True),  # None: skipped so far
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.String(500), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("board_id", sa.Integer(), sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checklist_rounds.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("question_id", sa.String(60), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_actions_board", "actions", ["board_id", "done_at"])
    op.add_column("reviews", sa.Column("template_id", sa.String(60), nullable=True))


def downgrade() -> None:
    op.drop_column("reviews", "template_id")
    op.drop_index("ix_actions_board", table_name="actions")
    op.drop_table("actions")
    op.drop_table("checklist_answers")
    op.drop_table("checklist_responses")
    op.drop_index("ix_checklist_rounds_board", table_name="checklist_rounds")
    op.drop_table("checklist_rounds")
    op.drop_table("checklist_templates")
