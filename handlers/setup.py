"""The board set-up modal's submission."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role, parse_choice
from bot.services.boards import setup_board
from handlers import parse
from handlers.deps import deps_of
from handlers.forms import field, own_form
from prompts.ids.boards import SetupBlock, SetupCallback


def read_form(view: dict) -> dict:
    """The set-up modal's state as keyword arguments for setup_board."""
    def choice(enum, block: SetupBlock, name: str, label: str):
        return parse_choice(enum, field(view, block), field_name=name, label=label)

    return {
        "name": field(view, SetupBlock.BOARD_NAME),
        "kind": choice(BoardKind, SetupBlock.BOARD_KIND, "kind", "kind of group"),
        "collaboration_type": choice(CollaborationType, SetupBlock.COLLABORATION_TYPE, "collaboration_type",
                                     "collaboration type"),
        "default_rule": choice(DecisionRule, SetupBlock.DEFAULT_RULE, "default_rule", "decision rule"),
        "timezone": field(view, SetupBlock.TIMEZONE),
        "organisation": field(view, SetupBlock.ORGANISATION),
        "role": choice(Role, SetupBlock.ROLE, "role", "role"),
    }


def submit_setup(ack, body: dict, context) -> None:
    """Create the board in the channel the form was opened in; it is announced there after the answer."""
    deps = deps_of(context)
    # The channel is the one /collab setup was typed in, sealed into the form; never a field of the form.
    at, view, sealed = own_form(deps.sealer, body)
    channel_id = parse.slack_id(sealed.get("channel"), first="CG")
    setup_board(deps.db, team_id=at.team_id, channel_id=channel_id, actor=at.user_id, now=deps.clock.now(),
                **read_form(view))
    ack()


def register(app: App) -> None:
    """Listen for the set-up modal's submission."""
    app.view(SetupCallback.SETUP_BOARD.value)(submit_setup)
