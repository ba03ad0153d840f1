"""Jobs: what the bot must still tell Slack, due at a time. Each is one outbox row.

Pure rules only: the job, the changes an event may make to pending jobs, and what one run of a job came to.
(Which Slack errors are worth retrying, and how long to wait, is the outbound side's: bot/outbound/policy.py.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class JobState(StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"  # due at due_at; any dispatcher may claim it then
    RUNNING = "running"  # claimed: its lease holder is telling Slack
    DONE = "done"
    FAILED = "failed"  # a permanent error, or too many transient ones: a person has been told


@dataclass(frozen=True)
class Job:
    """Something to tell Slack: which sender, about what, when, and where it posts (for pacing).

    `key` is the idempotency key: while a job with the same key is pending, adding another changes
    nothing but an earlier due time. A `redraw` job draws the current state of its subject when it runs,
    so one added while the same key is running runs once more after it, no sooner than `spacing` later.
    """

    kind: str
    key: str
    due_at: datetime
    payload: dict = field(default_factory=dict)
    channel: str | None = None  # the channel (or user id, for a DM) it posts in: about one post a second each
    redraw: bool = False
    spacing: timedelta = timedelta(seconds=1)


@dataclass(frozen=True)
class Reschedule:
    """Move a pending job to a new due time."""

    key: str
    due_at: datetime


@dataclass(frozen=True)
class Cancel:
    """A pending job is no longer needed."""

    key: str


Effect = Job | Reschedule | Cancel


@dataclass(frozen=True)
class ClaimedJob:
    """A job a dispatcher holds the lease of; only the lease holder may record its result."""

    id: int
    job: Job
    attempts: int  # tries so far, this one included (a claim counts; a 429 deferral gives it back)
    owner: str
    lease_until: datetime
    result: dict | None = None  # what an earlier run recorded, such as the ts of a message it posted


class OutcomeKind(StrEnum):
    """What one run of a job came to, and so what happens to it next."""

    SENT = "sent"  # done, or pending again if a redraw was asked for while it ran
    RETRY = "retry"  # a transient failure: pending again at `at`, the attempt counted
    DEFERRED = "deferred"  # its method is rate-limited: pending again at `at`, the attempt not counted
    FAILED = "failed"  # a permanent error, or too many transient ones


@dataclass(frozen=True)
class Outcome:
    """What one run of a job came to: the result to keep, or the error and when it may run again."""

    kind: OutcomeKind
    result: dict | None = None
    error: str | None = None  # Slack's error code, or the name of a transport error
    detail: str = ""
    at: datetime | None = None  # when a RETRY or DEFERRED job is due again
    failure: SendFailure | None = None  # the failed call, for a RETRY, DEFERRED or FAILED outcome


@dataclass(frozen=True)
class SendFailure:
    """Why a call to Slack failed: Slack's error code (or a transport error's name) and what came with it."""

    code: str
    status: int | None = None  # the HTTP status, when Slack answered at all
    retry_after: float | None = None  # seconds, from a 429's Retry-After header
    detail: str = ""
    method: str | None = None  # the Web API method that answered with the error (a job may call several)
    needed: str | None = None  # for missing_scope: the scope Slack says the method needs

    @property
    def unknown(self) -> bool:
        """Whether Slack may have acted on the call all the same: it timed out, broke, or answered 5xx."""
        return self.status is None or self.status >= 500
