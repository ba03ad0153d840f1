"""Turn every error into a reply the user can act on: domain errors plainly, others with a reference."""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.domain.errors import DomainError
from handlers.middleware import release, request_key
from prompts.blocks.replies import error_message, unexpected_error_message
from storage.uow import Database

log = logging.getLogger(__name__)
NEEDED = ("ack", "body", "respond", "client")


def _where(body: dict) -> tuple[str | None, str | None]:
    user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    return channel, user


def reply(body: dict, respond, client, content: dict) -> None:
    """Send an ephemeral reply by the best route the request offers."""
    channel, user = _where(body)
    try:
        if body.get("response_url"):
            respond(**content, response_type="ephemeral", replace_original=False)
        elif channel and user:
            client.chat_postEphemeral(channel=channel, user=user, **content)
        elif user:
            client.chat_postMessage(channel=user, **content)
    except SlackApiError as exc:
        log.warning("could not deliver an error reply: %s", exc.response.get("error"))


def handle(error: Exception, *, db: Database, body: dict, respond, client) -> None:
    """Reply to the user about `error`; an unexpected one is logged under a reference they are given."""
    if isinstance(error, DomainError):
        reply(body, respond, client, error_message(error))
        return
    reference = uuid.uuid4().hex[:10]
    log.error("unexpected error, reference %s", reference, exc_info=error)
    key = request_key(body)
    if key is not None:
        release(db, key)
    reply(body, respond, client, unexpected_error_message(reference))


def guarded(db: Database) -> Callable[[Callable], Callable]:
    """Decorate a listener so its errors are answered here, never raised back into Bolt."""

    # Bolt resets a listener's ack when the listener raises after acking, and then waits its
    # full 3 s ack timeout; catching inside the listener keeps every reply fast.
    def decorate(listener: Callable) -> Callable:
        own = inspect.signature(listener).parameters
        names = list(own) + [n for n in NEEDED if n not in own]

        def run(**kwargs):
            try:
                return listener(**{k: v for k, v in kwargs.items() if k in own})
            except Exception as error:  # every failure gets an answer
                if kwargs["ack"].response is None:
                    kwargs["ack"]()
                handle(error, db=db, body=kwargs["body"], respond=kwargs["respond"], client=kwargs["client"])

        run.__name__ = listener.__name__
        run.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
        return run

    return decorate


def register(app: App, *, db: Database) -> None:
    """Install the app-wide handler for errors raised outside listeners (middleware, Bolt itself)."""

    @app.error
    def on_error(error: Exception, body: dict, respond, client):
        handle(error, db=db, body=body, respond=respond, client=client)
