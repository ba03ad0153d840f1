"""Steps a user takes in Slack, shared by the end-to-end tests."""

from __future__ import annotations

import json

from prompts.ids import ActionId, BlockId, CallbackId
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, Reply, reply_text

CHAIR = "UCHAIR01"


def setup_values(*, name="North East Finance Directors", kind="peer_network", collaboration="informal",
                 rule="consensus", timezone="Europe/London", organisation="Newcastle Hospitals",
                 role="chair") -> dict:
    """The set-up modal's state as a user would fill it in."""
    return {
        BlockId.BOARD_NAME: {ActionId.BOARD_NAME: payloads.plain_value(name)},
        BlockId.BOARD_KIND: {ActionId.BOARD_KIND: payloads.selected(kind)},
        BlockId.COLLABORATION_TYPE: {ActionId.COLLABORATION_TYPE: payloads.selected(collaboration)},
        BlockId.DEFAULT_RULE: {ActionId.DEFAULT_RULE: payloads.selected(rule)},
        BlockId.TIMEZONE: {ActionId.TIMEZONE: payloads.plain_value(timezone)},
        BlockId.ORGANISATION: {ActionId.ORGANISATION: payloads.plain_value(organisation)},
        BlockId.ROLE: {ActionId.ROLE: payloads.selected(role)},
    }


def submit_setup(server: BotServer, *, team: str, channel: str, user: str = CHAIR, **values) -> Reply:
    """Submit the set-up modal for `channel`."""
    state = {str(b): {str(a): v for a, v in actions.items()} for b, actions in setup_values(**values).items()}
    body, ctype = payloads.view_submission(CallbackId.SETUP_BOARD, state, user_id=user, team_id=team,
                                           private_metadata=channel)
    return server.post(body, ctype)


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
