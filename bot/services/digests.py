"""Each board's weekly digest: what is open, closing, decided and due, as of the moment it goes out."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.decisions import tally
from bot.domain.digest import Decided, Digest, DueReview, OpenAction, OpenPoll
from bot.domain.events import DigestDue
from bot.domain.schedule import next_weekly
from bot.services.reviews import calendar_of
from bot.services.uow import AbstractDatabase

WEEK = timedelta(days=7)


def build(db: AbstractDatabase, *, board_id: int, now: datetime) -> Digest | None:
    """The digest for a board as it stands now, or None when the board is gone."""
    with db.read() as uow:
        board = uow.boards.get(board_id)
        if board is None:
            return None
        polls = []
        for p in uow.proposals.open_of(board_id):
            t = tally(p.votes, p.eligible(board), per_organisation=p.per_organisation)
            waiting = () if p.secret else tuple(v.user_id for v in t.waiting)
            polls.append(OpenPoll(p.title, p.closes_at, p.message_ts, t.eligible_units, waiting, len(t.waiting),
                                  p.secret))
        decided = []
        for p in uow.proposals.decided_since(board_id, now - WEEK):
            assert p.number is not None and p.result is not None  # a decision in the register
            decided.append(Decided(p.number, p.title, p.result.outcome, p.message_ts))
        reviews = [DueReview(r.title, r.next_due) for r in uow.reviews.of_board(board_id)
                   if r.next_due is not None and r.next_due < now + WEEK]
        today = calendar_of(board).local_date(now)
        actions = sorted((OpenAction(a.title, a.owner, a.due_on, a.overdue(today))
                          for a in uow.actions.open_of(board_id)), key=lambda a: (not a.overdue, a.due_on))
    return Digest(board, today, polls, [p for p in polls if p.closes_at < now + WEEK], decided, reviews, actions)


def schedule_digests(db: AbstractDatabase, *, now: datetime) -> int:
    """Make sure every board with a digest has its next one queued (by key, so each is queued once)."""
    with db.uow() as uow:
        boards = uow.boards.with_digest()
        for board in boards:
            s = board.settings
            assert board.id is not None and s.digest_weekday is not None  # a saved board that has a digest
            at = next_weekly(s.digest_weekday, s.digest_at, after=now, calendar=calendar_of(board))
            uow.record(DigestDue(now, board.id, at, s.digest_weekday, s.digest_at.strftime("%H:%M"), board.timezone,
                                 board.channel_id))
        uow.commit()
        return len(boards)
