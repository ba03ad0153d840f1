"""A board's scheduling settings, and reminding members who have not voted before a poll closes."""

from __future__ import annotations

from datetime import datetime

from bot.domain.boards import Board, ensure_can_manage, parse_timezone
from bot.domain.decisions import tally
from bot.domain.events import Notice, Route
from bot.domain.events_boards import BoardSettingsSaved
from bot.domain.proposals import Proposal, Status
from bot.domain.reviews import BoardSettings
from bot.services.boards import linked_board
from bot.services.uow import AbstractDatabase


def settings_form(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str) -> Board:
    """The board whose settings the chair or secretary is about to change."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        return board


def save_settings(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, timezone: str,
                  settings: BoardSettings, now: datetime) -> Board:
    """Change the board's time zone, digest, reminder lead and working days; the chair or secretary only."""
    timezone = parse_timezone(timezone)
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        assert board.id is not None  # a board from the repository
        uow.boards.save_settings(board.id, timezone=timezone, settings=settings)
        uow.record(BoardSettingsSaved(now, actor, board.id, timezone, settings.digest_weekday, settings.digest_at,
                                      settings.reminder_hours, settings.skip_holidays))
        uow.commit()
        board.timezone, board.settings = timezone, settings
        return board


def remind_non_voters(db: AbstractDatabase, *, proposal_id: int, now: datetime) -> int:
    """DM every eligible member who has not voted, once per poll; how many were newly reminded."""
    with db.uow() as uow:
        proposal = uow.proposals.get(proposal_id, lock=True)
        if proposal is None or proposal.status is not Status.OPEN:
            return 0
        assert proposal.board_id is not None  # a saved proposal
        board = uow.boards.get(proposal.board_id)
        assert board is not None  # the board of a proposal locked in this transaction
        waiting = tally(proposal.votes, proposal.eligible(board), per_organisation=proposal.per_organisation).waiting
        reminded = 0
        for voter in waiting:
            if uow.reminders.note(proposal_id, voter.user_id, at=now):
                uow.record(Notice(now, Route(board.team_id, voter.user_id), "poll.reminder",
                                  {"proposal": proposal.id}, key=f"remind:{proposal.id}:{voter.user_id}"))
                reminded += 1
        uow.commit()
        return reminded


def reminded(db: AbstractDatabase, *, team_id: str, channel_id: str,
             actor: str) -> tuple[Board, list[tuple[Proposal, dict[str, datetime]]]]:
    """The board and, for each of its open polls, who was reminded to vote and when: for its chair or secretary."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor, to_see="who was reminded to vote")
        assert board.id is not None  # a board from the repository
        found = []
        for p in uow.proposals.open_of(board.id):
            assert p.id is not None  # a saved proposal
            found.append((p, uow.reminders.of(p.id)))
        return board, found
