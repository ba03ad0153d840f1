"""Turn every error into a reply the user can act on: domain errors plainly, others with a reference."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.domain.errors import DomainError
from handlers.middleware import release, request_key
from prompts.blocks.replies import error_message, unexpected_error_message
from storage.uow import Database

log = logging.getLogger(__name__)


def _where(body: dict) -> tuple[str | None, str | None]:
    user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    return channel, user


def reply(body: dict, respond, client, content: dict) -> None:
    """Send an ephemeral reply by the best route the request offers."""
    channel, user = _where(body)
    try:
        if body.get("response_url") or body.get("response_urls"):
            respond(**content, response_type="ephemeral", replace_original=False)
        elif channel and user:
            client.chat_postEphemeral(channel=channel, user=user, **content)
        elif user:
            client.chat_postMessage(channel=user, **content)
    except SlackApiError as exc:
        log.warning("could not deliver an error reply: %s", exc.response.get("error"))


def register(app: App, *, db: Database) -> None:
    """Install the app-wide error handler."""

    @app.error
    def on_error(error: Exception, body: dict, respond, client):
        if isinstance(error, DomainError):
            reply(body, respond, client, error_message(error))
            return
        reference = uuid.uuid4().hex[:10]
        log.error("unexpected error, reference %s", reference, exc_info=error)
        key = request_key(body)
        if key is not None:
            release(db, key)
        reply(body, respond, client, unexpected_error_message(reference))
