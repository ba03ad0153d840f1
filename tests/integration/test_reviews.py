"""Governance reviews on the board's working calendar (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.reviews import CHANNEL, ReviewKind
from bot.domain.schedule import Frequency, Recurrence
from bot.services import reviews
from tests.integration.test_boards import CHAIR, TEAM, make_board
from tests.integration.test_boards import CHANNEL as BOARD_CHANNEL
from tests.integration.test_proposals import seat

NOW = datetime(2026, 12, 21, 10, 0)  # a Monday, in GMT
YEARLY, MONTHLY = Recurrence(Frequency.YEARLY), Recurrence(Frequency.MONTHLY)


def add(db, *, kind=ReviewKind.MOU, starts_on=date(2026, 12, 25), recurrence=YEARLY, ends_on=None, actor=CHAIR):
    return reviews.add_review(db, team_id=TEAM, channel_id=BOARD_CHANNEL, actor=actor, kind=kind, title="",
                              starts_on=starts_on, recurrence=recurrence, tell=CHANNEL, ends_on=ends_on, now=NOW)


def advance(db, review_id: int, sent_for: datetime) -> datetime | None:
    with db.uow() as uow:
        reviews.advance(uow, review_id, sent_for=sent_for, now=NOW)
        uow.commit()
    with db.read() as uow:
        return uow.reviews.get(review_id).next_due


def test_a_review_due_on_christmas_waits_for_the_working_day_after_the_substitute_bank_holiday(db):
    make_board(db)
    review = add(db)
    # 25 Dec 2026 is a Friday; Boxing Day's Saturday is made up on Monday 28th: the first working day is the 29th.
    assert review.next_due == datetime(2026, 12, 29, 9, 0)
    assert review.title == "MoU or terms of reference review"


def test_after_a_reminder_the_series_moves_to_its_next_date_once(db):
    make_board(db)
    review = add(db, starts_on=date(2027, 3, 1))
    assert review.next_due == datetime(2027, 3, 1, 9, 0)
    nxt = advance(db, review.id, review.next_due)
    assert nxt == datetime(2028, 3, 1, 9, 0)
    assert advance(db, review.id, review.next_due) == nxt, "a repeated send does not move it twice"


def test_a_notice_period_reminds_monthly_and_last_on_the_day_it_ends(db):
    make_board(db)
    review = add(db, kind=ReviewKind.NOTICE, starts_on=date(2027, 1, 11), recurrence=MONTHLY,
                 ends_on=date(2027, 3, 25))
    dues = [review.next_due]
    while dues[-1] is not None and len(dues) < 10:
        dues.append(advance(db, review.id, dues[-1]))
    assert dues == [datetime(2027, 1, 11, 9, 0), datetime(2027, 2, 11, 9, 0), datetime(2027, 3, 11, 9, 0),
                    datetime(2027, 3, 25, 9, 0), None]


def test_a_snooze_adds_a_reminder_a_week_later_without_moving_the_series(db):
    make_board(db)
    review = add(db, starts_on=date(2027, 3, 1))
    again = reviews.snooze(db, team_id=TEAM, review_id=review.id, actor=CHAIR, now=datetime(2027, 3, 1, 10, 0))
    assert again == datetime(2027, 3, 8, 9, 0)
    with db.read() as uow:
        assert uow.reviews.get(review.id).next_due == datetime(2027, 3, 1, 9, 0)
        assert uow.outbox.status(f"review.due:{review.id}:2027-03-08T09:00:00") is not None


def test_only_the_chair_or_secretary_adds_a_review_and_only_members_mark_one_done(db):
    make_board(db)
    seat(db, {"U2": "member"})
    with pytest.raises(NotAllowed):
        add(db, actor="U2")
    review = add(db)
    with pytest.raises(NotAllowed):
        reviews.mark_done(db, team_id=TEAM, review_id=review.id, actor="USTRANGER", now=NOW)
    done = reviews.mark_done(db, team_id=TEAM, review_id=review.id, actor="U2", now=NOW)
    assert (done.last_done_by, done.last_done_at) == ("U2", NOW)


@pytest.mark.parametrize(("starts_on", "ends_on", "field"), [
    (date(2026, 12, 20), None, "starts_on"),
    (date(2027, 2, 1), date(2027, 1, 1), "ends_on"),
])
def test_a_review_that_starts_in_the_past_or_ends_before_it_starts_is_refused(db, starts_on, ends_on, field):
    make_board(db)
    with pytest.raises(InvalidValue) as error:
        add(db, kind=ReviewKind.NOTICE, starts_on=starts_on, ends_on=ends_on)
    assert error.value.field == field


def test_a_removed_review_sends_no_more_reminders_and_only_a_manager_removes_one(db):
    from bot.domain.errors import NotFound
    from bot.outbound.kinds.base import SendContext
    from bot.outbound.registry import senders

    make_board(db)
    seat(db, {"U2": "member"})
    review = add(db, starts_on=date(2027, 3, 1))
    with pytest.raises(NotAllowed):
        reviews.remove_review(db, team_id=TEAM, channel_id=BOARD_CHANNEL, actor="U2", review_id=review.id, now=NOW)
    reviews.remove_review(db, team_id=TEAM, channel_id=BOARD_CHANNEL, actor=CHAIR, review_id=review.id, now=NOW)
    with pytest.raises(NotFound):
        reviews.remove_review(db, team_id=TEAM, channel_id=BOARD_CHANNEL, actor=CHAIR, review_id=review.id, now=NOW)
    assert reviews.get_review(db, review.id) is None
    queued = senders(SendContext(client=None, db=db, clock=None))["review.due"]
    from bot.domain.jobs import ClaimedJob, Job
    job = ClaimedJob(1, Job("review.due", "k", NOW, {"review": review.id, "due": NOW.isoformat()}), 1, "o", NOW)
    assert queued.send(job) is None, "a reminder queued before the removal sends nothing"
