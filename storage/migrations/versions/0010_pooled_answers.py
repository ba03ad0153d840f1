"""Unattributed checklist answers kept only as counts: pseudonymous answer rows are pooled and dropped.

Until now an unattributed (pulse) round kept each respondent's answers under a keyed pseudonym, which the holder
of the audit key can recompute, with the exact moment of each answer. From here on such a round keeps a count per
question and answer, and a member's progress (dates only) apart from it. Upgrading pools the old rows into counts,
drops their notes and evidence (free text can show who wrote it), marks each pseudonymous respondent who gave an
answer as having sent it, and keeps their progress to the day only. Downgrading deals the counts back out to
stand-in respondents ("p-pooled-N"), who are no one: the link to people is not restored.

Revision ID: 0010
Revises: 0009
"""

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PSEUDONYM = "p-%"  # how bot.domain.audit.respondent_pseudonym names an unattributed respondent

answers = sa.table("checklist_answers", sa.column("round_id", sa.Integer), sa.column("respondent", sa.String),
                   sa.column("question_id", sa.String), sa.column("value", sa.String), sa.column("note", sa.Text),
                   sa.column("evidence", sa.String), sa.column("answered_at", sa.DateTime))
responses = sa.table("checklist_responses", sa.column("round_id", sa.Integer), sa.column("respondent", sa.String),
                     sa.column("started_at", sa.DateTime), sa.column("finished_at", sa.DateTime))
tallies = sa.table("checklist_tallies", sa.column("round_id", sa.Integer), sa.column("question_id", sa.String),
                   sa.column("value", sa.String), sa.column("count", sa.Integer))


def _day(moment: datetime | None) -> datetime | None:
    return None if moment is None else datetime.combine(moment.date(), datetime.min.time())


def upgrade() -> None:
    op.create_table(
        "checklist_tallies",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("checklist_rounds.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("question_id", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(40), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    bind = op.get_bind()
    pooled = bind.execute(sa.select(answers.c.round_id, answers.c.question_id, answers.c.value, sa.func.count())
                          .where(answers.c.respondent.like(PSEUDONYM), answers.c.value.is_not(None))
                          .group_by(answers.c.round_id, answers.c.question_id, answers.c.value)
                          .order_by(answers.c.round_id, answers.c.question_id, answers.c.value)).all()
    if pooled:
        op.bulk_insert(tallies, [{"round_id": r, "question_id": q, "value": v, "count": n} for r, q, v, n in pooled])
    answered = set(bind.execute(sa.select(answers.c.round_id, answers.c.respondent).distinct().where(
        answers.c.respondent.like(PSEUDONYM), answers.c.value.is_not(None))).all())
    for round_id, respondent, started_at, finished_at in bind.execute(sa.select(
            responses.c.round_id, responses.c.respondent, responses.c.started_at, responses.c.finished_at)
            .where(responses.c.respondent.like(PSEUDONYM))).all():
        mine = (responses.c.round_id == round_id) & (responses.c.respondent == respondent)
        if (round_id, respondent) not in answered:
            bind.execute(responses.delete().where(mine))  # began, gave nothing: nothing to count them for
            continue
        bind.execute(responses.update().where(mine).values(
            started_at=_day(started_at), finished_at=_day(finished_at or started_at)))
    bind.execute(answers.delete().where(answers.c.respondent.like(PSEUDONYM)))


def downgrade() -> None:
    bind = op.get_bind()
    dealt: dict[tuple[int, str], int] = defaultdict(int)
    rows = []
    for round_id, question_id, value, count in bind.execute(sa.select(
            tallies.c.round_id, tallies.c.question_id, tallies.c.value, tallies.c.count)
            .order_by(tallies.c.round_id, tallies.c.question_id, tallies.c.value)).all():
        for _ in range(count):
            n = dealt[(round_id, question_id)] = dealt[(round_id, question_id)] + 1
            rows.append({"round_id": round_id, "respondent": f"p-pooled-{n}", "question_id": question_id,
                         "value": value, "note": "", "evidence": "", "answered_at": datetime(2000, 1, 1)})
    if rows:
        op.bulk_insert(answers, rows)
    op.drop_table("checklist_tallies")
