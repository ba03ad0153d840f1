"""The escalation-chain form, what a saved chain looks like, and the delegated-decisions queue."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ButtonElement,
    ConversationSelectElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.boards import Board, DecisionRule, Organisation
from bot.domain.delegated import ChainChange, Delegated, Queued
from bot.domain.delegation import CategoryRule, Chain, Deputy, Level
from bot.domain.money import format_amount
from bot.domain.proposals import Category
from bot.domain.text import escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import RULE_NAMES, when
from prompts.ids import INPUT
from prompts.ids.delegation import DelegationAction, DelegationBlock, DelegationCallback

SLOTS = 6
FIELDS = ("title", "approvers", "channel", "limit", "days")


def slot_block(position: int, name: str) -> str:
    """The block id of one field of one level in the chain form."""
    return f"{DelegationBlock.LEVEL.value}_{position}_{name}"


def _slot(position: int, level: Level | None) -> list:
    limit = "" if level is None else ("unlimited" if level.limit_pence is None else format_amount(level.limit_pence))
    return [
        SectionBlock(text=f"*Level {position}*" + (" (leave blank for no level)" if level is None else "")),
        InputBlock(block_id=slot_block(position, "title"), label="Title", optional=True,
                   element=PlainTextInputElement(action_id=INPUT, max_length=80,
                                                 initial_value=level.title if level else None,
                                                 placeholder="e.g. Chief Finance Officer")),
        InputBlock(block_id=slot_block(position, "approvers"), label="Approvers", optional=True,
                   element=UserMultiSelectElement(action_id=INPUT, max_selected_items=5,
                                                  initial_users=list(level.approvers) if level and level.approvers
                                                  else None)),
        InputBlock(block_id=slot_block(position, "channel"), label="Or a channel that answers", optional=True,
                   element=ConversationSelectElement(action_id=INPUT, initial_conversation=level.channel_id
                                                     if level and level.channel_id else None)),
        InputBlock(block_id=slot_block(position, "limit"), label="Limit", optional=True,
                   element=PlainTextInputElement(action_id=INPUT, initial_value=limit or None,
                                                 placeholder="100k, £1.5m or unlimited")),
        InputBlock(block_id=slot_block(position, "days"), label="Working days to answer", optional=True,
                   element=PlainTextInputElement(action_id=INPUT, initial_value=str(level.response_days)
                                                 if level else None, placeholder="5")),
    ]


def chain_modal(org: Organisation, chain: Chain | None, *, metadata: str) -> dict:
    """Edit an organisation's escalation chain: up to six levels, lowest authority first."""
    levels = list(chain.levels) if chain else []
    blocks = [SectionBlock(text=f"*{escape(org.name)}*: who signs off above a member's own authority, lowest level "
                                "first. A request goes to the first level whose limit covers the amount, and moves "
                                "up a level if nobody answers in time.")]
    for position in range(1, SLOTS + 1):
        blocks += _slot(position, levels[position - 1] if position <= len(levels) else None)
    return View(type="modal", callback_id=DelegationCallback.CHAIN.value,
                title=PlainTextObject(text="Escalation chain"), submit=PlainTextObject(text="Save"),
                close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()


def _level_line(level: Level) -> str:
    who = ", ".join(f"<@{u}>" for u in level.approvers) or f"<#{level.channel_id}>"
    return (f"{level.position}. *{escape(level.title)}* ({who}): {level.describe_limit()}, "
            f"{level.response_days} working days to answer")


def chain_saved(change: ChainChange) -> dict:
    """The chain as saved, and whether requests already waiting stayed where they were."""
    lines = [f"*{escape(change.organisation.name)}*'s escalation chain is saved:", *map(_level_line, change.levels)]
    if change.pending:
        lines.append(f"{change.pending} request{'s' if change.pending != 1 else ''} already waiting keep the level "
                     "they are at; the chair has been told.")
    return message(sections(lines, max_blocks=5), f"{change.organisation.name}'s escalation chain is saved")


def deputy_added(org: Organisation, deputy: Deputy) -> dict:
    """Confirmation that a deputy will answer for an approver."""
    text = (f"<@{deputy.deputy}> answers requests for sign-off for <@{deputy.approver}> at {escape(org.name)} from "
            f"{deputy.from_date:%d %b %Y} until {deputy.until_date:%d %b %Y}. The record will say "
            f"“by <@{deputy.deputy}> for <@{deputy.approver}>”.")
    return message([section(text)], text)


def delegated_blocks(board: Board, queue: list[Queued], *, limit: int = 20) -> list[dict]:
    """One section per queued decision with its risks and a Reviewed button for the chair."""
    blocks = []
    for queued in queue[:limit]:
        item = queued.item
        risks = ("\n_Risks noted: " + "; ".join(queued.risks) + "._") if queued.risks else "\n_No risks noted._"
        blocks.append(SectionBlock(
            text=f"*{escape(item.number or '')}* {escape(item.title)} (agreed {when(item.queued_at, board.timezone)})"
                 + risks,
            accessory=ButtonElement(text="Reviewed", action_id=DelegationAction.REVIEWED.value,
                                    value=str(item.proposal_id))).to_dict())
    if len(queue) > limit:
        blocks.append(context(f"…and {len(queue) - limit} more: see `/collab review-delegated`."))
    return blocks


def delegated_list(board: Board, queue: list[Queued]) -> dict:
    """`/collab review-delegated`: decisions taken under delegation awaiting review, with a Reviewed button each."""
    if not queue:
        text = f"No decisions taken under delegation are waiting for *{escape(board.name)}*'s review."
        return message([section(text)], text)
    blocks = [header("Decisions taken under delegation"),
              context("Agreed within members' own authority, with no escalation. The board reviews them "
                      "afterwards; the chair marks each one reviewed."), *delegated_blocks(board, queue)]
    return message(blocks, f"{len(queue)} decisions taken under delegation await review")


def review_note_modal(item: Delegated, *, metadata: str) -> dict:
    """The chair's note on a reviewed decision."""
    blocks = [SectionBlock(text=f"Mark *{escape(item.number or '')}* {escape(item.title)} as reviewed by the board."),
              InputBlock(block_id=DelegationBlock.NOTE.value, label="Note", optional=True,
                         element=PlainTextInputElement(action_id=INPUT, multiline=True, max_length=1000,
                                                       placeholder="e.g. Reviewed at the March meeting; no concerns"))]
    return View(type="modal", callback_id=DelegationCallback.REVIEWED.value, title=PlainTextObject(text="Reviewed"),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()


def reviewed(item: Delegated) -> dict:
    """Confirmation of a reviewed decision."""
    note = f": {escape(item.note)}" if item.note else "."
    text = f"*{escape(item.number or '')}* {escape(item.title)} is marked reviewed by <@{item.reviewed_by}>{note}"
    return message([section(text)], text)




def _rule_words(rule: CategoryRule | None, default: DecisionRule) -> str:
    if rule is None:
        return f"{RULE_NAMES[default].lower()} (the board's default)"
    threshold = f" of {rule.threshold.numerator}/{rule.threshold.denominator}" if rule.threshold else ""
    return RULE_NAMES[rule.rule].lower() + threshold


def rules_list(board: Board, categories: list[Category], rules: dict[str, CategoryRule]) -> dict:
    """`/collab rules`: the rule each category's proposals take."""
    lines = [f"• *{escape(c.label)}*: {_rule_words(rules.get(c.key), board.default_rule)}" for c in categories]
    blocks = [header("Decision rules by category"), *sections(lines, max_blocks=10),
              context("A new proposal takes its category's rule; only the chair may choose another, and that "
                      "goes on the record. Change one with `/collab rule &lt;category&gt; &lt;rule&gt;`.")]
    return message(blocks, "Decision rules by category")


def rule_saved(board: Board, category: Category, rule: CategoryRule | None) -> dict:
    """Confirmation of a category's rule."""
    text = f"New *{escape(category.label)}* proposals take {_rule_words(rule, board.default_rule)}."
    return message([section(text)], text)
