"""Actions from a report's gaps: the form that creates one, the owner's messages, and the board's list with Done."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ButtonElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.action_views import ActionForm, ActionList, ActionView
from bot.domain.boards import Board
from bot.domain.rounds import ACTION_TITLE_LIMIT, Action
from bot.domain.text import clean, cut, escape, plural
from prompts.blocks.common import SECTION_LIMIT, context, header, message, section
from prompts.ids import INPUT
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback

LISTED = 45  # a header, 45 actions, a note of the rest and a footer: within a message's 50 blocks
QUESTION_SHOWN = 500


def suggested_title(question: str | None) -> str:
    """A gap's question turned into something to do: "Act on: <question>" (empty when the question is unknown)."""
    text = clean(question or "").rstrip("?").strip()
    return cut(f"Act on: {text}", ACTION_TITLE_LIMIT) if text else ""


def due_text(action: Action, today: date) -> str:
    """When an action is due, and whether it is overdue."""
    day = f"{action.due_on:%a %d %b %Y}"
    if action.done_at is not None:
        return f"was due {day}"
    if action.overdue(today):
        return f":warning: *overdue*, was due {day}"
    return "due *today*" if action.due_on == today else f"due {day}"


def _done_button(action: Action) -> ButtonElement:
    return ButtonElement(text="Done", action_id=ChecklistAction.ACTION_DONE.value, value=str(action.id),
                         style="primary")


def _with_done(text: str, action: Action) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)),
                        accessory=_done_button(action)).to_dict()


def action_modal(form: ActionForm, *, metadata: str) -> dict:
    """Create an action from a gap: what will be done, who owns it (a member of the board), and when it is due."""
    gap = escape(cut(form.question or form.question_id, QUESTION_SHOWN))
    blocks = [
        section(f"Gap: _{gap}_"),
        InputBlock(block_id=ChecklistBlock.ACTION_TITLE.value, label="What will be done", element=PlainTextInputElement(
            action_id=INPUT, max_length=ACTION_TITLE_LIMIT, initial_value=suggested_title(form.question) or None,
            placeholder="e.g. Agree a data sharing protocol with each partner")),
        InputBlock(block_id=ChecklistBlock.ACTION_OWNER.value, label="Owner (a member of the board)",
                   element=UserSelectElement(action_id=INPUT)),
        InputBlock(block_id=ChecklistBlock.ACTION_DUE.value, label="Due on",
                   element=DatePickerElement(action_id=INPUT, initial_date=form.due_on.isoformat()),
                   hint="The owner is reminded at 09:00 on the working day before, and again once it is overdue."),
    ]
    return View(type="modal", callback_id=ChecklistCallback.ACTION.value,
                title=PlainTextObject(text="Create an action"), submit=PlainTextObject(text="Create"),
                close=PlainTextObject(text="Cancel"), private_metadata=metadata, blocks=blocks).to_dict()


def action_created(action: Action, board: Board) -> dict:
    """The form's answer once the action is saved."""
    text = (f":white_check_mark: Action created for *{escape(board.name)}*: *{escape(action.title)}*, owned by "
            f"<@{action.owner}>, due {action.due_on:%A %d %B %Y}. They'll be reminded the working day before it is "
            "due, and again if it becomes overdue.")
    return message([section(text)], f"Action created: {action.title}")


def action_assigned(view: ActionView) -> dict:
    """The DM telling someone they own a new action."""
    a = view.action
    text = (f":clipboard: <@{a.created_by}> gave you an action for *{escape(view.board.name)}*:\n*{escape(a.title)}*"
            f"\nDue {a.due_on:%A %d %B %Y}. Press Done once it is done.")
    return message([_with_done(text, a)], f"You own an action: {a.title}")


def action_reminder(view: ActionView, *, overdue: bool) -> dict:
    """The owner's reminder: on the working day before it is due, or once it is overdue."""
    a, board = view.action, escape(view.board.name)
    if overdue:
        text = (f":warning: *{escape(a.title)}* for *{board}* was due on {a.due_on:%A %d %B %Y} and is still open. "
                "Press Done if it is done, or tell the chair or secretary where it stands.")
        fallback = f"Overdue: {a.title}"
    else:
        text = f":alarm_clock: Reminder: *{escape(a.title)}* for *{board}* is due on {a.due_on:%A %d %B %Y}."
        fallback = f"Due {a.due_on:%d %b}: {a.title}"
    return message([_with_done(text, a)], fallback)


def action_done(action: Action) -> dict:
    """A reminder (or the DM) once the action is marked done."""
    text = f":white_check_mark: *{escape(action.title)}*: done, recorded by <@{action.done_by}>."
    return message([section(text)], f"Done: {action.title}")


def action_list(listing: ActionList, *, done: Action | None = None) -> dict:
    """A board's open actions, soonest due first, each with a Done button; overdue ones are marked."""
    blocks = [header(f"{listing.board.name}: open actions")]
    if done is not None:
        blocks.append(section(f":white_check_mark: *{escape(done.title)}* is done (recorded by <@{done.done_by}>)."))
    if not listing.actions:
        blocks.append(section("No open actions. The chair or secretary creates them from a checklist report's "
                              "gaps, with its Create action buttons."))
        return message(blocks, "No open actions")
    for a in listing.actions[:LISTED]:
        blocks.append(_with_done(f"*{escape(a.title)}*\n<@{a.owner}> · {due_text(a, listing.today)}", a))
    overdue = sum(a.overdue(listing.today) for a in listing.actions)
    if len(listing.actions) > LISTED:
        blocks.append(context(f"…and {len(listing.actions) - LISTED} more, due later."))
    blocks.append(context("The owner, or the chair or secretary, marks an action done."))
    return message(blocks, f"{plural(len(listing.actions), 'open action')}, {overdue} overdue")


def action_notice(what: str, data: dict, view: ActionView | None) -> dict | None:
    """The message of an "action." notice, drawn from the action as it is now; None when no longer due."""
    if view is None:
        return None
    if what == "action.assigned":
        return None if view.action.done_at else action_assigned(view)
    if what == "action.done":
        if data.get("list"):
            return action_list(ActionList(view.board, view.open, view.today), done=view.action)
        return action_done(view.action)
    raise ValueError(f"unknown notice {what!r}")
