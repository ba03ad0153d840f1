"""Slack payloads parsed into typed requests; anything missing or malformed is a Malformed error."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.domain.errors import DomainError
from bot.domain.events import Route

SLACK_ID = re.compile(r"^[A-Z0-9]{2,24}$")
MAX_ID = 2**31 - 1


class Malformed(DomainError):
    """A request lacks what Slack always sends, or carries ids that can't be ours."""

    def __init__(self, message: str = "That request didn't carry what I expected, so nothing was changed. "
                                      "If it came from an old message or form, use the latest one."):
        super().__init__(message)


@dataclass(frozen=True)
class Where:
    """Who acted, in which workspace and channel, and how to answer them."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None

    def route(self) -> Route:
        """Where to send this person private answers after the request."""
        return Route(self.team_id, self.user_id, self.channel_id, self.response_url)


def slack_id(value, *, first: str) -> str:
    """A Slack id such as U0123ABC whose first letter is one of `first`."""
    if not isinstance(value, str) or not SLACK_ID.match(value) or value[0] not in first:
        raise Malformed()
    return value


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _team(body: dict) -> str:
    user, team = body.get("user"), body.get("team")
    raw = (user.get("team_id") if isinstance(user, dict) else None) or (
        team.get("id") if isinstance(team, dict) else None) or body.get("team_id")
    return slack_id(raw, first="TE")


def command(body: dict) -> tuple[Where, str]:
    """A slash command: where it was typed, and the text after the command."""
    where = Where(slack_id(body.get("team_id"), first="TE"), slack_id(body.get("user_id"), first="UW"),
                  slack_id(body.get("channel_id"), first="CGD"), _text(body.get("response_url")),
                  _text(body.get("trigger_id")))
    text = body.get("text") or ""
    if not isinstance(text, str):
        raise Malformed()
    return where, text


def click(body: dict) -> tuple[Where, str, str]:
    """A button click: where, the action id and the button's value."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise Malformed()
    action = actions[0]
    user, channel = body.get("user"), body.get("channel")
    where = Where(_team(body), slack_id(user.get("id") if isinstance(user, dict) else None, first="UW"),
                  slack_id(channel["id"], first="CGD") if isinstance(channel, dict) and "id" in channel else None,
                  _text(body.get("response_url")), _text(body.get("trigger_id")))
    action_id, value = action.get("action_id"), action.get("value", "")
    if not isinstance(action_id, str) or not isinstance(value, str):
        raise Malformed()
    return where, action_id, value


def submission(body: dict) -> tuple[Where, dict]:
    """A modal submission: who submitted it and the view."""
    user, view = body.get("user"), body.get("view")
    if not isinstance(view, dict) or not isinstance((view.get("state") or {}).get("values", {}), dict):
        raise Malformed()
    where = Where(_team(body), slack_id(user.get("id") if isinstance(user, dict) else None, first="UW"),
                  trigger_id=_text(body.get("trigger_id")))
    return where, view


def event_user(body: dict, event: dict) -> tuple[str, str]:
    """The workspace and user of an event."""
    return slack_id(body.get("team_id"), first="TE"), slack_id(event.get("user"), first="UW")


def record_id(raw) -> int:
    """A database id carried in a button or form: a positive integer."""
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise Malformed()
    return int(text)


def json_object(raw) -> dict:
    """A JSON object carried in a button's value."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, RecursionError):  # a crafted value nested deeper than the parser's stack
        value = None
    if not isinstance(value, dict):
        raise Malformed()
    return value


def where_of(body: dict) -> Where | None:
    """As much of Where as a body offers, never raising: for replying to a request that failed."""
    try:
        if "command" in body:
            return command(body)[0]
        if body.get("type") == "block_actions":
            return click(body)[0]
        if body.get("type") == "view_submission":
            return submission(body)[0]
    except DomainError:
        return None
    return None
