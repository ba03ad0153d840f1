"""Housekeeping: forget old request keys and finished jobs, once an hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.jobs import ClaimedJob, Job
from bot.outbound.kinds.base import JobKind, Payload, SendContext, nobody

KEEP_REQUEST_KEYS = timedelta(days=1)
KEEP_FINISHED_JOBS = timedelta(days=7)  # their keys make a repeated event harmless, so keep them a while


@dataclass(frozen=True)
class NoPayload(Payload):
    """Nothing: the job is the same whenever it runs."""


def prune(ctx: SendContext, job: ClaimedJob, p: NoPayload) -> dict:
    """Forget request keys older than a day, and jobs finished more than a week ago."""
    now = ctx.clock.now()
    with ctx.db.uow() as uow:
        keys = uow.requests.prune(now - KEEP_REQUEST_KEYS)
        jobs = uow.outbox.prune(before=now - KEEP_FINISHED_JOBS)
        uow.commit()
    return {"request_keys": keys, "jobs": jobs}


PRUNE = JobKind("requests.prune", NoPayload, "database", prune, nobody)


def prune_job(now: datetime) -> Job:
    """This hour's job that forgets old request keys (any number of processes add it; it runs once)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return PRUNE.job(hour.isoformat(), hour, NoPayload())
