"""The modal that links a channel to a new board."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from prompts.blocks.replies import KIND_LABELS, ROLE_LABELS
from prompts.ids import INPUT
from prompts.ids.boards import SetupBlock, SetupCallback

COLLABORATION_LABELS = {
    CollaborationType.INFORMAL: "Informal: no shared governance document",
    CollaborationType.STRATEGIC: "Strategic: an MoU or terms of reference",
    CollaborationType.FORMAL: "Formal: a committee or binding agreement",
}
RULE_LABELS = {
    DecisionRule.CONSENSUS: "Consensus: nobody objects",
    DecisionRule.UNANIMOUS: "Unanimous: everyone agrees",
    DecisionRule.SUPERMAJORITY: "Supermajority: two thirds of votes cast",
    DecisionRule.MAJORITY: "Majority: more than half of votes cast",
    DecisionRule.ADVISORY: "Advisory: a sense check, no decision",
}


def _select(labels: dict, initial) -> StaticSelectElement:
    options = [Option(value=key.value, label=label) for key, label in labels.items()]
    chosen = next(o for o in options if o.value == initial.value)
    return StaticSelectElement(action_id=INPUT, options=options, initial_option=chosen)


def setup_modal(*, channel_id: str, timezone: str, metadata: str) -> dict:
    """The board set-up form; `metadata` is the sealed channel, workspace and user it was opened for."""
    blocks = [
        SectionBlock(text=f"This links <#{channel_id}> to a new board. You become its first chair or secretary, "
                          "and can add the other members afterwards."),
        InputBlock(block_id=SetupBlock.BOARD_NAME.value, label="Board name", element=PlainTextInputElement(
            action_id=INPUT, max_length=80,
            placeholder="e.g. North East Finance Directors Network")),
        InputBlock(block_id=SetupBlock.BOARD_KIND.value, label="Kind of group",
                   element=_select(KIND_LABELS, BoardKind.PARTNERSHIP_BOARD)),
        InputBlock(block_id=SetupBlock.COLLABORATION_TYPE.value, label="How formal is it?",
                   element=_select(COLLABORATION_LABELS, CollaborationType.STRATEGIC)),
        InputBlock(block_id=SetupBlock.DEFAULT_RULE.value, label="Usual decision rule",
                   element=_select(RULE_LABELS, DecisionRule.CONSENSUS),
                   hint="Each proposal can still choose its own rule."),
        InputBlock(block_id=SetupBlock.TIMEZONE.value, label="Time zone", element=PlainTextInputElement(
            action_id=INPUT, initial_value=timezone, max_length=64),
            hint="Deadlines and reminders use this zone, e.g. Europe/London."),
        InputBlock(block_id=SetupBlock.ORGANISATION.value, label="Your organisation", element=PlainTextInputElement(
            action_id=INPUT, max_length=80, placeholder="e.g. Leeds Teaching Hospitals")),
        InputBlock(block_id=SetupBlock.ROLE.value, label="Your role on the board", element=_select(
            {r: ROLE_LABELS[r] for r in (Role.CHAIR, Role.SECRETARY)}, Role.CHAIR)),
    ]
    return View(
        type="modal", callback_id=SetupCallback.SETUP_BOARD.value, private_metadata=metadata,
        title=PlainTextObject(text="Set up a board"), submit=PlainTextObject(text="Create board"),
        close=PlainTextObject(text="Cancel"), blocks=blocks,
    ).to_dict()
