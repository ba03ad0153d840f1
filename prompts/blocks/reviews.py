"""Review reminders with Done and "Remind me in a week", the list of a board's reviews, and the modal that adds one."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.reviews import CHANNEL, RECURRENCE_CHOICES, REVIEW_LABELS, TITLE_LIMIT, Review, ReviewKind
from bot.domain.schedule import Recurrence
from bot.domain.text import escape
from prompts.blocks.common import code, context, header, in_sentence, message, section, sections
from prompts.blocks.polls import when
from prompts.ids import INPUT
from prompts.ids.schedules import ScheduleAction, ScheduleBlock, ScheduleCallback


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize would turn "Monday" into "monday"


def _who(review: Review) -> str:
    return "the board's channel" if review.tell == CHANNEL else f"<@{review.tell}>"


def review_reminder(review: Review, *, board_name: str, timezone: str) -> dict:
    """The reminder posted when a review falls due, with Done and "Remind me in a week"."""
    lines = [f":calendar: *{escape(review.title)}* is due for *{escape(board_name)}*."]
    if review.ends_on is not None:
        lines.append(f"The notice period ends on {review.ends_on:%A %d %B %Y}.")
    if review.last_done_at:
        lines.append(f"Last done {when(review.last_done_at, timezone)} by <@{review.last_done_by}>.")
    value = str(review.id)
    buttons = ActionsBlock(block_id=ScheduleBlock.REVIEW_BUTTONS.value, elements=[
        ButtonElement(text="Done", action_id=ScheduleAction.REVIEW_DONE.value, value=value, style="primary"),
        ButtonElement(text="Remind me in a week", action_id=ScheduleAction.REVIEW_SNOOZE.value, value=value),
    ]).to_dict()
    return message([section("\n".join(lines)), buttons], f"{escape(review.title)} is due")


def review_added(review: Review, timezone: str) -> dict:
    """The answer once a review is added: when its first reminder goes, and how often after."""
    text = (f":white_check_mark: *{escape(review.title)}* added: the first reminder goes out "
            f"{when(review.next_due, timezone)}, then {Recurrence.decode(review.recurrence).describe()}.")
    return message([section(text)], text)


def review_removed(review: Review) -> dict:
    """The answer once a review is stopped."""
    text = f":white_check_mark: *{escape(review.title)}* is stopped: no more reminders."
    return message([section(text)], text)


def review_done(review: Review) -> dict:
    """The reminder once someone has marked the review done."""
    text = f":white_check_mark: *{escape(review.title)}*: done, recorded by <@{review.last_done_by}>."
    return message([section(text)], text)


def review_snoozed(review: Review, until: datetime, timezone: str) -> dict:
    """The answer to "Remind me in a week"."""
    text = f":zzz: I'll remind you about *{escape(review.title)}* again {when(until, timezone)}."
    return message([section(text)], text)


def review_list(board_name: str, timezone: str, reviews: list[Review]) -> dict:
    """A board's reviews: what, how often, when next, and who is told."""
    if not reviews:
        text = "No reviews yet. Add one with `/collab reviews add` (the chair or secretary)."
        return message([section(text)], text)
    lines = []
    for r in reviews:
        nxt = f"next {when(r.next_due, timezone)}" if r.next_due else "finished"
        lines.append(f"• #{r.id} *{escape(r.title)}* ({in_sentence(REVIEW_LABELS[r.kind])}): "
                     f"{Recurrence.decode(r.recurrence).describe()}, {nxt}, to {_who(r)}")
    return message([header(f"{board_name}: reviews"), *sections(lines, max_blocks=45),
                    context("Reminders go out at 09:00 board time on working days. Stop one with "
                            f"{code('/collab reviews remove <number>')}.")], f"{len(reviews)} reviews")


def review_modal(*, metadata: str, today: date, checklists: dict[str, str] | None = None) -> dict:
    """Add a recurring review: what, when, how often, who is told."""
    kinds = [Option(value=k.value, label=REVIEW_LABELS[k]) for k in ReviewKind]
    often = [Option(value=key, label=_sentence(rule.describe())) for key, rule in RECURRENCE_CHOICES.items()]
    tell = [Option(value=CHANNEL, label="The board's channel"), Option(value="owner", label="The person below")]
    blocks = [
        SectionBlock(text="A reminder at 09:00 board time on a working day, with buttons "
                          "to mark it done or be reminded again in a week."),
        InputBlock(block_id=ScheduleBlock.REVIEW_KIND.value, label="What is reviewed", element=StaticSelectElement(
            action_id=INPUT, options=kinds, initial_option=kinds[0])),
        InputBlock(block_id=ScheduleBlock.REVIEW_TITLE.value, label="Title", optional=True,
                   element=PlainTextInputElement(action_id=INPUT, max_length=TITLE_LIMIT,
                                                 placeholder="e.g. Annual review of the MoU")),
        InputBlock(block_id=ScheduleBlock.STARTS_ON.value, label="First reminder on",
                   element=DatePickerElement(action_id=INPUT, initial_date=today.isoformat())),
        InputBlock(block_id=ScheduleBlock.RECURRENCE.value, label="How often", element=StaticSelectElement(
            action_id=INPUT, options=often, initial_option=often[list(RECURRENCE_CHOICES).index("yearly")])),
        InputBlock(block_id=ScheduleBlock.TELL.value, label="Who is told", element=RadioButtonsElement(
            action_id=INPUT, options=tell, initial_option=tell[0])),
        InputBlock(block_id=f"{ScheduleBlock.TELL.value}_owner", label="The person (if not the channel)",
                   optional=True, element=UserSelectElement(action_id=INPUT)),
        InputBlock(block_id=ScheduleBlock.ENDS_ON.value, label="Ends on (a notice period)", optional=True,
                   element=DatePickerElement(action_id=INPUT),
                   hint="A notice period gets a last reminder on the day it ends."),
    ]
    if checklists:
        choices = [Option(value=key, label=title[:75]) for key, title in checklists.items()]
        blocks.append(InputBlock(block_id=ScheduleBlock.TEMPLATE.value, label="Checklist (a re-assessment)",
                                 optional=True, element=StaticSelectElement(action_id=INPUT, options=choices),
                                 hint="A re-assessment opens a new round of this checklist for the board."))
    return View(type="modal", callback_id=ScheduleCallback.ADD_REVIEW.value, title=PlainTextObject(text="Add a review"),
                submit=PlainTextObject(text="Add"), close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()
