"""The settings modal, the DM reminding a member to vote, and the chair's view of who was reminded."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.domain.boards import Board
from bot.domain.proposals import Proposal
from bot.domain.reviews import LEAD_CHOICES
from bot.domain.snapshot import PollSnapshot
from bot.domain.text import escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import vote_buttons, when
from prompts.ids import INPUT
from prompts.ids.schedules import ScheduleBlock, ScheduleCallback

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OFF = "off"
SKIP = "skip"


def _lead(hours: int) -> str:
    return "No reminders" if hours == 0 else f"{hours} hours before it closes"


def settings_modal(board: Board, *, metadata: str) -> dict:
    """The board's time zone, weekly digest, reminder lead and working days, as they are now."""
    s = board.settings
    days = [Option(value=OFF, label="No digest")] + [Option(value=str(i), label=d) for i, d in enumerate(DAYS)]
    leads = [Option(value=str(h), label=_lead(h)) for h in LEAD_CHOICES]
    skip = Option(value=SKIP, label="Skip weekends and bank holidays (England and Wales)")
    blocks = [
        InputBlock(block_id=ScheduleBlock.TIMEZONE.value, label="Time zone", element=PlainTextInputElement(
            action_id=INPUT, initial_value=board.timezone, max_length=64), hint="For example Europe/London."),
        InputBlock(block_id=ScheduleBlock.DIGEST_DAY.value, label="Weekly digest", element=StaticSelectElement(
            action_id=INPUT, options=days,
            initial_option=days[0 if s.digest_weekday is None else s.digest_weekday + 1])),
        InputBlock(block_id=ScheduleBlock.DIGEST_AT.value, label="Digest time", element=TimePickerElement(
            action_id=INPUT, initial_time=s.digest_at.strftime("%H:%M"))),
        InputBlock(block_id=ScheduleBlock.REMINDER_HOURS.value, label="Remind members who haven't voted",
                   element=StaticSelectElement(action_id=INPUT, options=leads,
                                               initial_option=leads[LEAD_CHOICES.index(s.reminder_hours)])),
        InputBlock(block_id=ScheduleBlock.WORKING_DAYS.value, label="Working days", optional=True,
                   element=CheckboxesElement(action_id=INPUT, options=[skip],
                                             initial_options=[skip] if s.skip_holidays else None),
                   hint="A digest or review that falls on a day off moves to the next working day."),
    ]
    return View(type="modal", callback_id=ScheduleCallback.SETTINGS.value, title=PlainTextObject(text="Board settings"),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()


def settings_saved(board: Board) -> dict:
    """The answer once the settings are saved."""
    s = board.settings
    digest = "no weekly digest" if s.digest_weekday is None else (
        f"a digest every {DAYS[s.digest_weekday]} at {s.digest_at:%H:%M}")
    text = (f":white_check_mark: *{escape(board.name)}*: {board.timezone}, {digest}, "
            f"{_lead(s.reminder_hours).lower()}, "
            f"{'weekends and bank holidays skipped' if s.skip_holidays else 'every day a working day'}.")
    return message([section(text)], text)


def vote_reminder(snap: PollSnapshot) -> dict:
    """The DM to a member who hasn't voted, shortly before the poll closes, with the vote buttons."""
    p = snap.proposal
    text = (f":hourglass: *{escape(p.title)}* in <#{snap.channel_id}> closes {when(p.closes_at, snap.board.timezone)}, "
            "and you haven't given your position yet.")
    return message([section(text), *vote_buttons(p.id)], f"A reminder to vote on {escape(p.title)}")


def reminded_view(board: Board, polls: list[tuple[Proposal, dict[str, datetime]]]) -> dict:
    """For the chair: who was reminded to vote on each open poll, and when."""
    if not polls:
        text = "No polls are open on this board."
        return message([section(text)], text)
    lines = []
    for proposal, who in polls:
        names = ", ".join(f"<@{u}> {when(at, board.timezone)}" for u, at in sorted(who.items(), key=lambda i: i[1]))
        lines.append(f"*{escape(proposal.title)}*: " + (names or "nobody reminded yet"))
    return message([header(f"{board.name}: reminders"), *sections(lines, max_blocks=45),
                    context(f"Reminders go {board.settings.reminder_hours} hours before a poll closes, "
                            "to members who haven't voted.")], "Who was reminded")
