"""Reminders and digests through real senders and dispatchers against the fake Web API (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bot.clock import SystemClock
from bot.domain.boards import Role
from bot.domain.decisions import Position
from bot.domain.events import Route
from bot.outbound.client import dispatch_client
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.kinds.base import SendContext
from bot.outbound.notices import render
from bot.outbound.registry import Kind, lock_first, on_failed, on_sent, senders
from bot.services import boards, proposals, schedules
from bot.services.digests import schedule_digests
from tests.e2e.conftest import reply_text
from tests.e2e.fake_slack import FakeSlack
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board
from tests.integration.test_dispatch_fakes import another_process, unfinished, wait_until

VOTERS = [f"UV{i:02d}" for i in range(12)]


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        yield slack


def open_poll(db, now: datetime) -> int:
    make_board(db)
    for user in VOTERS:
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user,
                          organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=now)
    return proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, request_key="v1",
                                     title="Shared bank pilot", description="", category="workforce", amount=None,
                                     closes_at=now + timedelta(days=2), rule=proposals.DecisionRule.CONSENSUS,
                                     threshold="", quorum="1", options=set(), now=now)


def dispatcher(db, fake: FakeSlack, owner: str, clock, **options) -> Dispatcher:
    client = dispatch_client(token="xoxb-test-token", base_url=fake.api_url)
    return Dispatcher(db, senders(SendContext(client, db, clock)), clock=clock, owner=owner, on_sent=on_sent,
                      on_failed=on_failed, lock_first=lock_first, **options)


def make_due(db, where: str, now: datetime) -> None:
    with db.uow() as uow:
        uow.session.execute(text(f"UPDATE outbox SET due_at = :now WHERE state = 'pending' AND {where}"),
                            {"now": now - timedelta(seconds=1)})
        uow.commit()


def dms(fake: FakeSlack, containing: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in fake.calls("chat.postMessage", ok_only=True):
        if containing in reply_text(call.params):
            counts[call.params["channel"]] = counts.get(call.params["channel"], 0) + 1
    return counts


def test_two_dispatchers_send_each_reminder_and_the_digest_once(database_url, db, fake):
    clock = SystemClock()
    now = clock.now()
    pid = open_poll(db, now)
    proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=VOTERS[0], position=Position.AGREE, now=now)
    schedule_digests(db, now=now)
    make_due(db, f"key = 'poll.remind:{pid}' OR kind = 'board.digest'", now)
    with another_process(database_url) as other:
        workers = [dispatcher(db, fake, "one", clock), dispatcher(other, fake, "two", clock)]
        for worker in workers:
            worker.start()
        try:
            wait_until(lambda: len(dms(fake, "haven't given your position")) == len(VOTERS)
                       and dms(fake, "the week of"), timeout=60, every=0.1)
            wait_until(lambda: unfinished(db) == 1, timeout=30, every=0.1)  # only the poll's deadline is left
        finally:
            for worker in workers:
                worker.stop()
    reminded = dms(fake, "haven't given your position")
    assert set(reminded) == set(VOTERS[1:]) | {CHAIR} and set(reminded.values()) == {1}
    assert dms(fake, "the week of") == {CHANNEL: 1}


def test_a_member_who_votes_after_being_queued_a_reminder_is_not_sent_it(db):
    now = SystemClock().now()
    pid = open_poll(db, now)
    assert schedules.remind_non_voters(db, proposal_id=pid, now=now) == len(VOTERS) + 1
    assert schedules.remind_non_voters(db, proposal_id=pid, now=now) == 0, "once per poll"
    proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=VOTERS[3], position=Position.AGREE, now=now)
    assert render("poll.reminder", {"proposal": pid}, to=Route(TEAM, VOTERS[3]), db=db) is None
    assert render("poll.reminder", {"proposal": pid}, to=Route(TEAM, VOTERS[4]), db=db) is not None


def test_a_reminder_claimed_by_a_process_that_died_is_sent_once_its_lease_expires(db, fake):
    clock = SystemClock()
    now = clock.now()
    pid = open_poll(db, now)
    schedules.remind_non_voters(db, proposal_id=pid, now=now)
    with db.uow() as uow:  # a process claims every reminder, then dies before sending any
        claimed = uow.outbox.claim(kinds=[Kind.NOTICE], owner="dead#1", now=now, lease=timedelta(seconds=1),
                                   limit=100, pace=timedelta(seconds=1), skip=[])
        uow.commit()
    assert len(claimed) == len(VOTERS) + 1
    survivor = dispatcher(db, fake, "survivor", clock, lease=timedelta(seconds=1))
    survivor.start()
    try:
        wait_until(lambda: len(dms(fake, "haven't given your position")) == len(VOTERS) + 1, timeout=30)
    finally:
        survivor.stop()
    assert set(dms(fake, "haven't given your position").values()) == {1}
