"""Every failure becomes an answer in one place: what went wrong, and whether anything was saved."""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from sqlalchemy.exc import IntegrityError

from bot.domain.errors import Conflict, DomainError
from bot.outbound.notices import webhook
from bot.services.notices import tell
from bot.services.uow import AlreadyHandled
from handlers.deps import Deps
from handlers.forms import inline_errors, notice_view
from handlers.parse import where_of
from prompts.blocks.replies import stale_button_message, unexpected_error_message
from prompts.errors import error_message
from storage.db import trouble

log = logging.getLogger(__name__)
RACE = Conflict("Someone else changed this at the same moment, so nothing was changed. Please try again.")
BUSY = Conflict("The bot's database is busy right now, so nothing was changed. Please try again.")
DOWN = Conflict("I can't reach the bot's database right now, so nothing was saved. "
                "Please try again in a few minutes.")
REPLY_SECONDS = 1  # a direct reply to a response_url, inside the request that Slack waits 3 s for


def kind_of(body: dict) -> str:
    """The kind of request: command, view_submission, block_actions, event_callback or other."""
    return "command" if "command" in body else str(body.get("type") or "other")


def answer(error: Exception, *, body: dict, deps: Deps | None) -> BoltResponse:
    """The HTTP answer for a request whose handling raised `error`; replies by another route when needed."""
    if isinstance(error, AlreadyHandled):
        log.info("ignored a repeat of %s", error.args[0])
        return BoltResponse(status=200, body="")
    kind, saved = kind_of(body), bool(deps and deps.db.scope and deps.db.scope.committed)
    if trouble(error) and not saved:
        return _database_trouble(trouble(error), error, kind=kind, body=body)
    error, content = _said(error, kind=kind, saved=saved)
    if kind == "command":
        return _json({**content, "response_type": "ephemeral"})
    if kind == "view_submission":
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        if isinstance(error, DomainError):
            return _json(inline_errors(str(view.get("callback_id")), error))
        return _json({"response_action": "update", "view": notice_view(content)})
    where = where_of(body)
    if deps is not None and where is not None and kind == "block_actions":
        try:
            tell(deps.db.unscoped(), to=where.route(), content=content, now=deps.clock.now())
        except Exception:  # the database is down too: the click gets no answer, but the log says why
            log.warning("could not queue an error reply to %s", where.user_id)
    return BoltResponse(status=200, body="")


def _said(error: Exception, *, kind: str, saved: bool) -> tuple[Exception, dict]:
    """The error to answer (a lost race becomes the domain's RACE) and the message that says it."""
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("no listener for a %s request", kind)
        return error, stale_button_message()
    if isinstance(error, IntegrityError) and not saved:
        log.warning("database refused a %s request: %s", kind, error.__class__.__name__)
        return RACE, error_message(RACE)
    if isinstance(error, DomainError):
        return error, error_message(error)
    reference = uuid.uuid4().hex[:10]
    log.error("unexpected error, reference %s", reference, exc_info=error)
    return error, unexpected_error_message(reference, saved=saved)


def _database_trouble(what: str, error: Exception, *, kind: str, body: dict) -> BoltResponse:
    """Nothing was saved, and the outbox can't carry the reply: say so in the HTTP response or the response_url.

    A command or form is answered in its (200) response, which Slack shows. Anything else gets 503, as 200 would
    mean saved: Slack marks the click as failed and retries an event later; a click's person is also told
    why through its response_url, directly.
    """
    content = error_message(BUSY if what == "busy" else DOWN)
    where = where_of(body)
    if kind == "command":
        reply, how = _json({**content, "response_type": "ephemeral"}), "in the response"
    elif kind == "view_submission":
        reply, how = _json({"response_action": "update", "view": notice_view(content)}), "in the form"
    else:
        told = bool(where and where.response_url) and webhook(
            where.response_url, {**content, "response_type": "ephemeral", "replace_original": False},
            timeout=REPLY_SECONDS)
        reply, how = BoltResponse(status=503, body=""), "503" + (" and by its response_url" if told else "")
    log.warning("database %s (%s): a %s request saved nothing; answered %s",
                "busy" if what == "busy" else "unreachable", error.__class__.__name__, kind, how)
    return reply


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def register(app: App) -> None:
    """Answer every error raised by middleware, listeners or Bolt itself."""

    @app.error
    def on_error(error: Exception, body: dict, context) -> BoltResponse:
        return answer(error, body=body if isinstance(body, dict) else {}, deps=context.get("deps"))
