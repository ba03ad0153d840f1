"""A board's settings, reminders to vote and the weekly digest through the services, on the in-memory unit of
work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from bot.domain.boards import DecisionRule
from bot.domain.decisions import Outcome, Position
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.reviews import CHANNEL as TELL_CHANNEL
from bot.domain.reviews import BoardSettings, ReviewKind
from bot.domain.schedule import Frequency, Recurrence
from bot.services import actions, digests, proposals, reviews, schedules
from tests.fakes import FakeDatabase
from tests.unit.board_on_fakes import CHAIR, CHANNEL, SECRETARY, TEAM, four_member_board

NOW = datetime(2026, 12, 1, 10, 0)  # a Tuesday, in GMT
EVERY_FRIDAY = BoardSettings(digest_weekday=4, digest_at=time(8, 30), reminder_hours=48, skip_holidays=False)


@pytest.fixture
def db() -> FakeDatabase:
    return four_member_board(NOW)


def propose(db, title: str = "Shared bank staff pilot", *, closes: timedelta = timedelta(days=3),
            secret: bool = False) -> int:
    return proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, request_key=f"view:{title}",
                                     title=title, description="", category="workforce", amount=None,
                                     closes_at=NOW + closes, rule=DecisionRule.MAJORITY if secret
                                     else DecisionRule.CONSENSUS, threshold="",
                                     quorum="1", options={"secret"} if secret else set(), now=NOW)


def vote(db, proposal_id: int, user: str, *, now: datetime = NOW) -> None:
    proposals.record_vote(db, team_id=TEAM, proposal_id=proposal_id, actor=user, position=Position.AGREE, now=now)


def save(db, settings: BoardSettings = EVERY_FRIDAY, *, actor: str = CHAIR, timezone: str = "America/New_York"):
    return schedules.save_settings(db, team_id=TEAM, channel_id=CHANNEL, actor=actor, timezone=timezone,
                                   settings=settings, now=NOW)


def test_saving_settings_changes_the_boards_zone_and_digest_and_records_who_did(db):
    save(db)
    board = schedules.settings_form(db, team_id=TEAM, channel_id=CHANNEL, actor=SECRETARY)
    assert (board.timezone, board.settings) == ("America/New_York", EVERY_FRIDAY)
    actor, action, payload = db.store.audit[-1]
    assert (actor, action, payload["digest_at"], payload["timezone"]) == (CHAIR, "board.settings", "08:30",
                                                                         "America/New_York")


def test_only_the_chair_or_secretary_changes_or_opens_the_settings(db):
    with pytest.raises(NotAllowed):
        save(db, actor="U2")
    with pytest.raises(NotAllowed):
        schedules.settings_form(db, team_id=TEAM, channel_id=CHANNEL, actor="U2")


def test_an_unknown_time_zone_is_refused_and_nothing_is_changed(db):
    with pytest.raises(InvalidValue):
        save(db, timezone="Mars/Olympus")
    assert schedules.settings_form(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR).timezone == "Europe/London"


def test_each_member_who_has_not_voted_is_reminded_once_per_poll(db):
    pid = propose(db)
    vote(db, pid, "U2")
    assert schedules.remind_non_voters(db, proposal_id=pid, now=NOW) == 3
    assert schedules.remind_non_voters(db, proposal_id=pid, now=NOW + timedelta(hours=1)) == 0
    assert sorted(job.channel for job in db.jobs() if job.key.startswith(f"notice:remind:{pid}:")) == sorted(
        (CHAIR, "U3", SECRETARY))


def test_a_closed_poll_reminds_nobody(db):
    pid = propose(db)
    proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, now=NOW)
    assert schedules.remind_non_voters(db, proposal_id=pid, now=NOW) == 0


def test_the_chair_sees_who_was_reminded_on_each_open_poll_and_a_member_may_not(db):
    first, second = propose(db, "First"), propose(db, "Second", closes=timedelta(days=1))
    schedules.remind_non_voters(db, proposal_id=first, now=NOW)
    _, polls = schedules.reminded(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR)
    assert [(p.id, sorted(who)) for p, who in polls] == [(second, []), (first, sorted((CHAIR, "U2", "U3", SECRETARY)))]
    with pytest.raises(NotAllowed):
        schedules.reminded(db, team_id=TEAM, channel_id=CHANNEL, actor="U2")


def test_a_digest_lists_open_polls_with_who_has_not_voted_and_those_closing_this_week(db):
    soon = propose(db, "Soon")
    propose(db, "Later", closes=timedelta(days=10), secret=True)
    vote(db, soon, "U2")
    digest = digests.build(db, board_id=1, now=NOW)
    assert [(p.title, p.waiting, p.waiting_count) for p in digest.open] == [
        ("Soon", (CHAIR, "U3", SECRETARY), 3), ("Later", (), 4)]
    assert [p.title for p in digest.closing] == ["Soon"]


def test_a_digest_lists_the_weeks_decisions_reviews_due_and_open_actions(db):
    pid = propose(db)
    for user in (CHAIR, "U2", "U3", SECRETARY):
        vote(db, pid, user)
    reviews.add_review(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, kind=ReviewKind.MOU, title="",
                       starts_on=date(2026, 12, 4), recurrence=Recurrence(Frequency.YEARLY), tell=TELL_CHANNEL,
                       ends_on=None, now=NOW)
    actions.create_action(db, team_id=TEAM, actor=CHAIR, title="Write the MoU", owner="U2",
                          due_on=date(2026, 12, 2), now=NOW, channel_id=CHANNEL)
    digest = digests.build(db, board_id=1, now=NOW + timedelta(days=2))
    assert [(d.title, d.outcome) for d in digest.decided] == [("Shared bank staff pilot", Outcome.AGREED)]
    assert [r.due for r in digest.reviews] == [datetime(2026, 12, 4, 9, 0)]
    assert [(a.title, a.overdue) for a in digest.actions] == [("Write the MoU", True)]
    assert digests.build(db, board_id=1, now=NOW + timedelta(days=8)).decided == []


def test_a_digest_for_a_board_that_is_gone_is_none(db):
    assert digests.build(db, board_id=99, now=NOW) is None


def test_each_board_with_a_digest_has_its_next_one_queued_once(db):
    save(db)
    assert digests.schedule_digests(db, now=NOW) == 1
    assert digests.schedule_digests(db, now=NOW) == 1
    [job] = [job for job in db.jobs() if job.key.startswith("board.digest:")]
    assert job.due_at == datetime(2026, 12, 4, 13, 30) and job.channel == CHANNEL
    assert job.payload == {"board": 1, "weekday": 4, "at": "08:30", "timezone": "America/New_York"}


def test_a_board_without_a_digest_has_none_queued(db):
    save(db, BoardSettings(digest_weekday=None))
    assert digests.schedule_digests(db, now=NOW) == 0
    assert not [job for job in db.jobs() if job.key.startswith("board.digest:")]
