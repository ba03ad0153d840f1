"""Modals for proposals: propose, give a reason, declare an interest, extend, proxy vote."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DateTimePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.boards import Board, DecisionRule
from bot.domain.decisions import Position
from bot.domain.delegation import FORMAL_MARKS
from bot.domain.proposals import DESCRIPTION_LIMIT, REASON_LIMIT, TITLE_LIMIT, Category
from bot.domain.text import cut, escape
from prompts.blocks.polls import POSITION_LABELS, RULE_NAMES
from prompts.ids import INPUT
from prompts.ids.polls import PollBlock, PollCallback

VALUE = INPUT
CATEGORY_RULE = "category"  # the rule the board set for the chosen category
OPTION_LABELS = {
    "secret": "Secret ballot (majority or supermajority only): tallies shown, names never",
    "hide_results": "Hide results until the poll closes",
    "per_organisation": "One vote per organisation",
}


def _text(block: PollBlock, label: str, *, initial: str = "", multiline=False, max_length=150, optional=False,
          hint: str | None = None, placeholder: str | None = None) -> InputBlock:
    element = PlainTextInputElement(action_id=VALUE, initial_value=initial or None, multiline=multiline,
                                    max_length=max_length, placeholder=placeholder)
    return InputBlock(block_id=block.value, label=label, element=element, optional=optional, hint=hint)


def _select(block: PollBlock, label: str, choices: dict[str, str], initial: str | None,
            placeholder: str | None = None) -> InputBlock:
    options = [Option(value=k, label=cut(v, 75)) for k, v in choices.items()]
    chosen = next((o for o in options if o.value == initial), None)
    return InputBlock(block_id=block.value, label=label, element=StaticSelectElement(
        action_id=VALUE, options=options, initial_option=chosen, placeholder=placeholder))


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def _view(callback: PollCallback, title: str, submit: str, blocks: list, metadata: str) -> dict:
    return View(type="modal", callback_id=callback.value, title=PlainTextObject(text=title),
                submit=PlainTextObject(text=submit), close=PlainTextObject(text="Cancel"),
                private_metadata=metadata, blocks=blocks).to_dict()


def propose_modal(*, board: Board, categories: list[Category], channel_id: str, title: str,
                  closes_at: datetime, metadata: str, category_rules: bool = False) -> dict:
    """The proposal form, with the board's defaults filled in; the proposer must choose the category."""
    rules = {r.value: RULE_NAMES[r] for r in DecisionRule}
    if category_rules:
        rules = {CATEGORY_RULE: "The board's rule for this category", **rules}
    blocks = [
        SectionBlock(text=f"This poll goes to *{escape(board.name)}* in <#{channel_id}>."),
        _text(PollBlock.TITLE, "Title", initial=cut(title, TITLE_LIMIT), max_length=TITLE_LIMIT),
        _text(PollBlock.DESCRIPTION, "What is proposed, and why", multiline=True, max_length=DESCRIPTION_LIMIT,
              optional=True),
        _select(PollBlock.CATEGORY, "Category", {c.key: c.label for c in categories}, None,
                placeholder="Choose what kind of decision this is"),
        _text(PollBlock.AMOUNT, "Amount committed (GBP)", optional=True, max_length=30,
              placeholder="e.g. £250,000, 250k or £1.2m", hint="For finance decisions; leave blank otherwise."),
        InputBlock(block_id=PollBlock.CLOSES_AT.value, label="Poll closes",
                   element=DateTimePickerElement(action_id=VALUE, initial_date_time=_epoch(closes_at))),
        _select(PollBlock.RULE, "Decision rule", rules, CATEGORY_RULE if category_rules else board.default_rule.value),
        _text(PollBlock.THRESHOLD, "Supermajority threshold", initial="2/3", max_length=10, optional=True,
              hint="Only for supermajority: share of votes for or against that must agree, e.g. 2/3 or 75%."),
        _text(PollBlock.QUORUM, "Quorum", initial="1/2", max_length=30,
              hint='A number (3), a share of eligible members (1/2, 60%), or "every organisation".'),
        InputBlock(block_id=PollBlock.OPTIONS.value, label="Options", optional=True, element=CheckboxesElement(
            action_id=VALUE, options=[Option(value=k, label=v) for k, v in OPTION_LABELS.items()])),
        _text(PollBlock.ORG_AMOUNTS, "Amount for each organisation, if they differ", multiline=True, optional=True,
              max_length=1000, placeholder="Gateshead Council = 250k",
              hint="One per line. Organisations not named commit the amount above."),
        InputBlock(block_id=PollBlock.MARKS.value, label="This proposal involves", optional=True,
                   element=CheckboxesElement(action_id=VALUE, options=[
                       Option(value=k, label=v[:1].upper() + v[1:]) for k, v in FORMAL_MARKS.items()])),
    ]
    return _view(PollCallback.PROPOSE, "Put a proposal", "Open the poll", blocks, metadata)


def reason_modal(*, position: Position, title: str, metadata: str) -> dict:
    """Ask why, for an objection or a reservation."""
    label = "Why do you object?" if position is Position.OBJECT else "What are your reservations?"
    blocks = [SectionBlock(text=f"*{escape(cut(title, 200))}*"),
              _text(PollBlock.REASON, label, multiline=True, max_length=REASON_LIMIT)]
    return _view(PollCallback.VOTE_REASON, cut(POSITION_LABELS[position], 24), "Record", blocks, metadata)


def interest_modal(*, title: str, metadata: str) -> dict:
    """Declare a conflict of interest before voting."""
    blocks = [SectionBlock(text=f"*{escape(cut(title, 200))}*\nThe chair decides whether you step out of this "
                                "vote. Your declaration appears on the decision record."),
              _text(PollBlock.REASON, "The nature of your interest", multiline=True, max_length=REASON_LIMIT)]
    return _view(PollCallback.DECLARE_INTEREST, "Declare an interest", "Declare", blocks, metadata)


def extend_modal(*, closes_at: datetime, metadata: str) -> dict:
    """Choose a later deadline."""
    blocks = [InputBlock(block_id=PollBlock.CLOSES_AT.value, label="New closing time",
                         element=DateTimePickerElement(action_id=VALUE, initial_date_time=_epoch(closes_at)))]
    return _view(PollCallback.EXTEND, "Extend the poll", "Extend", blocks, metadata)


def proxy_modal(*, metadata: str) -> dict:
    """The chair records a position for an absent member."""
    blocks = [
        InputBlock(block_id=PollBlock.PROXY_MEMBER.value, label="On behalf of",
                   element=UserSelectElement(action_id=VALUE)),
        _select(PollBlock.PROXY_POSITION, "Position", {p.value: label for p, label in POSITION_LABELS.items()},
                Position.AGREE.value),
        _text(PollBlock.PROXY_REASON, "Why you are recording it for them", multiline=True, max_length=REASON_LIMIT),
    ]
    return _view(PollCallback.PROXY, "Record a proxy vote", "Record", blocks, metadata)
