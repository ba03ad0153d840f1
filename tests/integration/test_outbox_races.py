"""Concurrent writers of one outbox key, each through its own engine as separate processes would be."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from datetime import timedelta

from sqlalchemy import text

from bot.domain.jobs import JobState
from tests.integration.test_dispatch_fakes import SECOND, T0, add, another_process, post, status
from tests.integration.test_outbox import LEASE, SENT, claim, finish

WRITERS = 8


def race(database_url, jobs) -> list[BaseException]:
    """Add each job from its own engine, all starting together; the errors raised."""
    with ExitStack() as stack:
        dbs = [stack.enter_context(another_process(database_url)) for _ in jobs]
        return _together(dbs, jobs)


def _together(dbs, jobs) -> list[BaseException]:
    start, errors = threading.Barrier(len(jobs)), []

    def write(db, job):
        try:
            start.wait()
            add(db, job)
        except BaseException as error:  # the test reports any error a writer met
            errors.append(error)

    threads = [threading.Thread(target=write, args=pair) for pair in zip(dbs, jobs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_adds_of_one_key_make_one_row_with_the_earliest_due_time(database_url, db):
    jobs = [post("same", due=T0 + n * SECOND) for n in reversed(range(WRITERS))]
    assert race(database_url, jobs) == []
    with db.read() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM outbox WHERE key = 'same'")).scalar() == 1
    assert (status(db, "same").state, status(db, "same").due_at) == (JobState.PENDING, T0)


def test_concurrent_redraws_of_a_running_job_ask_for_exactly_one_more_run(database_url, db):
    add(db, post("poll", redraw=True))
    claimed = claim(db)[0]
    assert race(database_url, [post("poll", redraw=True) for _ in range(WRITERS)]) == []
    assert finish(db, claimed, SENT, now=T0 + SECOND)
    again = claim(db, now=T0 + 2 * SECOND)
    assert [c.job.key for c in again] == ["poll"]
    assert finish(db, again[0], SENT, now=T0 + 2 * SECOND)
    assert claim(db, now=T0 + timedelta(hours=1)) == []


def test_two_processes_claiming_one_channel_at_once_get_one_post_between_them(database_url, db):
    # A's scan (limit 1 x SCAN rows) locks a1 and the x jobs; B's scan then finds only a2, in the channel A books.
    add(db, post("a1", "C1"), post("x1", "C2"), post("x2", "C3"), post("x3", "C4"), post("a2", "C1"))
    with another_process(database_url) as other, db.uow() as first:
        mine = first.outbox.claim(kinds=["post"], owner="A#1", now=T0, lease=LEASE, limit=1, pace=SECOND)
        theirs: list = []
        racing = threading.Thread(target=lambda: theirs.extend(claim(other, owner="B#1")))
        racing.start()
        time.sleep(0.3)  # B now waits for A: on the channel's booking (PostgreSQL) or the write lock (SQLite)
        first.commit()
        racing.join(30)
    assert [c.job.key for c in mine] == ["a1"]
    assert "a2" not in [c.job.key for c in theirs]
