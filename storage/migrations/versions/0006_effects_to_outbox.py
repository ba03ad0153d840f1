"""Every effect leaves through the outbox: queue what existing polls still owe Slack, drop the render columns.

Revision ID: 0006
Revises: 0005
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RENDER_COLUMNS = ("tally_version", "rendered_version", "render_lock_until", "outcome_posted")


def _job(kind: str, proposal_id: int, due_at: datetime, now: datetime, *, channel=None, redraw=False) -> dict:
    return {"kind": kind, "key": f"{kind}:{proposal_id}", "channel": channel,
            "payload": json.dumps({"proposal": proposal_id}), "due_at": due_at, "state": "pending", "attempts": 0,
            "redraw": redraw, "spacing_ms": 1000, "rerun": False, "created_at": now, "updated_at": now}


def upgrade() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = op.get_bind().execute(sa.text(
        "SELECT id, status, closes_at, channel_id, tally_version, rendered_version, outcome, outcome_posted "
        "FROM proposals")).all()
    jobs = []
    for pid, status, closes_at, channel, tally, rendered, outcome, posted in rows:
        if status == "open":
            jobs.append(_job("poll.close", pid, closes_at, now))
        if rendered < tally:
            jobs.append(_job("poll.render", pid, now, now, channel=channel, redraw=True))
        if outcome and not posted:
            jobs.append(_job("poll.outcome", pid, now, now, channel=channel))
    if jobs:
        op.bulk_insert(sa.table("outbox", *(sa.column(name) for name in jobs[0])), jobs)
    # Not a batch rebuild: on SQLite that drops and recreates `proposals`, and with foreign keys on, dropping
    # it would cascade to every vote. Both databases drop a plain column in place (SQLite since 3.35).
    for column in RENDER_COLUMNS:
        op.execute(f"ALTER TABLE proposals DROP COLUMN {column}")


def downgrade() -> None:
    op.add_column("proposals", sa.Column("tally_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("proposals", sa.Column("rendered_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("proposals", sa.Column("render_lock_until", sa.DateTime(), nullable=True))
    op.add_column("proposals", sa.Column("outcome_posted", sa.Boolean(), nullable=False, server_default=sa.true()))
