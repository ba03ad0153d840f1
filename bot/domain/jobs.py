"""Jobs: what the bot must still tell Slack, due at a time. Each is one outbox row.

Pure rules only: the job itself, which Slack errors are worth retrying, and how long to wait.
"""

from __future__ import annotations

import random
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
class ClaimedJob:
    """A job a dispatcher holds the lease of; only the lease holder may record its result."""

    id: int
    job: Job
    attempts: int  # tries so far, this one included (a claim counts; a 429 deferral gives it back)
    owner: str
    lease_until: datetime
    result: dict | None = None  # what an earlier run recorded, such as the ts of a message it posted


# Slack errors that no retry will cure: stop, mark the job failed, tell a person once.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed", "token_revoked",
    "token_expired", "account_inactive", "msg_too_long", "invalid_blocks", "invalid_arguments", "no_text",
    "user_not_found", "cannot_dm_bot", "missing_scope", "restricted_action", "message_not_found",
    "cant_update_message", "edit_window_closed", "user_is_bot", "method_not_supported_for_channel_type",
    "invalid_json", "too_many_attachments", "ekm_access_denied", "team_access_not_granted",
})
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=5)


def is_permanent(error: str | None) -> bool:
    """Whether a Slack error code means retrying cannot help."""
    return error in PERMANENT_ERRORS


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """How long to wait before trying again after `attempts` failed tries: exponential with full jitter."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return ceiling * (rng or random).uniform(0.5, 1.0)


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


MIN_RETRY_AFTER = timedelta(seconds=1)


def outcome_of(failure: SendFailure, *, attempts: int, now: datetime, rng: random.Random | None = None) -> Outcome:
    """What a failed call means for a job on its `attempts`-th try (this one included).

    A 429 with Retry-After defers the job (not an attempt); a permanent error fails it at once; anything
    else is retried with backoff until MAX_ATTEMPTS tries have failed.
    """
    error = dict(error=failure.code, detail=failure.detail, failure=failure)
    if failure.status == 429 and failure.retry_after is not None:
        return Outcome(OutcomeKind.DEFERRED, at=now + max(MIN_RETRY_AFTER, timedelta(seconds=failure.retry_after)),
                       **error)
    server_error = failure.status is not None and failure.status >= 500
    if (is_permanent(failure.code) and not server_error) or attempts >= MAX_ATTEMPTS:
        return Outcome(OutcomeKind.FAILED, **error)
    return Outcome(OutcomeKind.RETRY, at=now + backoff(attempts, rng=rng), **error)
