"""Replies about the scheme of delegation: someone's limits, a limit set, a chain saved, a deputy named."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.delegation import and_list
from bot.domain.proposals import Category
from bot.domain.scheme import Limit, Scheme
from bot.domain.text import escape
from prompts.blocks.common import context, header, message, sections
from prompts.ids import INPUT
from prompts.ids.delegation import DelegationBlock, DelegationCallback

MAX_LINES_BLOCKS = 40


def _period(limit: Limit) -> str:
    a = limit.authority
    until = f" until {a.valid_until:%d %b %Y}" if a.valid_until else ""
    return f"from {a.valid_from:%d %b %Y}{until}"


def _line(limit: Limit, *, today) -> str:
    a = limit.authority
    money = limit.category.is_money
    later = "" if a.in_force(today) else " _(not yet in force)_"
    return (f"• *{escape(limit.category.label)}* for {escape(limit.organisation)}: {a.describe(money=money)}, "
            f"{_period(limit)}, granted by <@{a.granted_by}> (version {a.version}){later}")


def scheme_view(scheme: Scheme, *, own: bool) -> dict:
    """Someone's delegated authority, one line per organisation and category."""
    whose = "Your" if own else f"<@{scheme.user_id}>'s"
    if not scheme.checked:
        text = ("No limits or escalation chains are recorded in this workspace yet, so nothing is checked: "
                "proposals need no sign-off. Recording a limit or a chain switches checking on.")
        return message([context(text)], text)
    checked = and_list([escape(label) for label in scheme.checked])
    if not scheme.limits:
        text = (f"{whose} scheme of delegation has no limits recorded, so anything you agree to in {checked} "
                "decisions goes to your organisation for endorsement." if own else
                f"{whose} scheme of delegation has no limits recorded.")
        return message([context(text)], text)
    lines = [_line(limit, today=scheme.today) for limit in scheme.limits]
    blocks = [header("Delegated authority"), *sections([f"{whose} limits:", *lines], max_blocks=MAX_LINES_BLOCKS),
              context("Above these limits, a decision goes back through the organisation's escalation chain. "
                      f"Sign-off is checked for {checked} decisions; other categories need none.")]
    return message(blocks, f"{whose} delegated authority")


def limit_set(user_id: str, limit: Limit) -> dict:
    """Confirmation that a member's limit was recorded."""
    money = limit.category.is_money
    text = (f"<@{user_id}>'s authority for *{escape(limit.category.label)}* decisions on behalf of "
            f"{escape(limit.organisation)} is now {limit.authority.describe(money=money)}, {_period(limit)} "
            f"(version {limit.authority.version}).")
    return message(sections([text], max_blocks=1), text)


def authority_modal(categories: list[Category], *, today: date, metadata: str) -> dict:
    """Set a member's limit in one category, from a date and optionally until one."""
    options = [Option(value=c.key, label=c.label) for c in categories]
    blocks = [
        SectionBlock(text="A member's limit applies to what they agree for their own organisation. Above it, "
                          "the decision goes up their organisation's escalation chain. Every version is kept."),
        InputBlock(block_id=DelegationBlock.MEMBER.value, label="Member",
                   element=UserSelectElement(action_id=INPUT)),
        InputBlock(block_id=DelegationBlock.CATEGORY.value, label="Category",
                   element=StaticSelectElement(action_id=INPUT, options=options)),
        InputBlock(block_id=DelegationBlock.LIMIT.value, label="Limit",
                   element=PlainTextInputElement(action_id=INPUT, max_length=40,
                                                 placeholder="250k, unlimited or none; yes or no"),
                   hint="For finance, an amount in pounds, unlimited or none. For other categories, yes or no."),
        InputBlock(block_id=DelegationBlock.VALID_FROM.value, label="In force from",
                   element=DatePickerElement(action_id=INPUT, initial_date=today.isoformat())),
        InputBlock(block_id=DelegationBlock.VALID_UNTIL.value, label="Until", optional=True,
                   element=DatePickerElement(action_id=INPUT)),
    ]
    return View(type="modal", callback_id=DelegationCallback.AUTHORITY.value,
                title=PlainTextObject(text="Delegated authority"), submit=PlainTextObject(text="Save"),
                close=PlainTextObject(text="Cancel"), private_metadata=metadata, blocks=blocks).to_dict()
