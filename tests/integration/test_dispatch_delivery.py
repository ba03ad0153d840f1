"""Each job is sent once: across dispatchers, across a restart, and past a lease (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from bot.clock import SystemClock
from bot.domain.jobs import JobState
from bot.outbound.client import Sender
from bot.outbound.dispatcher import Dispatcher
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
    unfinished,
    wait_until,
)
from tests.integration.test_outbox import LEASE, claim

JOBS = 300


def dispatcher(db, send, clock, **options) -> Dispatcher:
    """A dispatcher whose "post" jobs go to `send`."""
    return Dispatcher(db, {"post": Sender("chat.postMessage", send)}, clock=clock, lease=LEASE, **options)


def test_two_dispatchers_on_one_database_send_each_job_exactly_once(database_url, db):
    clock = SystemClock()
    now = clock.now()
    # Most without a channel, so pacing's bookings cannot hide a claim that is not exclusive.
    add(db, *(post(f"job-{n}", f"D{n}" if n % 3 == 0 else None, due=now) for n in range(JOBS)), now=now)
    # Calls that take a little while (as Slack's do) keep one dispatcher from draining everything before the
    # other's first claim gets through SQLite's busy wait: the last assertion needs both to take part.
    send = Recorder(delay=0.02)
    with another_process(database_url) as other:
        workers = [dispatcher(db, send, clock, owner="one", batch=16, threads=4),
                   dispatcher(other, send, clock, owner="two", batch=16, threads=4)]
        for worker in workers:
            worker.start()
        try:
            wait_until(lambda: unfinished(db) == 0, timeout=60, every=0.1)
        finally:
            for worker in workers:
                worker.stop()
    counts = send.count()
    assert sorted(counts) == sorted(f"job-{n}" for n in range(JOBS))
    assert set(counts.values()) == {1}
    assert {claimed.owner.split("#")[0] for claimed in send.sent} == {"one", "two"}


def test_a_job_claimed_by_a_process_that_died_is_sent_once_its_lease_expires(db):
    clock = clock_at(T0)
    add(db, post("receipt", "D1"))
    claim(db, owner="died#1")
    send = Recorder()
    worker = dispatcher(db, send, clock)
    clock.moment = T0 + LEASE - SECOND / 10
    assert worker.run_once() == 0
    clock.moment = T0 + LEASE
    assert worker.run_once() == 1
    clock.moment = T0 + timedelta(hours=1)
    assert worker.run_once() == 0
    assert send.count() == {"receipt": 1}
    assert (status(db, "receipt").state, status(db, "receipt").attempts) == (JobState.DONE, 2)


def test_a_running_dispatcher_takes_over_an_expired_lease_within_its_idle_second(db):
    clock = clock_at(T0)
    add(db, post("receipt", "D1"))
    claim(db, owner="died#1")
    send = Recorder()
    worker = dispatcher(db, send, clock, idle=1.0)
    worker.start()
    try:
        time.sleep(0.3)
        clock.moment = T0 + LEASE
        expired = time.monotonic()
        wait_until(lambda: send.count() == {"receipt": 1}, timeout=5)
        assert time.monotonic() - expired < 1.5
    finally:
        worker.stop()


def test_a_slack_call_longer_than_the_lease_is_sent_once(database_url, db):
    clock = clock_at(T0)
    add(db, post("outcome", "C1"))
    slow, other_send = Gate(), Recorder()
    holder = dispatcher(db, slow, clock)
    running = threading.Thread(target=holder.run_once)
    running.start()
    try:
        assert slow.started.wait(10)
        clock.moment = T0 + LEASE + 5 * SECOND
        wait_until(lambda: status(db, "outcome").lease_until > clock.moment)
        with another_process(database_url) as other:
            assert dispatcher(other, other_send, clock).run_once() == 0
    finally:
        slow.release()
        running.join(10)
    assert (slow.count(), other_send.count()) == ({"outcome": 1}, {})
    assert status(db, "outcome").state is JobState.DONE


def test_a_dispatcher_that_lost_its_lease_records_nothing_and_calls_no_hook(database_url, db):
    stalled_clock, live_clock = clock_at(T0), clock_at(T0 + LEASE)
    add(db, post("outcome", "C1"))
    slow, live_send, hooked = Gate({"ts": "stalled"}), Recorder({"ts": "live"}), []
    stalled = dispatcher(db, slow, stalled_clock, on_sent=lambda uow, claimed, result: hooked.append(result))
    running = threading.Thread(target=stalled.run_once)
    running.start()
    try:
        assert slow.started.wait(10)
        with another_process(database_url) as other:
            assert dispatcher(other, live_send, live_clock).run_once() == 1
    finally:
        slow.release()
        running.join(10)
    assert (slow.count(), live_send.count()) == ({"outcome": 1}, {"outcome": 1})
    assert (status(db, "outcome").state, status(db, "outcome").result) == (JobState.DONE, {"ts": "live"})
    assert hooked == []


def test_jobs_of_kinds_without_a_sender_are_left_for_a_dispatcher_that_has_one(db):
    add(db, post("home", kind="home.refresh"), post("receipt"))
    send = Recorder()
    assert dispatcher(db, send, clock_at(T0)).run_once() == 1
    assert status(db, "home").state is JobState.PENDING
