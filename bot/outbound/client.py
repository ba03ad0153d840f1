"""Senders: how each kind of job calls Slack, the client they call it with, and what a failed call means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.domain.jobs import ClaimedJob, SendFailure
from bot.outbound.lookup import DispatchClient
from prompts.slack_errors import SlackError

SEND_TIMEOUT = 10  # seconds; shorter than the dispatcher's lease, which its heartbeat extends anyway


class NotReady(Exception):
    """A job that waits for another to be done first (an outcome before its poll is posted): retried shortly,
    and logged as one line, since nothing went wrong."""


@dataclass(frozen=True)
class Sender:
    """One kind of job's call: the Web API method it mainly calls (a 429 pauses that method), and the call.

    `send` returns a JSON-able result to keep (such as the ts of a message it posted) or None to keep the
    previous one. It raises SlackApiError when Slack answers with an error, and anything else (OSError,
    SlackRequestError...) when the call went wrong on the way.
    """

    method: str
    send: Callable[[ClaimedJob], dict | None]


def dispatch_client(*, token: str | None, base_url: str | None = None, timeout: int = SEND_TIMEOUT) -> WebClient:
    """The WebClient senders call Slack with (the one factory: production and tests build it here): it never
    retries, and so never sleeps on a 429 or resends.

    Unlike the app's client (bot/app.py), it has no RateLimitErrorRetryHandler, ServerErrorRetryHandler or even
    slack-sdk's default ConnectionErrorRetryHandler: the dispatcher retries with backoff, pauses a 429's method
    for every process instead of blocking one of its threads, and a connection that broke after Slack accepted
    a message is not silently posted again inside one attempt. Its chat.postMessage marks each post with its
    job, and looks for a post an earlier try may have made before posting again (bot/outbound/lookup.py).
    """
    return DispatchClient(token=token, base_url=base_url or WebClient.BASE_URL, timeout=timeout, retry_handlers=[])


def failure_of(error: BaseException) -> SendFailure:
    """What a sender's exception says about the call: Slack's answer, or how the call failed on the way."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", None)
        data = getattr(response, "data", None)
        code = data.get("error") if isinstance(data, dict) else None
        retry_after = _seconds(_header(getattr(response, "headers", None) or {}, "Retry-After"))
        method = method_of(getattr(response, "api_url", None))
        needed = data.get("needed") if isinstance(data, dict) and code == SlackError.MISSING_SCOPE else None
        detail = f"{method or 'Slack'} answered HTTP {status}" + (f"; it needs the {needed} scope" if needed else "")
        return SendFailure(str(code or f"http_{status}"), status, retry_after, detail, method=method,
                           needed=str(needed) if needed else None)
    if isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError):
        return SendFailure("timeout", detail=str(error)[:300])
    if isinstance(error, OSError):
        return SendFailure("connection_error", detail=str(error)[:300])
    if isinstance(error, SlackRequestError):
        return SendFailure("request_error", detail=str(error)[:300])
    return SendFailure(type(error).__name__, detail=str(error)[:300])


def method_of(api_url: str | None) -> str | None:
    """The Web API method a request went to ("files.getUploadURLExternal"), from its URL."""
    if not api_url or "/api/" not in api_url:
        return None
    return api_url.rsplit("/api/", 1)[1].split("?", 1)[0] or None


def _header(headers, name: str) -> str | None:
    for key, value in dict(headers).items():
        if str(key).lower() == name.lower():
            return value[0] if isinstance(value, list) and value else value
    return None


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date, which Slack does not send: retried with backoff instead
