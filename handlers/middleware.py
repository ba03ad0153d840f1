"""Global middleware: drop Slack's retries and repeated requests before any listener runs."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from prompts.ids import PollAction
from storage.uow import Database

log = logging.getLogger(__name__)
SELF_DEDUPLICATING = frozenset({PollAction.VOTE_AGREE.value, PollAction.VOTE_STAND_ASIDE.value,
                                PollAction.VOTE_ABSTAIN.value})


def request_key(body: dict) -> str | None:
    """A key that is the same for Slack's retries of one request and different for every new one."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    kind = body.get("type") or ("command" if "command" in body else "request")
    if body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    actions = body.get("actions") or []
    if actions and actions[0].get("action_ts"):
        return f"{kind}:{(body.get('user') or {}).get('id')}:{actions[0]['action_ts']}"
    return None


def claim(db: Database, key: str) -> bool:
    """Record the key in its own short transaction; False if it was already there."""
    with db.uow() as uow:
        fresh = uow.requests.claim(key)
        uow.commit()
    return fresh


def release(db: Database, key: str) -> None:
    """Forget the key after an unexpected failure, so Slack's retry gets a fresh attempt."""
    with db.uow() as uow:
        uow.requests.release(key)
        uow.commit()


def register(app: App, *, db: Database) -> None:
    """Install the de-duplication middleware."""

    @app.use
    def drop_duplicates(body: dict, next, request):
        actions = body.get("actions") or [{}]
        if actions[0].get("action_id") in SELF_DEDUPLICATING:
            next()  # the vote claims its key inside its own transaction, after acking
            return
        key = request_key(body)
        if key is not None and not claim(db, key):
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("ignored a repeat of %s (retry %s)", key, retry)
            return BoltResponse(status=200, body="")
        next()
