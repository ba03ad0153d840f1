"""Reading a poll as people see it, closing polls, and the decision register."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.decisions import Outcome, Result, decide, tally
from bot.domain.errors import NotFound
from bot.domain.proposals import Status, register_number
from bot.domain.snapshot import PollSnapshot
from bot.services.boards import linked_board
from storage.models import BoardRow, ProposalRow
from storage.repositories import to_domain as board_to_domain
from storage.uow import Database, UnitOfWork

RENDER_HOLD = timedelta(seconds=30)
RENDER_SPACING = timedelta(seconds=1)


def snapshot(uow: UnitOfWork, row: ProposalRow) -> PollSnapshot:
    """The poll as it stands, from a proposal row."""
    board_row = uow.session.get(BoardRow, row.board_id)
    board = board_to_domain(board_row)
    proposal = uow.proposals.load(row)
    t = tally(proposal.votes, proposal.eligible(board), per_organisation=proposal.per_organisation)
    result = None
    if row.outcome:
        result = Result(Outcome(row.outcome), tuple(r for r in row.outcome_reasons.split("\n") if r))
    labels = {c.key: c.label for c in uow.categories.for_workspace(board_row.workspace_id)}
    return PollSnapshot(board, proposal, t, result, row.number, Outcome(row.outcome) if row.outcome else None,
                        row.channel_id, row.message_ts, row.closed_by, row.closed_at,
                        labels.get(row.category, row.category), row.outcome_posted)


def read_poll(db: Database, proposal_id: int) -> PollSnapshot:
    """The current snapshot of one poll."""
    with db.read() as uow:
        row = uow.proposals.row(proposal_id)
        if row is None:
            raise NotFound("That proposal no longer exists.")
        return snapshot(uow, row)


def close_locked(uow: UnitOfWork, row: ProposalRow, *, by: str | None, now: datetime, withdrawn: bool = False) -> None:
    """Close a locked, open proposal: decide, number it in the register, record it in the audit log."""
    snap = snapshot(uow, row)
    p = snap.proposal
    result = (Result(Outcome.WITHDRAWN, ("Withdrawn before the poll closed.",)) if withdrawn
              else decide(p.rule, snap.tally, quorum=p.quorum, threshold=p.threshold))
    row.status, row.outcome, row.outcome_reasons = Status.CLOSED.value, result.outcome.value, "\n".join(result.reasons)
    row.closed_at, row.closed_by = now, by
    row.number = register_number(now.year, uow.proposals.next_number(row.board_id, now.year))
    row.tally_version += 1
    uow.audit.append(actor=by or "scheduler", action="proposal.closed", payload={
        "proposal_id": row.id, "number": row.number, "outcome": result.outcome.value,
        "reasons": list(result.reasons), "counts": {k.value: v for k, v in snap.tally.counts.items()},
    })


def close_due_proposals(db: Database, *, now: datetime) -> list[int]:
    """Close every open poll whose deadline has passed; returns the ids closed."""
    closed = []
    while True:
        with db.uow() as uow:
            due = uow.proposals.due(now, limit=1)
            if not due:
                return closed
            row = uow.proposals.row(due[0], lock=True)
            if row.status == Status.OPEN.value and row.closes_at <= now:
                close_locked(uow, row, by=None, now=now)
                closed.append(row.id)
            uow.commit()


def claim_render(db: Database, proposal_id: int, *, now: datetime) -> tuple[str, object]:
    """Claim the next redraw of a poll (see ProposalRepository.claim_render)."""
    with db.uow() as uow:
        claim = uow.proposals.claim_render(proposal_id, now, RENDER_HOLD)
        uow.commit()
        return claim


def finish_render(db: Database, proposal_id: int, version: int, *, message_ts: str | None,
                  outcome_posted: bool, now: datetime) -> bool:
    """Record a redraw; True when newer votes arrived meanwhile and another redraw is due."""
    with db.uow() as uow:
        row = uow.proposals.row(proposal_id, lock=True)
        row.rendered_version = max(row.rendered_version, version)
        row.render_lock_until = now + RENDER_SPACING
        row.message_ts = message_ts or row.message_ts
        row.outcome_posted = row.outcome_posted or outcome_posted
        behind = row.rendered_version < row.tally_version
        uow.commit()
        return behind


def release_render(db: Database, proposal_id: int) -> None:
    """Give up a claimed redraw after a failure, so another attempt may start at once."""
    with db.uow() as uow:
        row = uow.proposals.row(proposal_id, lock=True)
        if row is not None:
            row.render_lock_until = None
        uow.commit()


def stale_polls(db: Database) -> list[int]:
    """Polls whose message lags their votes (after a restart, or a failed call to Slack)."""
    with db.read() as uow:
        return uow.proposals.stale()


def recent_decisions(db: Database, *, team_id: str, channel_id: str, limit: int = 10) -> list[PollSnapshot]:
    """The board's latest closed proposals, newest first."""
    with db.read() as uow:
        _, board_row, _ = linked_board(uow, team_id, channel_id)
        return [snapshot(uow, row) for row in uow.proposals.closed(board_row.id, limit)]


def register(db: Database, *, board_name: str) -> list[PollSnapshot]:
    """Every closed proposal of the named board, oldest first, for the exported register."""
    with db.read() as uow:
        boards = uow.boards.rows_named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        return [snapshot(uow, row) for row in reversed(uow.proposals.closed(boards[0].id))]
