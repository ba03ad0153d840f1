"""What Slack's errors do to jobs: 429 pauses one method, 5xx backs off, permanent errors fail once."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.domain.jobs import Job, JobState
from bot.outbound.client import NotReady, Sender
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.policy import BACKOFF_BASE, BACKOFF_CAP, MAX_ATTEMPTS
from tests.integration.test_dispatch_delivery import dispatcher
from tests.integration.test_dispatch_fakes import (
    SECOND,
    T0,
    Recorder,
    add,
    another_process,
    clock_at,
    post,
    slack_error,
    status,
)


def test_a_429_pauses_only_its_method_until_retry_after_in_every_process(database_url, db):
    clock = clock_at(T0)
    posts, updates = Recorder(slack_error(429, "ratelimited", retry_after=30)), Recorder()
    senders = {"post": Sender("chat.postMessage", posts), "update": Sender("chat.update", updates)}
    add(db, post("poll-1", "C1"), post("poll-2", "C2", due=T0 + SECOND), post("redraw-1", "C3", kind="update"))
    assert Dispatcher(db, senders, clock=clock).run_once() == 2
    limited = status(db, "poll-1")
    assert (limited.state, limited.due_at, limited.attempts) == (JobState.PENDING, T0 + 30 * SECOND, 0)

    clock.moment = T0 + 5 * SECOND
    add(db, post("redraw-2", "C4", kind="update", due=clock.moment))
    with another_process(database_url) as other:
        assert Dispatcher(other, senders, clock=clock).run_once() == 1
    assert [c.job.key for c in posts.sent] == ["poll-1"]
    assert sorted(c.job.key for c in updates.sent) == ["redraw-1", "redraw-2"]

    clock.moment = T0 + 30 * SECOND
    assert Dispatcher(db, senders, clock=clock).run_once() == 2
    assert posts.count() == {"poll-1": 2, "poll-2": 1}
    assert status(db, "poll-1").state is JobState.DONE


def test_a_500_is_retried_after_a_growing_backoff_and_fails_after_the_last_attempt(db):
    clock, failed = clock_at(T0), []
    send = Recorder(*[slack_error(500, "internal_error")] * MAX_ATTEMPTS)
    worker = dispatcher(db, send, clock,
                        on_failed=lambda uow, claimed, failure: failed.append((claimed.job.key, failure.code)))
    add(db, post("outcome", "C1"))
    for attempt in range(1, MAX_ATTEMPTS):
        assert worker.run_once() == 1
        job = status(db, "outcome")
        wait = job.due_at - clock.moment
        assert (job.state, job.attempts) == (JobState.PENDING, attempt)
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling
        clock.moment = job.due_at - SECOND / 10
        assert worker.run_once() == 0
        clock.moment = job.due_at
    assert worker.run_once() == 1
    job = status(db, "outcome")
    assert (job.state, job.attempts, job.last_error) == (
        JobState.FAILED, MAX_ATTEMPTS, "internal_error: chat.postMessage answered HTTP 500")
    assert failed == [("outcome", "internal_error")]
    assert len(send.sent) == MAX_ATTEMPTS


def test_a_500_then_an_answer_sends_the_job_once(db):
    clock = clock_at(T0)
    send = Recorder(slack_error(500, "internal_error"), {"ts": "1.5"})
    add(db, post("outcome", "C1"))
    worker = dispatcher(db, send, clock)
    worker.run_once()
    clock.moment = status(db, "outcome").due_at
    assert worker.run_once() == 1
    assert (status(db, "outcome").state, status(db, "outcome").result) == (JobState.DONE, {"ts": "1.5"})


def test_a_permanent_error_fails_the_job_at_once_and_calls_on_failed_once_in_the_same_transaction(db):
    clock, calls = clock_at(T0), []

    def tell_the_proposer(uow, claimed, failure):
        calls.append(failure.code)
        uow.outbox.add(Job("notice", f"notice:{claimed.job.key}", clock.now(), {"error": failure.code}, "U1"),
                       now=clock.now())

    send = Recorder(slack_error(200, "channel_not_found"))
    add(db, post("poll", "C404"))
    worker = dispatcher(db, send, clock, on_failed=tell_the_proposer)
    assert worker.run_once() == 1
    job = status(db, "poll")
    assert (job.state, job.attempts, job.last_error) == (
        JobState.FAILED, 1, "channel_not_found: chat.postMessage answered HTTP 200")
    clock.moment = T0 + timedelta(hours=1)
    assert worker.run_once() == 0
    assert (calls, len(send.sent)) == (["channel_not_found"], 1)
    assert status(db, "notice:poll").state is JobState.PENDING


def test_a_failing_on_sent_hook_is_noted_undone_and_never_resends(db):
    clock = clock_at(T0)

    def broken(uow, claimed, result):
        uow.outbox.add(post("follow-up"), now=T0)
        raise RuntimeError("hook bug")

    send = Recorder()
    add(db, post("poll", "C1"))
    worker = dispatcher(db, send, clock, on_sent=broken)
    assert worker.run_once() == 1
    clock.moment = T0 + timedelta(hours=1)
    assert worker.run_once() == 0
    job = status(db, "poll")
    assert (job.state, job.last_error) == (JobState.DONE, "on_sent failed: RuntimeError('hook bug')")
    assert status(db, "follow-up") is None
    assert send.count() == {"poll": 1}


def test_on_sent_gets_the_result_and_writes_in_the_recording_transaction(db):
    seen = []

    def keep_ts(uow, claimed, result):
        seen.append(result)
        uow.outbox.add(post("thread-reply", due=T0), now=T0)

    add(db, post("poll", "C1"))
    assert dispatcher(db, Recorder({"ts": "9.9"}), clock_at(T0), on_sent=keep_ts).run_once() == 1
    assert seen == [{"ts": "9.9"}]
    assert (status(db, "poll").result, status(db, "thread-reply").state) == ({"ts": "9.9"}, JobState.PENDING)


def test_a_job_not_ready_yet_is_one_info_line_without_a_traceback_and_goes_once_ready(db, caplog):
    clock = clock_at(T0)
    send = Recorder(NotReady("the poll message is not posted yet"))
    worker = dispatcher(db, send, clock)
    add(db, post("outcome", "C1"))
    with caplog.at_level(logging.INFO, logger="collab_bot.dispatch"):
        assert worker.run_once() == 1
    (line,) = [r for r in caplog.records if "outcome" in r.getMessage()]
    assert (line.levelno, line.exc_info) == (logging.INFO, None)
    assert "waiting: the poll message is not posted yet" in line.getMessage()
    job = status(db, "outcome")
    assert (job.state, job.attempts) == (JobState.PENDING, 1)
    clock.moment = job.due_at
    assert worker.run_once() == 1
    assert status(db, "outcome").state is JobState.DONE and send.count() == {"outcome": 2}
