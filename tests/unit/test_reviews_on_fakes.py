"""Governance reviews through the services, on the in-memory unit of work: the rules of
tests/integration/test_reviews.py unchanged, and what only a unit test looks at (jobs queued, who may act)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.domain.errors import NotAllowed, NotFound
from bot.domain.reviews import CHANNEL
from bot.services import reviews
from tests.fakes import FakeDatabase
from tests.integration import test_reviews as rules
from tests.integration.test_boards import CHAIR, TEAM, make_board
from tests.integration.test_boards import CHANNEL as BOARD
from tests.integration.test_proposals import seat
from tests.integration.test_reviews import NOW, add, advance


@pytest.fixture
def db() -> FakeDatabase:
    """The fake database in place of the migrated one: the integration rules run on it unchanged."""
    return FakeDatabase(NOW)


globals().update({name: rule for name, rule in vars(rules).items() if name.startswith("test_")})


def due_keys(db) -> list[str]:
    return [job.key for job in db.jobs() if job.key.startswith("review.due:")]


def test_adding_a_review_queues_its_first_reminder_and_records_who_added_it(db):
    make_board(db)
    review = add(db)
    assert due_keys(db) == [f"review.due:{review.id}:2026-12-29T09:00:00"]
    assert db.store.audit[-1][:2] == (CHAIR, "review.added")


def test_the_next_reminder_is_queued_when_the_series_moves_on(db):
    make_board(db)
    review = add(db, starts_on=date(2027, 3, 1))
    advance(db, review.id, review.next_due)
    assert due_keys(db)[-1] == f"review.due:{review.id}:2028-03-01T09:00:00"


def test_a_secretary_adds_a_review_as_a_chair_does(db):
    make_board(db)
    seat(db, {"USEC": "secretary"})
    assert add(db, actor="USEC").created_by == "USEC"


def test_the_reviews_owner_marks_it_done_without_a_seat_and_nobody_else_does(db):
    make_board(db)
    review = reviews.add_review(db, team_id=TEAM, channel_id=BOARD, actor=CHAIR, kind=rules.ReviewKind.MOU,
                                title="", starts_on=date(2027, 1, 4), recurrence=rules.YEARLY, tell="UOWNER",
                                ends_on=None, now=NOW)
    with pytest.raises(NotAllowed):
        reviews.mark_done(db, team_id=TEAM, review_id=review.id, actor="USTRANGER", now=NOW)
    reviews.mark_done(db, team_id=TEAM, review_id=review.id, actor="UOWNER", now=NOW)
    with db.read() as uow:
        assert (uow.reviews.get(review.id).last_done_by, uow.reviews.get(review.id).tell) == ("UOWNER", "UOWNER")


def test_a_review_of_another_workspace_is_not_found(db):
    make_board(db)
    review = add(db)
    with pytest.raises(NotFound):
        reviews.mark_done(db, team_id="T2", review_id=review.id, actor=CHAIR, now=NOW)


def test_reviews_are_listed_soonest_due_first_and_finished_ones_last(db):
    make_board(db)
    later, finished, sooner = (add(db, starts_on=date(2027, 5, 3)), add(db, starts_on=date(2027, 4, 1)),
                               add(db, starts_on=date(2027, 2, 1)))
    with db.uow() as uow:
        done = uow.reviews.get(finished.id)
        done.next_due = None
        uow.reviews.save(done)
        uow.commit()
    _, listed = reviews.list_reviews(db, team_id=TEAM, channel_id=BOARD)
    assert [r.id for r in listed] == [sooner.id, later.id, finished.id]
    assert {r.tell for r in listed} == {CHANNEL}


def test_a_snooze_is_recorded_with_when_it_will_come_back(db):
    make_board(db)
    review = add(db, starts_on=date(2027, 3, 1))
    reviews.snooze(db, team_id=TEAM, review_id=review.id, actor=CHAIR, now=datetime(2027, 3, 1, 10, 0))
    assert db.store.audit[-1] == (CHAIR, "review.snoozed", {"review_id": review.id, "until": "2027-03-08T09:00:00"})
