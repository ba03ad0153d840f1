"""Votes racing the dispatcher as it records where a poll was posted: no deadlock, no stale poll (SQLite and
PostgreSQL)."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.clock import SystemClock
from bot.domain.boards import Role
from bot.domain.decisions import Position
from bot.services import boards, polls, proposals
from prompts.blocks.polls import poll_message
from storage.db import trouble
from storage.retry import is_deadlock
from tests.e2e.fake_slack import FakeSlack
from tests.integration.test_boards import CHAIR, TEAM, make_board
from tests.integration.test_dispatch_fakes import wait_until
from tests.integration.test_scheduled_delivery import dispatcher

THREADS = 8
ROUNDS = 3
POLLS = 6  # per round, each on its own board's channel, so that their first posts are recorded together
POSITIONS = [Position.AGREE, Position.STAND_ASIDE, Position.ABSTAIN]
VOTERS = [f"UST{n:02d}" for n in range(THREADS)]


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        yield slack


def open_polls(db, round_number: int, now) -> list[int]:
    """One open poll on each of POLLS fresh boards, every VOTER a member (with one more, so none closes early)."""
    ids = []
    for n in range(POLLS):
        channel = f"CST{round_number}{n}"
        make_board(db, channel=channel, name=f"Stress board {round_number}.{n}")
        for user in [*VOTERS, "USTLATE"]:
            boards.add_member(db, team_id=TEAM, channel_id=channel, actor=CHAIR, user_id=user,
                              organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=now)
        ids.append(proposals.create_proposal(
            db, team_id=TEAM, channel_id=channel, actor=CHAIR, request_key=f"stress-{round_number}-{n}",
            title=f"Stress poll {round_number}.{n}", description="", category="workforce", amount=None,
            closes_at=now + timedelta(days=2), rule=proposals.DecisionRule.CONSENSUS, threshold="", quorum="1",
            options=set(), now=now))
    return ids


def vote_until(db, voter: str, poll_ids: list[int], stop: threading.Event, clock, errors: list) -> None:
    """Keep changing `voter`'s position on every poll until told to stop; note any vote that fails."""
    rng = random.Random(voter)
    while not stop.is_set():
        for pid in rng.sample(poll_ids, len(poll_ids)):
            try:
                proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=voter, position=rng.choice(POSITIONS),
                                      now=clock.now())
            except Exception as error:
                if is_deadlock(error) or trouble(error) != "busy":
                    errors.append(repr(error))  # a deadlock's victim: the vote is lost, the voter sees an error
                # else the machine was too loaded to let the vote wait its turn: "busy, nothing was changed"
            stop.wait(rng.uniform(0.005, 0.02))  # a person clicks; SQLite's one writer is not swamped


def drained(db) -> bool:
    """Whether nothing is left to send but the polls' deadlines and reminders, days away."""
    with db.read() as uow:
        return not uow.session.execute(text("SELECT count(*) FROM outbox WHERE state = 'running' OR (state = "
                                            "'pending' AND kind NOT IN ('poll.close', 'poll.remind'))")).scalar()


def last_drawn(fake: FakeSlack, channel: str, ts: str) -> tuple[int, dict]:
    """How many times a poll was posted in `channel` (its board's announcement aside), and the last drawing of
    the message at `ts`."""
    posts = [c for c in fake.calls("chat.postMessage", ok_only=True) if c.params.get("channel") == channel
             and "thread_ts" not in c.params and "open for positions" in c.params.get("text", "")]
    drawn = [c for c in fake.calls(ok_only=True) if c.params.get("channel") == channel and (
        (c.method == "chat.postMessage" and c.response.get("ts") == ts) or
        (c.method == "chat.update" and c.params.get("ts") == ts))]
    return len(posts), drawn[-1].params if drawn else {}


def test_votes_racing_the_recording_of_a_polls_first_post_neither_deadlock_nor_leave_it_stale(db, fake):
    clock = SystemClock()
    errors: list[str] = []
    for round_number in range(ROUNDS):
        poll_ids = open_polls(db, round_number, clock.now())
        stop = threading.Event()
        voters = [threading.Thread(target=vote_until, args=(db, voter, poll_ids, stop, clock, errors))
                  for voter in VOTERS]
        for thread in voters:
            thread.start()
        worker = dispatcher(db, fake, f"stress-{round_number}", clock, pace=timedelta(0))
        db.wakers.append(worker.wake)
        worker.start()
        try:
            wait_until(lambda ids=poll_ids: all(polls.read_poll(db, pid).message_ts for pid in ids), timeout=60)
            stop.wait(1.0)
        finally:
            stop.set()
            for thread in voters:
                thread.join(30)
            try:
                wait_until(lambda: drained(db), timeout=60, every=0.1)
            finally:
                worker.stop()
                db.wakers.remove(worker.wake)
        for pid in poll_ids:
            snap = polls.read_poll(db, pid)
            posted, drawing = last_drawn(fake, snap.channel_id, snap.message_ts)
            assert posted == 1, f"poll {pid} was posted {posted} times"
            assert drawing.get("blocks") == poll_message(snap)["blocks"], f"poll {pid} shows a stale tally"
    assert errors == [], f"{len(errors)} votes failed, first: {errors[:1]}"
    with db.read() as uow:
        hooks = uow.session.execute(text("SELECT count(*) FROM outbox WHERE last_error LIKE 'on_sent failed%'"))
        assert hooks.scalar() == 0, "recording a poll's ts failed"
