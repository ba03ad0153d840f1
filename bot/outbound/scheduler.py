"""Background work in a process: APScheduler only ticks; the database holds everything that is due."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.clock import Clock
from bot.outbound.dispatcher import Dispatcher
from bot.outbound.kinds.base import SendContext
from bot.outbound.kinds.housekeeping import prune_job
from bot.outbound.registry import lock_first, on_failed, on_sent, senders
from bot.services.digests import schedule_digests
from storage.uow import Database

log = logging.getLogger(__name__)
TICK_SECONDS = 1
# A dead process's claims pass to another after this; the heartbeat renews live ones every third of it.
LEASE = timedelta(seconds=6)
RECURRING_SECONDS = 300


@dataclass
class Background:
    """A process's dispatcher and the scheduler that ticks it."""

    dispatcher: Dispatcher
    scheduler: BackgroundScheduler

    def stop(self) -> None:
        """Stop ticking and dispatching; jobs in flight are finished and recorded first."""
        self.scheduler.shutdown(wait=False)
        self.dispatcher.stop()


def add_recurring(db: Database, clock: Clock) -> None:
    """Make sure this hour's recurring jobs and each board's next digest exist; any number of processes may do
    this, and each job still runs once."""
    now = clock.now()
    with db.uow() as uow:
        uow.outbox.add(prune_job(now), now=now)
        uow.commit()
    schedule_digests(db, now=now)


def start_background(db: Database, client: WebClient, *, clock: Clock) -> Background:
    """Start this process's dispatcher, ticked by APScheduler, which keeps no state of its own.

    A commit in this process that queues jobs wakes the dispatcher at once; the tick covers jobs that fall
    due later and those other processes queued.
    """
    dispatcher = Dispatcher(db, senders(SendContext(client, db, clock)), clock=clock, on_sent=on_sent,
                            on_failed=on_failed, lock_first=lock_first, lease=LEASE)
    dispatcher.start()
    db.wakers.append(dispatcher.wake)
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(dispatcher.wake, "interval", seconds=TICK_SECONDS, id="dispatch", max_instances=1,
                      coalesce=True)
    scheduler.add_job(add_recurring, "interval", args=(db, clock), seconds=RECURRING_SECONDS, id="recurring",
                      max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    scheduler.start()
    return Background(dispatcher, scheduler)
