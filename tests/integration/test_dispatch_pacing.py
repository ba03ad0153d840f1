"""Pacing per channel, coalesced redraws, and the dispatcher against the fake Slack Web API."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from bot.domain.jobs import JobState
from bot.outbound.client import Sender, dispatch_client
from bot.outbound.dispatcher import Dispatcher
from tests.e2e.conftest import TOKEN
from tests.e2e.fake_slack import FakeSlack
from tests.integration.test_dispatch_delivery import dispatcher
from tests.integration.test_dispatch_fakes import (
    SECOND,
    T0,
    Gate,
    Recorder,
    add,
    another_process,
    clock_at,
    post,
    status,
    wait_until,
)


def keys(send: Recorder) -> list[str]:
    """The keys sent so far, in order."""
    return [claimed.job.key for claimed in send.sent]


def test_one_channel_gets_about_one_message_a_second_without_holding_up_other_channels(database_url, db):
    clock, send = clock_at(T0), Recorder()
    add(db, *(post(f"busy-{n}", "CBUSY") for n in range(3)), post("quiet", "CQUIET"), post("dm", "U1"),
        post("close", None))
    worker = dispatcher(db, send, clock)
    assert worker.run_once() == 4
    assert sorted(keys(send)) == ["busy-0", "close", "dm", "quiet"]
    clock.moment = T0 + SECOND * 0.9
    with another_process(database_url) as other:
        assert dispatcher(other, send, clock).run_once() == 0
    clock.moment = T0 + SECOND
    assert worker.run_once() == 1
    clock.moment = T0 + 2 * SECOND
    assert worker.run_once() == 1
    assert keys(send)[-2:] == ["busy-1", "busy-2"]


def test_a_paced_channel_does_not_hide_due_work_behind_it(db):
    clock, send = clock_at(T0), Recorder()
    add(db, *(post(f"busy-{n:03}", "CBUSY") for n in range(200)))
    add(db, post("dm-late-in-line", "U9"), now=T0)
    worker = dispatcher(db, send, clock, batch=4)
    worker.run_once()
    assert worker.run_once() == 1
    assert "dm-late-in-line" in keys(send)


def test_many_redraws_asked_for_while_one_runs_make_exactly_one_more_no_sooner_than_its_spacing(db):
    clock, spacing = clock_at(T0), timedelta(seconds=2)
    first = Gate({"ts": "1700000000.000100"})
    add(db, post("poll.render:1", "C1", redraw=True, spacing=spacing))
    running = threading.Thread(target=dispatcher(db, first, clock).run_once)
    running.start()
    assert first.started.wait(10)
    for _ in range(10):
        add(db, post("poll.render:1", "C1", redraw=True, spacing=spacing))
    first.release()
    running.join(10)
    again = Recorder(None)
    worker = dispatcher(db, again, clock)
    clock.moment = T0 + spacing - SECOND / 10
    assert worker.run_once() == 0
    clock.moment = T0 + spacing
    assert worker.run_once() == 1
    clock.moment = T0 + timedelta(minutes=5)
    assert worker.run_once() == 0
    assert keys(again) == ["poll.render:1"]
    assert again.sent[0].result == {"ts": "1700000000.000100"}
    assert (status(db, "poll.render:1").state, status(db, "poll.render:1").result) == (
        JobState.DONE, {"ts": "1700000000.000100"})


def test_through_the_fake_web_api_a_429_defers_without_the_client_retrying_and_the_ts_is_kept(db):
    clock = clock_at(T0)
    with FakeSlack() as fake:
        client = dispatch_client(token=TOKEN, base_url=fake.api_url)

        def post_message(claimed):
            answer = client.chat_postMessage(channel=claimed.job.channel, text=claimed.job.payload["text"])
            return {"ts": answer["ts"], "channel": answer["channel"]}

        worker = Dispatcher(db, {"post": Sender("chat.postMessage", post_message)}, clock=clock)
        fake.fail_next("chat.postMessage", status=429, retry_after=7)
        add(db, post("announce", "C1"))
        assert worker.run_once() == 1
        assert [call.status for call in fake.calls("chat.postMessage")] == [429]
        assert status(db, "announce").due_at == T0 + 7 * SECOND
        clock.moment = T0 + 7 * SECOND
        assert worker.run_once() == 1
        ok = fake.calls("chat.postMessage", ok_only=True)
        assert len(ok) == 1
        assert status(db, "announce").result == {"ts": ok[0].response["ts"], "channel": "C1"}


def test_the_fake_web_api_fails_a_random_share_of_calls_when_asked():
    with FakeSlack() as fake:
        fake.fail_randomly("chat.postMessage", share=0.25, status=429, retry_after=1, seed=3)
        fake.fail_randomly("chat.postMessage", share=0.25, status=500)
        client = dispatch_client(token=TOKEN, base_url=fake.api_url)
        for n in range(200):
            try:
                client.chat_postMessage(channel="C1", text=str(n))
            except Exception:  # only the fake's answers are counted below
                pass
        statuses = [call.status for call in fake.calls("chat.postMessage")]
    assert 25 <= statuses.count(429) <= 75 and 25 <= statuses.count(500) <= 75
    assert statuses.count(200) == 200 - statuses.count(429) - statuses.count(500)


def test_a_started_dispatcher_sends_new_work_as_soon_as_it_is_woken(db):
    clock, send = clock_at(T0), Recorder()
    worker = dispatcher(db, send, clock, idle=30.0)
    worker.start()
    try:
        time.sleep(0.5)  # the dispatcher has found nothing to do and sleeps for `idle`
        add(db, post("receipt", "D1"))
        worker.wake()
        wait_until(lambda: keys(send) == ["receipt"], timeout=3)
    finally:
        worker.stop()
