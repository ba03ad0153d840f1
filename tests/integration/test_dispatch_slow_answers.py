"""A post Slack answers too late is looked for before it is sent again, never posted twice (SQLite and
PostgreSQL, against the fake Web API answering some posts after the client's timeout)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.clock import SystemClock
from bot.domain.jobs import JobState
from bot.outbound.client import Sender, dispatch_client
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.kinds.base import SendContext
from bot.outbound.lookup import EVENT_TYPE
from bot.outbound.registry import lock_first, on_failed, on_sent, senders
from bot.services import polls
from tests.e2e.conftest import TOKEN
from tests.e2e.fake_slack import FakeSlack, manifest_scopes
from tests.integration.test_dispatch_fakes import add, post, status, unfinished, wait_until
from tests.integration.test_scheduled_delivery import open_poll

TIMEOUT = 1  # seconds: the client's timeout, cut down from 10 so that the test is quick
SLOW = TIMEOUT + 0.5  # seconds a slow answer takes: past the timeout, and the message is posted meanwhile
JOBS = 100


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        yield slack


def post_text(client):
    """A sender posting the job's text where the job says (a channel, or a user id for a DM)."""
    def send(claimed):
        return {"ts": client.chat_postMessage(channel=claimed.job.channel, text=claimed.job.payload["text"])["ts"]}
    return send


def messages_per_job(fake: FakeSlack, places: set[str]) -> Counter:
    """How many messages each job's text appears in, over every conversation it could have posted in."""
    return Counter(m["text"] for place in places for m in fake.history(place))


def test_posts_and_dms_answered_after_the_timeout_are_found_and_adopted_never_posted_twice(db, fake):
    fake.answer_slowly("chat.postMessage", share=0.1, seconds=SLOW, seed=5)
    client = dispatch_client(token=TOKEN, base_url=fake.api_url, timeout=TIMEOUT)
    clock = SystemClock()
    now = clock.now()
    places = {f"C{n % 20:03d}" if n % 2 else f"U{n % 20:03d}" for n in range(JOBS)}
    add(db, *(post(f"job-{n}", f"C{n % 20:03d}" if n % 2 else f"U{n % 20:03d}", due=now) for n in range(JOBS)),
        now=now)
    worker = Dispatcher(db, {"post": Sender("chat.postMessage", post_text(client))}, clock=clock, threads=8,
                        pace=timedelta(0), lease=timedelta(seconds=6))
    worker.start()
    try:
        wait_until(lambda: unfinished(db) == 0, timeout=120, every=0.1)
    finally:
        worker.stop()
    looked = fake.calls("conversations.history")
    counts = messages_per_job(fake, places)
    assert sorted(counts) == sorted(f"job-{n}" for n in range(JOBS)), "every job was posted"
    assert {k: n for k, n in counts.items() if n > 1} == {}, "no job was posted twice"
    assert looked, "some answers came after the timeout, and were looked for"
    assert fake.calls("conversations.open"), "a DM's channel was opened to read its history"
    for n in range(JOBS):
        job = status(db, f"job-{n}")
        assert job.state is JobState.DONE and "unsure" not in (job.result or {})
    posted = [c.params.get("metadata") for c in fake.calls("chat.postMessage")]
    assert all(m and m["event_type"] == EVENT_TYPE for m in posted), "every post carries its job's marker"


def test_a_poll_whose_first_post_is_answered_too_late_is_posted_once_and_its_ts_recorded(db, fake):
    clock = SystemClock()
    pid = open_poll(db, clock.now())
    fake.answer_slowly("chat.postMessage", share=1.0, seconds=SLOW)
    client = dispatch_client(token=TOKEN, base_url=fake.api_url, timeout=TIMEOUT)
    worker = Dispatcher(db, senders(SendContext(client, db, clock)), clock=clock, on_sent=on_sent, on_failed=on_failed,
                        lock_first=lock_first, pace=timedelta(0), lease=timedelta(seconds=6))
    worker.run_once()  # the board's announcement and the poll, each answered too late
    fake.answer_slowly("chat.postMessage", share=0.0, seconds=0)
    wait_until(lambda: worker.run_once() >= 0 and polls.read_poll(db, pid).message_ts is not None, timeout=30,
               every=0.2)
    snap = polls.read_poll(db, pid)
    polls_posted = [m for m in fake.history(snap.channel_id) if "open for positions" in m.get("text", "")]
    assert [m["ts"] for m in polls_posted] == [snap.message_ts], "one poll message, and the bot knows where"


def test_without_the_history_scope_a_late_post_is_sent_again_and_the_log_names_the_refused_method(db, caplog):
    with FakeSlack(scopes=manifest_scopes() - {"channels:history"}) as fake:
        fake.answer_slowly("chat.postMessage", share=1.0, seconds=SLOW)
        client = dispatch_client(token=TOKEN, base_url=fake.api_url, timeout=TIMEOUT)
        worker = Dispatcher(db, {"post": Sender("chat.postMessage", post_text(client))}, clock=SystemClock(),
                            pace=timedelta(0), lease=timedelta(seconds=6))
        add(db, post("announce", "C1", due=SystemClock().now()), now=SystemClock().now())
        worker.run_once()
        fake.answer_slowly("chat.postMessage", share=0.0, seconds=0)
        wait_until(lambda: worker.run_once() >= 0 and status(db, "announce").state is JobState.DONE, timeout=30,
                   every=0.2)
        assert [m["text"] for m in fake.history("C1")] == ["announce", "announce"], "sent, if twice, never lost"
    assert "conversations.history: missing_scope, needed channels:history" in caplog.text
