"""The board set-up modal's submission."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.errors import DomainError
from bot.services.boards import setup_board
from handlers.errors import guarded
from handlers.home import refresh_home
from prompts.blocks.replies import board_created, modal_error
from prompts.ids import ActionId, BlockId, CallbackId
from storage.uow import Database

log = logging.getLogger(__name__)

FIELD_BLOCKS = {"name": BlockId.BOARD_NAME, "timezone": BlockId.TIMEZONE, "organisation": BlockId.ORGANISATION}


def _value(values: dict, block: BlockId, action: ActionId) -> str:
    element = values.get(block.value, {}).get(action.value, {})
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value", "")
    return element.get("value") or ""


def read_form(values: dict) -> dict:
    """The set-up modal's state as keyword arguments for setup_board."""
    return {
        "name": _value(values, BlockId.BOARD_NAME, ActionId.BOARD_NAME),
        "kind": BoardKind(_value(values, BlockId.BOARD_KIND, ActionId.BOARD_KIND)),
        "collaboration_type": CollaborationType(
            _value(values, BlockId.COLLABORATION_TYPE, ActionId.COLLABORATION_TYPE)),
        "default_rule": DecisionRule(_value(values, BlockId.DEFAULT_RULE, ActionId.DEFAULT_RULE)),
        "timezone": _value(values, BlockId.TIMEZONE, ActionId.TIMEZONE),
        "organisation": _value(values, BlockId.ORGANISATION, ActionId.ORGANISATION),
        "role": Role(_value(values, BlockId.ROLE, ActionId.ROLE)),
    }


def announce(client, *, channel_id: str, user_id: str, content: dict) -> None:
    """Post in the board's channel, joining it first if need be; tell the user if the bot cannot get in."""
    try:
        client.chat_postMessage(channel=channel_id, **content)
        return
    except SlackApiError as exc:
        if exc.response.get("error") != "not_in_channel":
            raise
    try:
        client.conversations_join(channel=channel_id)
        client.chat_postMessage(channel=channel_id, **content)
    except SlackApiError:
        note = {**content, "text": content["text"] + " (Invite me to the channel with /invite so I can post there.)"}
        client.chat_postEphemeral(channel=channel_id, user=user_id, **note)


def register(app: App, *, db: Database) -> None:
    """Listen for the set-up modal's submission."""

    @app.view(CallbackId.SETUP_BOARD.value)
    @guarded(db)
    def submit(ack, body: dict, view: dict, client):
        user_id, team_id = body["user"]["id"], body["user"].get("team_id") or body["team"]["id"]
        try:
            board = setup_board(db, team_id=team_id, channel_id=view["private_metadata"], actor=user_id,
                                **read_form(view["state"]["values"]))
        except DomainError as error:
            block = FIELD_BLOCKS.get(error.field or "", BlockId.BOARD_NAME)
            ack(response_action="errors", errors={block.value: modal_error(error.message)})
            return
        ack()
        announce(client, channel_id=board.channel_id, user_id=user_id, content=board_created(board))
        refresh_home(client, db=db, team_id=team_id, user_id=user_id)
