"""Each board's weekly digest: what is open, closing, decided and due, as of the moment it goes out."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.decisions import tally
from bot.domain.digest import Decided, Digest, DueReview, OpenAction, OpenPoll
from bot.domain.effects import Kind
from bot.domain.jobs import Job
from bot.domain.schedule import next_weekly
from bot.services.reviews import calendar_of
from storage.uow import Database

WEEK = timedelta(days=7)


def build(db: Database, *, board_id: int, now: datetime) -> Digest | None:
    """The digest for a board as it stands now, or None when the board is gone."""
    with db.read() as uow:
        board = uow.boards.get(board_id)
        if board is None:
            return None
        polls = []
        for p in uow.proposals.open_of(board.id):
            t = tally(p.votes, p.eligible(board), per_organisation=p.per_organisation)
            waiting = () if p.secret else tuple(v.user_id for v in t.waiting)
            polls.append(OpenPoll(p.title, p.closes_at, p.message_ts, t.eligible_units, waiting, len(t.waiting),
                                  p.secret))
        decided = [Decided(p.number, p.title, p.result.outcome, p.message_ts)
                   for p in uow.proposals.decided_since(board.id, now - WEEK)]
        reviews = [DueReview(r.title, r.next_due) for r in uow.reviews.of_board(board.id)
                   if r.next_due is not None and r.next_due < now + WEEK]
        today = calendar_of(board).local_date(now)
        actions = sorted((OpenAction(a.title, a.owner, a.due_on, a.overdue(today))
                          for a in uow.actions.open_of(board.id)), key=lambda a: (not a.overdue, a.due_on))
    return Digest(board, today, polls, [p for p in polls if p.closes_at < now + WEEK], decided, reviews, actions)


def schedule_digests(db: Database, *, now: datetime) -> int:
    """Make sure every board with a digest has its next one queued (by key, so each is queued once)."""
    with db.uow() as uow:
        boards = uow.boards.with_digest()
        for board in boards:
            s = board.settings
            at = next_weekly(s.digest_weekday, s.digest_at, after=now, calendar=calendar_of(board))
            uow.outbox.add(Job(Kind.DIGEST, f"{Kind.DIGEST}:{board.id}:{at.isoformat()}", at, {
                "board": board.id, "weekday": s.digest_weekday, "at": s.digest_at.strftime("%H:%M"),
                "timezone": board.timezone}, board.channel_id), now=now)
        uow.commit()
        return len(boards)
