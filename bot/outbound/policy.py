"""What a failed call to Slack means for its job: defer it, retry it after a backoff, or give up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.domain.jobs import Outcome, OutcomeKind, SendFailure
from prompts.slack_errors import SlackError as E

# Slack errors that no retry will cure: stop, mark the job failed, tell a person once.
PERMANENT_ERRORS = frozenset({
    E.CHANNEL_NOT_FOUND, E.NOT_IN_CHANNEL, E.IS_ARCHIVED, E.INVALID_AUTH, E.NOT_AUTHED, E.TOKEN_REVOKED,
    E.TOKEN_EXPIRED, E.ACCOUNT_INACTIVE, E.MSG_TOO_LONG, E.INVALID_BLOCKS, E.INVALID_ARGUMENTS, E.NO_TEXT,
    E.USER_NOT_FOUND, E.CANNOT_DM_BOT, E.MISSING_SCOPE, E.RESTRICTED_ACTION, E.MESSAGE_NOT_FOUND,
    E.CANT_UPDATE_MESSAGE, E.EDIT_WINDOW_CLOSED, E.USER_IS_BOT, E.METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE,
    E.INVALID_JSON, E.TOO_MANY_ATTACHMENTS, E.EKM_ACCESS_DENIED, E.TEAM_ACCESS_NOT_GRANTED,
})
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=5)
MIN_RETRY_AFTER = timedelta(seconds=1)


def is_permanent(error: str | None) -> bool:
    """Whether a Slack error code means retrying cannot help."""
    return error in PERMANENT_ERRORS


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """How long to wait before trying again after `attempts` failed tries: exponential with full jitter."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return ceiling * (rng or random).uniform(0.5, 1.0)


def outcome_of(failure: SendFailure, *, attempts: int, now: datetime, rng: random.Random | None = None) -> Outcome:
    """What a failed call means for a job on its `attempts`-th try (this one included).

    A 429 with Retry-After defers the job (not an attempt); a permanent error fails it at once; anything
    else is retried with backoff until MAX_ATTEMPTS tries have failed.
    """
    def outcome(kind: OutcomeKind, at: datetime | None = None) -> Outcome:
        return Outcome(kind, error=failure.code, detail=failure.detail, at=at, failure=failure)

    if failure.status == 429 and failure.retry_after is not None:
        return outcome(OutcomeKind.DEFERRED, now + max(MIN_RETRY_AFTER, timedelta(seconds=failure.retry_after)))
    server_error = failure.status is not None and failure.status >= 500
    if (is_permanent(failure.code) and not server_error) or attempts >= MAX_ATTEMPTS:
        return outcome(OutcomeKind.FAILED)
    return outcome(OutcomeKind.RETRY, now + backoff(attempts, rng=rng))
