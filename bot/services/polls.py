"""Reading a poll as people see it, closing polls, and the decision register."""

from __future__ import annotations

from datetime import datetime

from bot.domain.boards import Board, DecisionRule, ensure_can_manage
from bot.domain.decisions import Outcome, Result, decide, tally
from bot.domain.errors import Command, Conflict, Name, NotFound
from bot.domain.escalation import combine
from bot.domain.events import PollClosed
from bot.domain.proposals import Proposal, Status, register_number
from bot.domain.snapshot import PollSnapshot
from bot.services import escalations
from bot.services.boards import linked_board
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

GONE = "That poll no longer exists."


def snapshot(uow: AbstractUnitOfWork, proposal: Proposal, *, with_history: bool = False) -> PollSnapshot:
    """The poll as it stands: the proposal with its whole board, tally and labels."""
    assert proposal.id is not None and proposal.board_id is not None  # a saved proposal
    board = uow.boards.get(proposal.board_id)
    if board is None:
        raise NotFound(GONE)
    proposal.votes = uow.proposals.votes(proposal.id)
    t = tally(proposal.votes, proposal.eligible(board), per_organisation=proposal.per_organisation)
    labels = {c.key: c.label for c in uow.categories.for_workspace(uow.workspaces.find(board.team_id))}
    return PollSnapshot(board, proposal, t, proposal.result, proposal.number,
                        proposal.result.outcome if proposal.result else None, proposal.channel_id,
                        proposal.message_ts, proposal.closed_by, proposal.closed_at,
                        labels.get(proposal.category, proposal.category),
                        tuple(uow.proposals.history(proposal.id)) if with_history else (),
                        tuple(uow.escalations.of_proposal(proposal.id)),
                        uow.delegated.get(proposal.id), _authority(uow, board, proposal) if with_history else ())


def _authority(uow: AbstractUnitOfWork, board, proposal: Proposal) -> tuple:
    """Each voter's authority in the proposal's category as it stood when the poll closed (for the register)."""
    at = proposal.closed_at or proposal.opened_at
    assert at is not None  # a saved proposal has opened
    names = {m.organisation_id: m.organisation for m in board.members}
    found = uow.authorities.as_it_stood(names, [v.user_id for v in proposal.votes], proposal.category, at=at)
    return tuple((names.get(a.organisation_id, ""), a) for a in found if a.in_force(at.date()))


def read_poll(db: AbstractDatabase, proposal_id: int) -> PollSnapshot:
    """The current snapshot of one poll."""
    with db.read() as uow:
        proposal = uow.proposals.get(proposal_id)
        if proposal is None:
            raise NotFound(GONE)
        return snapshot(uow, proposal)


def close_locked(uow: AbstractUnitOfWork, proposal: Proposal, *, by: str | None, now: datetime,
                 withdrawn: bool = False) -> Result:
    """Close a locked, open proposal: decide, number it in the register (unless advisory), record it."""
    assert proposal.id is not None and proposal.board_id is not None  # a saved proposal
    board = uow.boards.get(proposal.board_id)
    assert board is not None  # the board of a proposal locked in this transaction
    votes = uow.proposals.votes(proposal.id)
    t = tally(votes, proposal.eligible(board), per_organisation=proposal.per_organisation)
    asked = uow.escalations.of_proposal(proposal.id)
    result = (Result(Outcome.WITHDRAWN, ("Withdrawn before the poll closed.",)) if withdrawn
              else combine(decide(proposal.rule, t, quorum=proposal.quorum, threshold=proposal.threshold), asked))
    if result.outcome is not Outcome.AGREED_SUBJECT:
        escalations.withdraw_open(uow, proposal.id, now=now)  # nothing is left for an approver to endorse
    proposal.status, proposal.result, proposal.closed_at, proposal.closed_by = Status.CLOSED, result, now, by
    # An advisory sense check takes no decision, so it takes no place in the register.
    if proposal.rule is not DecisionRule.ADVISORY:
        proposal.number = register_number(now.year, uow.proposals.next_number(proposal.board_id, now.year))
    uow.proposals.save(proposal)
    if result.outcome is Outcome.AGREED and not asked and proposal.number and _checked(uow, board, proposal):
        uow.delegated.queue(proposal.id, proposal.board_id, at=now)  # taken under delegation: for retrospective review
    uow.record(PollClosed(now, proposal.id, proposal.channel_id, proposal.proposer, by, proposal.number,
                          result.outcome.value, tuple(result.reasons), {k.value: v for k, v in t.counts.items()}))
    return result


def _checked(uow: AbstractUnitOfWork, board: Board, proposal: Proposal) -> bool:
    """Whether the proposal's category goes through sign-off in this workspace (else nothing was delegated)."""
    workspace_id = uow.workspaces.find(board.team_id)
    assert workspace_id is not None  # a board's workspace
    category = next((c for c in uow.categories.for_workspace(workspace_id) if c.key == proposal.category), None)
    return category is not None and escalations.checks_category(uow, workspace_id, category)


def close_if_due(db: AbstractDatabase, *, proposal_id: int, now: datetime) -> bool:
    """Close a poll whose deadline has passed (its deadline job); False if it was closed or moved already."""
    with db.uow() as uow:
        proposal = uow.proposals.get(proposal_id, lock=True, with_votes=False)
        if proposal is None or proposal.status is not Status.OPEN or proposal.closes_at > now:
            return False
        close_locked(uow, proposal, by=None, now=now)
        uow.commit()
        return True


def recent_decisions(db: AbstractDatabase, *, team_id: str, channel_id: str, limit: int = 10) -> list[PollSnapshot]:
    """The board's latest decisions, newest first."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        return [snapshot(uow, p) for p in uow.proposals.decided(board.id, limit)]


def register(db: AbstractDatabase, *, board_name: str) -> tuple[str, list[PollSnapshot]]:
    """The board's workspace (Slack team id) and every decision of it, oldest first, for the register."""
    with db.read() as uow:
        boards = uow.boards.named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        board_id = boards[0].id
        assert board_id is not None  # a board from the repository
        snaps = [snapshot(uow, p, with_history=True) for p in reversed(uow.proposals.decided(board_id))]
        return boards[0].team_id, snaps


def decision_history(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, number: str) -> PollSnapshot:
    """One decision with every position change, for the board's chair or secretary."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor, to_see="how each member's position changed on a decision")
        assert board.id is not None  # a board from the repository
        proposal = uow.proposals.by_number(board.id, number)
        if proposal is None:
            raise NotFound("{number} is not in this board's register. See {command}.", number=Name(number),
                           command=Command("/collab decisions"))
        if proposal.secret:
            raise Conflict("{number} was a secret ballot, so nobody's positions are shown by name.",
                           number=Name(number))
        return snapshot(uow, proposal, with_history=True)
