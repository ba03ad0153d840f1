"""Sign-off requests: the approver's message with Endorse and Decline, the answer modal, what others are told."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.boards import Board
from bot.domain.delegation import MAX_COMMENT_LENGTH
from bot.domain.escalation import Escalation, EscalationState, Waiting
from bot.domain.money import format_amount
from bot.domain.proposals import Proposal
from bot.domain.text import cut, escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import record_line, when
from prompts.ids import INPUT
from prompts.ids.delegation import DelegationAction, DelegationBlock, DelegationCallback


def _amount(e: Escalation) -> str:
    return f" for *{format_amount(e.amount_pence)}*" if e.amount_pence else ""


def _summary(e: Escalation, proposal: Proposal) -> str:
    description = f"\n>{escape(cut(proposal.description, 600))}" if proposal.description else ""
    return (f"*{escape(proposal.title)}* (in <#{proposal.channel_id}>){_amount(e)}, "
            f"brought by <@{e.brought_by}>.{description}")


def ask_message(e: Escalation, proposal: Proposal, board: Board, *, reminder: bool) -> dict:
    """The approver's request: the proposal, its organisation's amount, who brought it, Endorse and Decline."""
    lead = ":bell: *Reminder:* still waiting on your answer. " if reminder else ""
    covering = [f"<@{d}> for <@{a}>" for d, a in e.acting_for]
    lines = [f"{lead}{escape(e.organisation)}'s sign-off is needed, as {escape(e.level_title)}, on a proposal to "
             f"*{escape(board.name)}*.", _summary(e, proposal)]
    if covering:
        lines.append("Deputising: " + ", ".join(covering) + ".")
    if e.channel_id:
        lines.append(f"Members of this channel who sit for {escape(e.organisation)} on a board may answer; others "
                     "can't. Whoever answers is named on the record.")
    if e.due_at:
        lines.append(f"Please answer by {when(e.due_at, board.timezone)}; after that it goes to the next level up.")
    value = str(e.id)
    buttons = ActionsBlock(block_id=DelegationBlock.BUTTONS.value, elements=[
        ButtonElement(text="Endorse", action_id=DelegationAction.ENDORSE.value, value=value, style="primary"),
        ButtonElement(text="Decline", action_id=DelegationAction.DECLINE.value, value=value, style="danger"),
    ])
    return message([header("Sign-off needed"), *sections(lines, max_blocks=4), buttons,
                    context("You can add a comment with either answer; a decline needs one.")],
                   f"Sign-off needed for {escape(e.organisation)}: {escape(proposal.title)}")


def answer_modal(e: Escalation, proposal: Proposal, *, endorse: bool, metadata: str) -> dict:
    """Endorse or decline, with a comment (required to decline)."""
    verb = "Endorse" if endorse else "Decline"
    blocks = [SectionBlock(text=f"{verb} *{escape(cut(proposal.title, 200))}* for {escape(e.organisation)}"
                                f"{_amount(e)}."),
              InputBlock(block_id=DelegationBlock.COMMENT.value, optional=endorse,
                         label="Comment" if endorse else "Why are you declining?",
                         element=PlainTextInputElement(action_id=INPUT, multiline=True,
                                                       max_length=MAX_COMMENT_LENGTH))]
    return View(type="modal", callback_id=DelegationCallback.ANSWER.value, title=PlainTextObject(text=verb),
                submit=PlainTextObject(text=verb), close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()


def answered(e: Escalation, proposal: Proposal, timezone: str) -> dict:
    """What the request shows once answered, and what the proposer is told; times in the board's zone."""
    mark = ":white_check_mark:" if e.state is EscalationState.ENDORSED else ":no_entry:"
    text = f"{mark} {escape(e.organisation)} on *{escape(proposal.title)}*: {record_line(e, timezone)}."
    return message([section(text)], f"{escape(e.organisation)}: {e.state.value}")


def moved_on(e: Escalation, proposal: Proposal) -> dict:
    """To the previous approver: the request went to the next level up."""
    text = (f"The request for {escape(e.organisation)}'s sign-off on *{escape(proposal.title)}* got no answer in "
            f"time, so it has gone to {escape(e.level_title)}. You no longer need to answer it.")
    return message([section(text)], "A sign-off request moved up a level")


def no_route(e: Escalation, proposal: Proposal) -> dict:
    """To the chair: an organisation's sign-off has nowhere to go."""
    text = (f":warning: *{escape(proposal.title)}* needs {escape(e.organisation)}'s sign-off{_amount(e)}, but "
            f"{escape(e.organisation)} {escape(e.problem)}. Nobody has been asked. Set its chain with "
            f"`/collab chain {escape(e.organisation)}` or a member's authority with `/collab authority set`; "
            "until then the decision can only be agreed subject to endorsement.")
    return message([section(text)], f"No route to sign-off for {escape(e.organisation)}")


def skipped(e: Escalation, proposal: Proposal) -> dict:
    """To the chair: a level was passed over because everyone who would answer there may not."""
    text = (f":fast_forward: Nobody below the {escape(e.level_title)} may answer {escape(e.organisation)}'s "
            f"sign-off on *{escape(proposal.title)}*: each one asked there brought the proposal or is recused. "
            f"The request went straight to the {escape(e.level_title)}.")
    return message([section(text)], f"A sign-off request for {escape(e.organisation)} skipped a level")


def topped_out(e: Escalation, proposal: Proposal) -> dict:
    """To the chair: the top level that can approve has not answered either."""
    text = (f":warning: Nobody has answered the request for {escape(e.organisation)}'s sign-off on "
            f"*{escape(proposal.title)}*, and {escape(e.level_title)} is the highest level that can approve it. "
            "It stays with them; you may want to follow it up.")
    return message([section(text)], "A sign-off request is overdue at the top of its chain")


def escalation_list(mine: list[Waiting], others: list[Waiting]) -> dict:
    """`/collab escalations`: requests to answer, and requests waiting on others, each in its board's time."""
    def line(w: Waiting) -> str:
        e = w.escalation
        due = f", answer by {when(e.due_at, w.timezone)}" if e.due_at else ""
        return (f"• *{escape(w.title)}* (<#{w.channel_id}>) for {escape(e.organisation)}{_amount(e)}: "
                f"{escape(e.level_title)}{due}")
    blocks = [header("Sign-off requests")]
    blocks += sections(["*For you to answer:*", *map(line, mine)] if mine else ["Nothing is waiting on you."],
                       max_blocks=20)
    blocks += sections(["*Waiting on others:*", *map(line, others)] if others else ["Nothing is waiting on others."],
                       max_blocks=20)
    return message(blocks, f"{len(mine)} to answer, {len(others)} waiting on others")


def kept(data: dict) -> dict:
    """To the chair: a chain or a limit changed while requests waited, and they stay where they are."""
    count, levels = data["count"], ", ".join(escape(level) for level in data["levels"])
    text = (f"{_what_changed(data)} changed while {count} request{'s' if count != 1 else ''} for sign-off "
            f"{'were' if count != 1 else 'was'} waiting. Each stays with the level it is at ({levels}); the change "
            "applies to new requests and to any that later move up.")
    return message([section(text)], text)


def _what_changed(data: dict) -> str:
    if data.get("changed") == "authority":
        return f"<@{data['user']}>'s authority for {escape(data['category'])} decisions"
    if data.get("changed") == "chain":
        return f"*{escape(data['organisation'])}*'s escalation chain"
    return data["what"]  # a notice queued by an earlier version says it in mrkdwn already
