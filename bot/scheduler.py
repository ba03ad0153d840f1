"""APScheduler as a trigger only: closes polls at their deadline and sweeps for lagging messages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.services.polls import close_due_proposals
from storage.audit import utcnow
from storage.uow import Database

log = logging.getLogger(__name__)
CLOSE_EVERY_SECONDS = 15
SWEEP_EVERY_SECONDS = 60
KEEP_REQUEST_KEYS = timedelta(days=1)


def start_scheduler(db: Database, publisher, *, close_every: int = CLOSE_EVERY_SECONDS) -> BackgroundScheduler:
    """Start the in-memory trigger; the database stays the only record of what is due."""

    def close_due() -> None:
        for proposal_id in close_due_proposals(db, now=utcnow()):
            log.info("closed poll %s at its deadline", proposal_id)
            publisher.request(proposal_id)

    def prune() -> None:
        with db.uow() as uow:
            uow.requests.prune(utcnow() - KEEP_REQUEST_KEYS)
            uow.commit()

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(prune, "interval", hours=1, id="prune", max_instances=1, coalesce=True)
    scheduler.add_job(close_due, "interval", seconds=close_every, id="close_due", max_instances=1,
                      coalesce=True, next_run_time=datetime.now(UTC))
    scheduler.add_job(publisher.sweep, "interval", seconds=SWEEP_EVERY_SECONDS, id="sweep", max_instances=1,
                      coalesce=True)
    scheduler.start()
    return scheduler
