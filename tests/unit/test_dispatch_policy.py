"""What a failed Slack call means for a job: defer, retry with backoff, or fail; and how failures are read."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.domain.jobs import OutcomeKind, SendFailure
from bot.outbound.client import dispatch_client, failure_of
from bot.outbound.policy import MAX_ATTEMPTS, backoff, outcome_of
from tests.integration.test_dispatch_fakes import slack_error

NOW = datetime(2026, 3, 2, 9, 0)


def test_a_429_with_retry_after_defers_the_job_until_then():
    outcome = outcome_of(SendFailure("ratelimited", 429, 30.0), attempts=3, now=NOW)
    assert outcome.kind is OutcomeKind.DEFERRED
    assert outcome.at == NOW + timedelta(seconds=30)


def test_a_429_asking_for_no_wait_still_waits_a_second():
    assert outcome_of(SendFailure("ratelimited", 429, 0.0), attempts=1, now=NOW).at == NOW + timedelta(seconds=1)


def test_a_429_without_retry_after_is_retried_with_backoff_like_any_transient_error():
    outcome = outcome_of(SendFailure("ratelimited", 429, None), attempts=1, now=NOW)
    assert outcome.kind is OutcomeKind.RETRY
    assert NOW + timedelta(seconds=1) <= outcome.at <= NOW + timedelta(seconds=2)


@pytest.mark.parametrize("failure", [SendFailure("internal_error", 500), SendFailure("timeout"),
                                     SendFailure("connection_error"), SendFailure("fatal_error", 503)])
def test_transient_errors_are_retried_after_the_backoff_for_that_attempt(failure):
    rng = random.Random(7)
    outcome = outcome_of(failure, attempts=4, now=NOW, rng=rng)
    assert outcome.kind is OutcomeKind.RETRY
    assert outcome.at == NOW + backoff(4, rng=random.Random(7))
    assert NOW + timedelta(seconds=8) <= outcome.at <= NOW + timedelta(seconds=16)


def test_a_transient_error_on_the_last_attempt_fails_the_job():
    assert outcome_of(SendFailure("internal_error", 500), attempts=MAX_ATTEMPTS, now=NOW).kind is OutcomeKind.FAILED
    assert outcome_of(SendFailure("internal_error", 500), attempts=MAX_ATTEMPTS - 1, now=NOW).kind is OutcomeKind.RETRY


@pytest.mark.parametrize("code", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth",
                                  "token_revoked", "account_inactive", "msg_too_long"])
def test_a_permanent_error_fails_the_job_on_its_first_attempt_and_keeps_the_code(code):
    outcome = outcome_of(SendFailure(code, 200), attempts=1, now=NOW)
    assert (outcome.kind, outcome.error) == (OutcomeKind.FAILED, code)


def test_a_server_error_is_transient_whatever_code_it_carries():
    assert outcome_of(SendFailure("invalid_auth", 502), attempts=1, now=NOW).kind is OutcomeKind.RETRY


def test_a_429_is_read_with_its_retry_after_header():
    failure = failure_of(slack_error(429, "ratelimited", retry_after=12))
    assert (failure.code, failure.status, failure.retry_after) == ("ratelimited", 429, 12.0)


def test_slack_errors_are_read_by_their_code():
    assert failure_of(slack_error(200, "channel_not_found")).code == "channel_not_found"
    assert failure_of(slack_error(500, "internal_error")).status == 500


@pytest.mark.parametrize(("error", "code"), [
    (TimeoutError("timed out"), "timeout"), (URLError(TimeoutError("timed out")), "timeout"),
    (ConnectionRefusedError("refused"), "connection_error"), (URLError("no route"), "connection_error"),
    (SlackRequestError("bad request"), "request_error"), (KeyError("blocks"), "KeyError"),
])
def test_failures_on_the_way_are_named_and_none_is_permanent(error, code):
    failure = failure_of(error)
    assert failure.code == code
    assert outcome_of(failure, attempts=1, now=NOW).kind is OutcomeKind.RETRY


def test_the_dispatch_client_never_retries_or_sleeps_on_its_own():
    client = dispatch_client(token="xoxb-test", base_url="http://127.0.0.1:9/api/")
    assert client.retry_handlers == []
    assert not any(isinstance(h, RateLimitErrorRetryHandler | ServerErrorRetryHandler) for h in client.retry_handlers)
