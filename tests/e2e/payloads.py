"""Builders for the request bodies Slack sends to a bot: (body_bytes, content_type)."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
APP_ID = "A0001"
VERIFICATION_TOKEN = "verification-token"  # legacy field Slack still sends; bots must not rely on it
_seq = itertools.count(1)


def _trigger_id() -> str:
    return f"{next(_seq)}.{int(time.time())}.{uuid.uuid4().hex}"


def _user(user_id: str, team_id: str) -> dict:
    return {"id": user_id, "username": f"user-{user_id.lower()}", "name": f"user-{user_id.lower()}",
            "team_id": team_id}


def _team(team_id: str) -> dict:
    return {"id": team_id, "domain": f"team-{team_id.lower()}"}


def _payload(data: dict) -> tuple[bytes, str]:
    return urlencode({"payload": json.dumps(data)}).encode(), FORM


def slash_command(text: str, *, user_id: str, channel_id: str, team_id: str = "T0001",
                  command: str = "/collab", response_url: str, trigger_id: str | None = None
                  ) -> tuple[bytes, str]:
    """A form-encoded slash command invocation."""
    form = {
        "token": VERIFICATION_TOKEN, "team_id": team_id, "team_domain": f"team-{team_id.lower()}",
        "channel_id": channel_id, "channel_name": f"channel-{channel_id.lower()}", "user_id": user_id,
        "user_name": f"user-{user_id.lower()}", "command": command, "text": text, "api_app_id": APP_ID,
        "is_enterprise_install": "false", "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(form).encode(), FORM


def block_action(action_id: str, value: str, *, user_id: str, channel_id: str | None,
                 team_id: str = "T0001", message_ts: str | None = None, block_id: str = "b",
                 response_url: str | None, trigger_id: str | None = None, view: dict | None = None
                 ) -> tuple[bytes, str]:
    """A button click (block_actions) in a message, or in `view` when given."""
    data: dict = {
        "type": "block_actions", "user": _user(user_id, team_id), "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN, "team": _team(team_id), "enterprise": None,
        "is_enterprise_install": False, "trigger_id": trigger_id or _trigger_id(),
        "state": {"values": {}},
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                     "text": {"type": "plain_text", "text": value}, "action_ts": f"{time.time():.6f}"}],
    }
    if view is not None:
        data["view"] = view
        data["container"] = {"type": "view", "view_id": view.get("id", "V0001")}
    else:
        data["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                             "is_ephemeral": False}
    if channel_id:
        data["channel"] = {"id": channel_id, "name": f"channel-{channel_id.lower()}"}
    if message_ts:
        data["message"] = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": message_ts,
                           "text": "", "blocks": []}
    if response_url:
        data["response_url"] = response_url
    return _payload(data)


def view_submission(callback_id: str, values: dict, *, user_id: str, team_id: str = "T0001",
                    private_metadata: str = "", view_id: str | None = None,
                    trigger_id: str | None = None) -> tuple[bytes, str]:
    """A modal submission; `values` is Slack's state shape {block_id: {action_id: {...}}}."""
    view_id = view_id or f"V{next(_seq):06d}"
    view = {
        "id": view_id, "team_id": team_id, "type": "modal", "callback_id": callback_id,
        "private_metadata": private_metadata, "state": {"values": values}, "hash": uuid.uuid4().hex[:16],
        "blocks": [], "title": {"type": "plain_text", "text": "Modal"}, "external_id": "",
        "app_id": APP_ID, "bot_id": "BBOT", "root_view_id": view_id, "previous_view_id": None,
    }
    return _payload({
        "type": "view_submission", "team": _team(team_id), "user": _user(user_id, team_id),
        "api_app_id": APP_ID, "token": VERIFICATION_TOKEN, "trigger_id": trigger_id or _trigger_id(),
        "view": view, "response_urls": [], "enterprise": None, "is_enterprise_install": False,
    })


def plain_value(text: str) -> dict:
    """State value of a plain_text_input element."""
    return {"type": "plain_text_input", "value": text}


def selected(value: str) -> dict:
    """State value of a static_select element with `value` chosen."""
    return {"type": "static_select",
            "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}


def event(event: dict, *, team_id: str = "T0001", event_id: str | None = None) -> tuple[bytes, str]:
    """An Events API event_callback envelope around `event`, as JSON."""
    body = {
        "token": VERIFICATION_TOKEN, "team_id": team_id, "api_app_id": APP_ID, "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_seq):08d}{uuid.uuid4().hex[:4].upper()}",
        "event_time": int(time.time()), "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": None, "team_id": team_id, "user_id": "UBOT", "is_bot": True,
                            "is_enterprise_install": False}],
    }
    return json.dumps(body).encode(), JSON
