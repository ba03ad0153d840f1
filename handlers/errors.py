"""Every failure becomes an answer in one place: what went wrong, and whether anything was saved."""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.domain.errors import Conflict, DomainError
from bot.services.notices import tell
from handlers.deps import Deps
from handlers.forms import inline_errors, notice_view
from handlers.parse import where_of
from prompts.blocks.replies import error_message, stale_button_message, unexpected_error_message
from storage.uow import AlreadyHandled

log = logging.getLogger(__name__)
RACE = Conflict("Someone else changed this at the same moment, so nothing was changed. Please try again.")
BUSY = Conflict("The bot's database is busy or unreachable right now, so nothing was changed. "
                "Please try again in a minute.")


def kind_of(body: dict) -> str:
    """The kind of request: command, view_submission, block_actions, event_callback or other."""
    return "command" if "command" in body else str(body.get("type") or "other")


def answer(error: Exception, *, body: dict, deps: Deps | None) -> BoltResponse:
    """The HTTP answer for a request whose handling raised `error`; replies by another route when needed."""
    if isinstance(error, AlreadyHandled):
        log.info("ignored a repeat of %s", error.args[0])
        return BoltResponse(status=200, body="")
    kind, saved = kind_of(body), bool(deps and deps.db.scope and deps.db.scope.committed)
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("no listener for a %s request", kind)
        content = stale_button_message()
    elif isinstance(error, IntegrityError | OperationalError | PoolTimeout) and not saved:
        log.warning("database refused a %s request: %s", kind, error.__class__.__name__)
        error = RACE if isinstance(error, IntegrityError) else BUSY
        content = error_message(error)
    elif isinstance(error, DomainError):
        content = error_message(error)
    else:
        reference = uuid.uuid4().hex[:10]
        log.error("unexpected error, reference %s", reference, exc_info=error)
        content = unexpected_error_message(reference, saved=saved)
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


def _json(payload: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def register(app: App) -> None:
    """Answer every error raised by middleware, listeners or Bolt itself."""

    @app.error
    def on_error(error: Exception, body: dict, context) -> BoltResponse:
        return answer(error, body=body if isinstance(body, dict) else {}, deps=context.get("deps"))
