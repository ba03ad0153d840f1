"""Steps for the checklist end-to-end tests: start in a channel, click through the DM, read what it shows."""

from __future__ import annotations

import time

from prompts.ids.checklists import ChecklistAction, ChecklistBlock
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, reply_text


def dm_question(server: BotServer, user: str, *, after: int = 0, timeout: float = 10.0) -> dict:
    """The newest checklist DM to `user` beyond the first `after`: its message params."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c.params for c in server.fake.calls("chat.postMessage", ok_only=True)
                 if c.params.get("channel") == user and _is_checklist(c.params)]
        if len(found) > after:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"{user} was never sent a checklist question")


def _is_checklist(params: dict) -> bool:
    return any(str(b.get("block_id", "")).startswith((ChecklistBlock.ANSWERS.value, ChecklistBlock.APPLY.value))
               for b in params.get("blocks") or []) or "answered every question" in reply_text(params)


def buttons(message: dict) -> dict[str, tuple[str, str]]:
    """The answer buttons of a question message: label -> (action id, value)."""
    for block in message.get("blocks") or []:
        if str(block.get("block_id", "")).startswith(ChecklistBlock.ANSWERS.value):
            return {e["text"]["text"]: (e["action_id"], e["value"]) for e in block["elements"]}
    return {}


def tool(message: dict, action: ChecklistAction) -> str:
    """The value of one of a question message's tools (Back, Skip, Pause...)."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action.value:
                return element["value"]
    raise AssertionError(f"no {action} button in {reply_text(message)[:200]}")


def click(server: BotServer, action_id: str, value: str, *, user: str, team: str) -> dict:
    """Click a button in the DM; the message that replaced it (through its response_url)."""
    url = server.fake.new_response_url()
    body, ctype = payloads.block_action(action_id, value, user_id=user, channel_id=None, team_id=team,
                                        block_id=ChecklistBlock.ANSWERS.value, response_url=url)
    assert server.post(body, ctype).status == 200
    return server.responses(url, timeout=10.0)[-1]


def answer(server: BotServer, message: dict, label: str, *, user: str, team: str) -> dict:
    """Click the answer labelled `label`; the next question (or the end) as it replaced this one."""
    action_id, value = buttons(message)[label]
    return click(server, action_id, value, user=user, team=team)
