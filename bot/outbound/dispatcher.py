"""The one dispatcher: claim due outbox jobs, call Slack on a small thread pool, record each outcome.

Any number of processes may run one on the same database; each job is sent once, with one exception that
Slack's API leaves open (chat.postMessage takes no idempotency key):

**What can still repeat, and how much.** A process that dies after Slack accepted a message but before the
outcome committed leaves that job running under its lease; once the lease expires (at most `lease`, 15 s by
default, after the last heartbeat) another dispatcher sends it again. The window is the time from Slack's answer
to the commit that records it: the driver thread wakes on the first answer (not on a timer) and records every
answer then in hand in one short transaction, so the window is one record transaction, plus at most one claim or
heartbeat transaction the driver was already in. At most the jobs this process had in flight can repeat: 2 x
`threads`. A call that outlasts its lease never repeats while the process lives: the driver extends the leases of
jobs in flight every `lease / 3`, and writes an outcome only under the lease it claimed with (a per-claim owner
token), so a process stalled longer than `lease` can lose a job to another dispatcher but not overwrite its
record. Jobs that were claimed but never sent (a restart between claim and send) are simply sent once the lease
expires.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from bot.clock import Clock
from bot.domain.jobs import ClaimedJob, Outcome, OutcomeKind, SendFailure
from bot.outbound.client import NotReady, Sender, failure_of
from bot.outbound.lookup import attempting
from bot.outbound.policy import MAX_ATTEMPTS, outcome_of
from storage.db import trouble
from storage.retry import is_deadlock

log = logging.getLogger("collab_bot.dispatch")

STEP = 0.05  # seconds the driver waits for an answer before it looks at leases and new work
POLL = 0.1  # least seconds between claims that found less than they asked for
LEASE = timedelta(seconds=15)
THREADS = 8  # send threads; each may read the database, so the pool counts them
PACE = timedelta(seconds=1)  # chat.postMessage: about one message a second per channel

OnSent = Callable[[Any, ClaimedJob, dict | None], None]  # the first argument: the recording unit of work
OnFailed = Callable[[Any, ClaimedJob, SendFailure], None]
LockFirst = Callable[[Any, list[tuple[ClaimedJob, Outcome]]], None]


class Dispatcher:
    """Claims due jobs in batches, sends them on `threads` threads, and records each outcome under its lease.

    `on_sent(uow, claimed, result)` and `on_failed(uow, claimed, failure)` run inside the transaction that
    records the outcome, only while the lease is still held; they must use that unit of work, not open another.
    `lock_first(uow, runs)` runs first in that transaction, before any outbox row is locked: it takes the locks
    the hooks will need that come earlier in the lock order (storage/outbox.py), such as a poll's proposal row.
    A record transaction that PostgreSQL picks as a deadlock's victim is run once more.
    """

    def __init__(self, db, senders: Mapping[str, Sender], *, clock: Clock, owner: str | None = None,
                 on_sent: OnSent | None = None, on_failed: OnFailed | None = None,
                 lock_first: LockFirst | None = None, lease: timedelta = LEASE,
                 batch: int = 32, threads: int = THREADS, pace: timedelta = PACE, idle: float = 1.0,
                 rng: random.Random | None = None):
        self.db, self.senders, self.clock = db, dict(senders), clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.on_sent, self.on_failed, self.lock_first = on_sent, on_failed, lock_first
        self.lease, self.batch, self.threads, self.pace, self.idle = lease, batch, threads, pace, idle
        self._rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="dispatch")
        self._flying: dict[Future, ClaimedJob] = {}
        self._answered: list[tuple[ClaimedJob, Outcome]] = []
        self._paused: dict[str, datetime] = {}
        self._paused_lock = threading.Lock()
        self._renew_at: datetime | None = None
        self._claims = itertools.count(1)
        self._driving = threading.Lock()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Claim one batch of due jobs, send them, and record every outcome; how many were handled."""
        with self._driving:
            self._claim(self.batch)
            handled = 0
            while self._flying or self._answered:
                handled += self._step()
            return handled

    def start(self) -> None:
        """Dispatch in a background thread until stop()."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop claiming, finish and record the calls in flight, and stop the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False)

    def wake(self) -> None:
        """Look for due jobs now rather than after the idle sleep (call after committing new jobs)."""
        self._wake.set()

    def _run(self) -> None:
        next_claim, outage = 0.0, None
        with self._driving:
            while not self._stop.is_set():
                try:
                    room = min(self.batch, 2 * self.threads - len(self._flying))
                    if room > 0 and (self._wake.is_set() or time.monotonic() >= next_claim):
                        self._wake.clear()
                        claimed, outage = self._claim(room), None
                        next_claim = time.monotonic() + (POLL if claimed < room else 0)
                    if self._flying or self._answered:
                        self._step()
                    else:
                        self._rest()
                        next_claim = 0.0
                except Exception as error:
                    if trouble(error) is None:
                        log.exception("dispatcher %s: a step failed; trying again in a second", self.owner)
                    elif outage is None:  # once per outage, not a traceback a second
                        log.warning("dispatcher %s: the database is %s (%s); trying again every second",
                                    self.owner, "busy" if trouble(error) == "busy" else "unreachable",
                                    error.__class__.__name__)
                    outage = trouble(error)
                    self._stop.wait(1.0)
            self._drain()

    def _drain(self) -> None:
        while self._flying or self._answered:
            try:
                self._step()
            except Exception:
                log.exception("dispatcher %s: could not record on stopping; leases will expire", self.owner)
                return

    def _rest(self) -> None:
        """Sleep until something may be due (or `idle` seconds), or until woken."""
        now = self.clock.now()
        with self.db.read() as uow:
            due = uow.outbox.next_due(self._sendable(now), now=now)
        with self._paused_lock:
            moments = [m for m in [due, *self._paused.values()] if m is not None and m > now]
        delay = (min(moments) - now).total_seconds() if moments else self.idle if due is None else POLL
        self._wake.wait(min(self.idle, max(POLL, delay)))

    def _claim(self, limit: int) -> int:
        now = self.clock.now()
        busy = [c.id for c in self._flying.values()] + [c.id for c, _ in self._answered]
        with self.db.uow() as uow:
            paused = uow.outbox.paused(now=now)
            self._merge_pauses(paused)
            claimed = uow.outbox.claim(kinds=self._sendable(now), owner=f"{self.owner}#{next(self._claims)}",
                                       now=now, lease=self.lease, limit=limit, pace=self.pace, skip=busy)
            uow.commit()
        for job in claimed:
            self._flying[self._pool.submit(self._attempt, job)] = job
        if claimed and (self._renew_at is None or now + self.lease / 3 < self._renew_at):
            self._renew_at = now + self.lease / 3
        return len(claimed)

    def _attempt(self, claimed: ClaimedJob) -> Outcome:
        """Send one job (on a pool thread) and say what came of it; never raises."""
        method = self.senders[claimed.job.kind].method
        if claimed.attempts > MAX_ATTEMPTS:
            return Outcome(OutcomeKind.FAILED, error="too_many_attempts", detail="its lease ran out on every try")
        until = self._pause_of(method, self.clock.now())
        if until is not None:
            return Outcome(OutcomeKind.DEFERRED, error="paused", detail=f"{method} is rate-limited", at=until)
        with attempting(claimed) as attempt:
            try:
                return Outcome(OutcomeKind.SENT, result=attempt.settled(self.senders[claimed.job.kind].send(claimed)))
            except Exception as error:
                outcome = self._failed(claimed, method, error)
                return replace(outcome, result=attempt.unsettled())

    def _failed(self, claimed: ClaimedJob, method: str, error: Exception) -> Outcome:
        """What a failed try comes to; a 429 pauses its method in this process at once."""
        failure = failure_of(error)
        if isinstance(error, SlackApiError):
            log.warning("job %s (%s): Slack's %s refused it: %s (%s)", claimed.job.key, claimed.job.kind,
                        failure.method or method, failure.code, failure.detail)
        elif isinstance(error, NotReady):
            log.info("job %s (%s): waiting: %s", claimed.job.key, claimed.job.kind, error)
        else:
            log.warning("job %s (%s): %s failed on the way", claimed.job.key, claimed.job.kind, method,
                        exc_info=True)
        outcome = outcome_of(failure, attempts=claimed.attempts, now=self.clock.now(), rng=self._rng)
        if outcome.kind is OutcomeKind.DEFERRED and outcome.at is not None:
            self._merge_pauses({method: outcome.at})
        return outcome

    def _step(self) -> int:
        """Wait briefly for answers, record those in hand, and keep the leases of the rest; how many recorded."""
        if self._flying:
            done, _ = wait(list(self._flying), timeout=STEP, return_when=FIRST_COMPLETED)
            for future in done:
                self._answered.append((self._flying.pop(future), future.result()))
        handled = self._record() if self._answered else 0
        self._heartbeat()
        return handled

    def _record(self) -> int:
        runs = sorted(self._answered, key=lambda run: run[0].id)  # one lock order for every writer
        try:
            self._record_runs(runs)
        except DBAPIError as error:
            if not is_deadlock(error):
                raise
            log.warning("dispatcher %s: recording %d outcomes was a deadlock's victim; once more", self.owner,
                        len(runs))
            self._record_runs(runs)
        self._answered = []
        return len(runs)

    def _record_runs(self, runs: list[tuple[ClaimedJob, Outcome]]) -> None:
        now = self.clock.now()
        pauses: dict[str, datetime] = {}
        for claimed, outcome in runs:
            if outcome.kind is OutcomeKind.DEFERRED and outcome.at is not None:
                method = self.senders[claimed.job.kind].method
                pauses[method] = max(outcome.at, pauses.get(method, outcome.at))
        with self.db.uow() as uow:
            if self.lock_first is not None:
                self.lock_first(uow, runs)
            for method in sorted(pauses):
                uow.outbox.pause(method, pauses[method])
            for claimed, outcome in runs:
                if uow.outbox.finish(claimed, outcome, now=now):
                    self._hook(uow, claimed, outcome, now)
                else:
                    log.warning("job %s: its lease passed to another dispatcher; this %s is not recorded",
                                claimed.job.key, outcome.kind)
            uow.commit()

    def _hook(self, uow, claimed: ClaimedJob, outcome: Outcome, now: datetime) -> None:
        """Run on_sent or on_failed in a savepoint: a hook that fails is logged and noted, and never resends."""
        if outcome.kind is OutcomeKind.SENT and self.on_sent is not None:
            name, hook = "on_sent", functools.partial(self.on_sent, uow, claimed, outcome.result)
        elif outcome.kind is OutcomeKind.FAILED and self.on_failed is not None:
            failure = outcome.failure or SendFailure(outcome.error or "failed", detail=outcome.detail)
            name, hook = "on_failed", functools.partial(self.on_failed, uow, claimed, failure)
        else:
            return
        events = getattr(uow, "events", None)
        recorded = len(events) if events is not None else 0
        savepoint = uow.session.begin_nested()
        try:
            hook()
            savepoint.commit()
        except Exception as error:
            savepoint.rollback()
            if is_deadlock(error):
                raise  # the whole record transaction runs again, rather than lose what the hook records
            if events is not None:
                del events[recorded:]
            log.exception("job %s: %s failed", claimed.job.key, name)
            uow.outbox.note(claimed.id, f"{name} failed: {error!r}", now=now)

    def _heartbeat(self) -> None:
        """Every lease / 3, extend the leases of the jobs this dispatcher is still sending or recording."""
        holding = list(self._flying.values()) + [c for c, _ in self._answered]
        if not holding:
            self._renew_at = None
            return
        now = self.clock.now()
        if self._renew_at is not None and now < self._renew_at:
            return
        with self.db.uow() as uow:
            held = uow.outbox.extend(holding, now=now, lease=self.lease)
            uow.commit()
        self._renew_at = now + self.lease / 3
        for claimed in holding:
            if claimed.id not in held:
                log.warning("job %s: its lease passed to another dispatcher while being sent", claimed.job.key)

    def _sendable(self, now: datetime) -> list[str]:
        return [kind for kind, sender in self.senders.items() if self._pause_of(sender.method, now) is None]

    def _pause_of(self, method: str, now: datetime) -> datetime | None:
        with self._paused_lock:
            until = self._paused.get(method)
        return until if until is not None and until > now else None

    def _merge_pauses(self, pauses: Mapping[str, datetime]) -> None:
        with self._paused_lock:
            for method, until in pauses.items():
                self._paused[method] = max(until, self._paused.get(method, until))
