"""Hand-written fakes for the dispatcher tests (no tests here): senders that record, script answers or block."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import text

from bot.clock import FixedClock
from bot.domain.jobs import ClaimedJob, Job
from bot.outbound.registry import effects_of
from storage.db import make_engine, session_factories
from storage.uow import Database
from tests.conftest import TEST_AUDIT_KEY

T0 = datetime(2026, 3, 2, 9, 0)


def slack_error(status: int, code: str, *, retry_after: int | None = None) -> SlackApiError:
    """The exception slack-sdk raises when Slack answers `status` with ok=false and `code`."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    response = SlackResponse(client=None, http_verb="POST", api_url="https://slack.test/api/chat.postMessage",
                             req_args={}, data={"ok": False, "error": code}, headers=headers, status_code=status)
    return SlackApiError(f"The request to the Slack API failed. (error: {code})", response)


class Recorder:
    """A sender that notes every job it is asked to send and answers from a script, then with a new ts."""

    def __init__(self, *answers, delay: float = 0.0):
        self.sent: list[ClaimedJob] = []
        self._answers = deque(answers)
        self._delay = delay
        self._lock = threading.Lock()

    def __call__(self, claimed: ClaimedJob) -> dict | None:
        if self._delay:
            time.sleep(self._delay)
        with self._lock:
            self.sent.append(claimed)
            answer = self._answers.popleft() if self._answers else {"ts": f"{1000 + len(self.sent)}.000100"}
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def count(self) -> Counter:
        """How many times each key was sent."""
        with self._lock:
            return Counter(c.job.key for c in self.sent)


class Gate(Recorder):
    """A sender whose first call blocks until release(): a Slack call that takes as long as a test wants."""

    def __init__(self, *answers):
        super().__init__(*answers)
        self.started, self._open = threading.Event(), threading.Event()

    def __call__(self, claimed: ClaimedJob) -> dict | None:
        if not self.started.is_set():
            self.started.set()
            assert self._open.wait(30), "the test never released the gate"
        return super().__call__(claimed)

    def release(self) -> None:
        """Let the blocked call answer."""
        self._open.set()


def clock_at(moment: datetime = T0) -> FixedClock:
    """A clock that stands at `moment` until a test moves `clock.moment`."""
    return FixedClock(moment)


@contextmanager
def another_process(database_url: str) -> Iterator[Database]:
    """The same database through a second engine, as another process would reach it."""
    engine = make_engine(database_url)
    try:
        yield Database(*session_factories(engine), audit_key=TEST_AUDIT_KEY, effects=effects_of)
    finally:
        engine.dispose()


def add(db: Database, *jobs: Job, now: datetime = T0) -> None:
    """Add jobs in one transaction."""
    with db.uow() as uow:
        for job in jobs:
            uow.outbox.add(job, now=now)
        uow.commit()


def post(key: str, channel: str | None = None, *, due: datetime = T0, kind: str = "post", **options) -> Job:
    """A job that posts one message."""
    return Job(kind, key, due, {"text": key}, channel, **options)


def status(db: Database, key: str):
    """Where the job with `key` stands."""
    with db.read() as uow:
        return uow.outbox.status(key)


def unfinished(db: Database) -> int:
    """How many jobs are pending or running."""
    with db.read() as uow:
        return uow.session.execute(text("SELECT count(*) FROM outbox WHERE state IN ('pending', 'running')")).scalar()


def wait_until(condition, *, timeout: float = 30.0, every: float = 0.02) -> None:
    """Wait for `condition()` to hold, or fail the test."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(every)


SECOND = timedelta(seconds=1)
