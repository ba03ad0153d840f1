"""Governance reviews: recurring reminders on the board's working calendar, with Done and Snooze."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.boards import Board, ensure_can_manage
from bot.domain.errors import Command, NotAllowed, NotFound
from bot.domain.events import Replaced, ReviewScheduled, Route
from bot.domain.events_checklists import ReviewAdded, ReviewDone, ReviewRemoved, ReviewSnoozed
from bot.domain.reviews import CHANNEL, DEFAULT_AT, Review, ReviewKind, check_first_due, review_title
from bot.domain.schedule import Recurrence, WorkingCalendar, next_due
from bot.services.boards import linked_board
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

SNOOZE = timedelta(days=7)
REASSESSED = "board-diagnostic"  # the checklist a re-assessment reopens unless another is chosen
GONE = "That review no longer exists."


def calendar_of(board: Board) -> WorkingCalendar:
    """The board's working calendar: its time zone, and whether weekends and bank holidays are skipped."""
    return WorkingCalendar(board.timezone, board.settings.skip_holidays)


def first_due(review: Review, calendar: WorkingCalendar, now: datetime) -> datetime:
    """The first reminder: the start date (or the next working day) at 09:00, or now if that has passed."""
    return max(now, calendar.moment(calendar.next_working_day(review.starts_on), DEFAULT_AT))


def following(review: Review, calendar: WorkingCalendar, *, after: datetime) -> datetime | None:
    """The reminder after `after`; a notice period stops after a last reminder on its end date."""
    due = next_due(Recurrence.decode(review.recurrence), start=review.starts_on, at=DEFAULT_AT, after=after,
                   calendar=calendar)
    if review.ends_on is None:
        return due
    last = calendar.moment(calendar.next_working_day(review.ends_on), DEFAULT_AT)
    if due is not None and due < last:
        return due
    return last if last > after else None


def add_review(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, kind: ReviewKind, title: str,
               starts_on: date, recurrence: Recurrence, tell: str, ends_on: date | None, now: datetime,
               template_id: str | None = None) -> Review:
    """Start a recurring review reminder; the chair or secretary only."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        assert board.id is not None  # a board from the repository
        calendar = calendar_of(board)
        check_first_due(starts_on, today=calendar.local_date(now), ends_on=ends_on)
        review = Review(None, board.id, kind, review_title(kind, title), starts_on, recurrence.encode(), tell,
                        None, ends_on, actor,
                        template_id=(template_id or REASSESSED) if kind is ReviewKind.REASSESSMENT else None)
        review.next_due = first_due(review, calendar, now)
        review.id = uow.reviews.add(review, at=now)
        uow.record(ReviewAdded(now, actor, board.id, review.id, kind.value, review.title, starts_on, review.recurrence,
                               tell, ends_on, review.template_id))
        uow.record(ReviewScheduled(now, review.id, review.next_due))
        uow.commit()
        return review


def remove_review(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, review_id: int,
                  now: datetime) -> Review:
    """Stop a review and its reminders; the chair or secretary only."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        review = uow.reviews.get(review_id, lock=True)
        if review is None or review.board_id != board.id:
            raise NotFound("This board has no review with that number. See {command}.",
                           command=Command("/collab reviews"))
        uow.reviews.remove(review_id)
        uow.record(ReviewRemoved(now, actor, review_id, review.title))
        uow.commit()
        return review


def list_reviews(db: AbstractDatabase, *, team_id: str, channel_id: str) -> tuple[Board, list[Review]]:
    """The board and its reviews, soonest due first."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        return board, uow.reviews.of_board(board.id)


def advance(uow: AbstractUnitOfWork, review_id: int, *, sent_for: datetime, now: datetime) -> None:
    """After a reminder went out for the occurrence due `sent_for`, schedule the next one (once)."""
    review = uow.reviews.get(review_id, lock=True)
    if review is None or review.next_due != sent_for:
        return  # a snooze, or an occurrence already moved on
    board = uow.boards.get(review.board_id, only=[])
    assert board is not None  # the board of a review locked in this transaction
    review.next_due = following(review, calendar_of(board), after=sent_for)
    uow.reviews.save(review)
    if review.next_due is not None:
        uow.record(ReviewScheduled(now, review_id, review.next_due))


def _review_of_member(uow: AbstractUnitOfWork, team_id: str, review_id: int, actor: str) -> tuple[Board, Review]:
    review = uow.reviews.get(review_id, lock=True)
    board = uow.boards.get(review.board_id, only=[actor]) if review else None
    if review is None or board is None or board.team_id != team_id:
        raise NotFound(GONE)
    if board.member(actor) is None and actor != review.tell:
        raise NotAllowed("Only the board's members, or the review's owner, can mark it done or snooze it.")
    return board, review


def mark_done(db: AbstractDatabase, *, team_id: str, review_id: int, actor: str, now: datetime,
              reply_to: Route | None = None) -> Review:
    """Record that this occurrence of the review was carried out; the reminder then says so."""
    with db.uow() as uow:
        _, review = _review_of_member(uow, team_id, review_id, actor)
        review.last_done_at, review.last_done_by = now, actor
        uow.reviews.save(review)
        uow.record(ReviewDone(now, actor, review_id, review.title))
        if reply_to is not None:
            uow.record(Replaced(now, reply_to, "review.done", {"review": review.id},
                                key=f"review.done:{review.id}:{now.isoformat()}"))
        uow.commit()
        return review


def snooze(db: AbstractDatabase, *, team_id: str, review_id: int, actor: str, now: datetime,
           reply_to: Route | None = None) -> datetime:
    """Remind again in a week (on the next working day), without moving the series; when that will be."""
    with db.uow() as uow:
        board, review = _review_of_member(uow, team_id, review_id, actor)
        calendar = calendar_of(board)
        again = calendar.moment(calendar.next_working_day(calendar.local_date(now + SNOOZE)), DEFAULT_AT)
        uow.record(ReviewSnoozed(now, actor, review_id, again))
        uow.record(ReviewScheduled(now, review_id, again, snooze=True))
        if reply_to is not None:
            uow.record(Replaced(now, reply_to, "review.snoozed", {"review": review.id, "until": again.isoformat()},
                                key=f"review.snoozed:{review.id}:{now.isoformat()}"))
        uow.commit()
        return again


def get_review(db: AbstractDatabase, review_id: int) -> tuple[Board, Review] | None:
    """A review with its board, for drawing a message about it."""
    with db.read() as uow:
        review = uow.reviews.get(review_id)
        board = uow.boards.get(review.board_id, only=[]) if review else None
        return (board, review) if review is not None and board is not None else None


def tells_channel(review: Review) -> bool:
    """Whether the review is posted in the board's channel rather than sent to its owner."""
    return review.tell == CHANNEL
