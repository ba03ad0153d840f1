"""Steps a user takes in Slack, shared by the end-to-end tests."""

from __future__ import annotations

import json
import time
import uuid

from prompts.ids import INPUT
from prompts.ids.boards import SetupBlock, SetupCallback
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, Reply, reply_text

CHAIR = "UCHAIR01"


def setup_values(*, name="North East Finance Directors", kind="peer_network", collaboration="informal",
                 rule="consensus", timezone="Europe/London", organisation="Newcastle Hospitals",
                 role="chair") -> dict:
    """The set-up modal's state as a user would fill it in."""
    return {
        SetupBlock.BOARD_NAME: {INPUT: payloads.plain_value(name)},
        SetupBlock.BOARD_KIND: {INPUT: payloads.selected(kind)},
        SetupBlock.COLLABORATION_TYPE: {INPUT: payloads.selected(collaboration)},
        SetupBlock.DEFAULT_RULE: {INPUT: payloads.selected(rule)},
        SetupBlock.TIMEZONE: {INPUT: payloads.plain_value(timezone)},
        SetupBlock.ORGANISATION: {INPUT: payloads.plain_value(organisation)},
        SetupBlock.ROLE: {INPUT: payloads.selected(role)},
    }


def open_view(server: BotServer, text: str, *, team: str, channel: str, user: str = CHAIR) -> dict:
    """Type `/collab <text>` and return the modal the bot opened with the command's trigger."""
    trigger = f"{time.time_ns()}.{uuid.uuid4().hex}"
    _, url = server.command(text, user=user, channel=channel, team=team, trigger_id=trigger)
    opened = server.sent("views.open", trigger_id=trigger)
    assert opened, f"no modal opened; the bot said {server.responses(url, wait=False)}"
    return opened[0].response["view"]


def submit_view(server: BotServer, view: dict, values: dict, *, user: str, team: str, **kwargs) -> Reply:
    """Submit a modal the bot opened, carrying its private_metadata back as Slack does."""
    body, ctype = payloads.view_submission(view["callback_id"], values, user_id=user, team_id=team,
                                           private_metadata=view["private_metadata"], view_id=view.get("id"))
    return server.post(body, ctype, **kwargs)


def setup_state(**values) -> dict:
    """The set-up modal's state with string keys, as Slack sends it."""
    return {str(b): {str(a): v for a, v in actions.items()} for b, actions in setup_values(**values).items()}


def submit_setup(server: BotServer, *, team: str, channel: str, user: str = CHAIR, view: dict | None = None,
                 **values) -> Reply:
    """Open the set-up modal with `/collab setup` in `channel` (unless given one) and submit it."""
    view = view or open_view(server, "setup", team=team, channel=channel, user=user)
    assert view["callback_id"] == SetupCallback.SETUP_BOARD
    return submit_view(server, view, setup_state(**values), user=user, team=team)


def modal_errors(reply: Reply) -> dict:
    """The inline errors a view_submission answer carries, or {} when the modal closed."""
    if not reply.body:
        return {}
    answer = json.loads(reply.body)
    return answer.get("errors", {}) if answer.get("response_action") == "errors" else {}


def board_with_members(server: BotServer, *, team: str, channel: str, members: dict[str, str]) -> None:
    """A board chaired by CHAIR with each user in `members` added with the given role."""
    assert submit_setup(server, team=team, channel=channel).status == 200
    _, url = server.command("org add Gateshead Council", user=CHAIR, channel=channel, team=team)
    assert "is registered" in reply_text(server.responses(url)[0])
    for user, role in members.items():
        reply, url = server.command(f"members add <@{user}|someone> Gateshead Council {role}",
                                    user=CHAIR, channel=channel, team=team)
        assert reply.status == 200
        assert "is now a" in reply_text(server.responses(url)[0])
