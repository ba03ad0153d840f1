"""Replies to the checklist commands and forms."""

from __future__ import annotations

from datetime import date

from bot.domain.checklists import Template
from bot.domain.rounds import Round, Step
from bot.domain.text import escape
from prompts.blocks.common import message, section


def _reply(text: str) -> dict:
    return message([section(text)], text)


def started(step: Step) -> dict:
    """`/collab checklist`: where the walk-through carries on."""
    own = " (your own run: the board has no round of it open)" if step.round.personal else ""
    if not step.template.attributed:
        if step.submitted:
            return _reply(f"You have already answered *{escape(step.template.title)}* in this round. Answers are "
                          "final once sent: they are kept with no link to you.")
        return _reply(f"*{escape(step.template.title)}* is one short form: I've sent you a DM with its Answer button. "
                      "Your answers are never linked to you.")
    if step.question is None:
        return _reply(f"You have answered every question of *{escape(step.template.title)}*{own}. I've sent you a "
                      "DM where you can look at or change your answers.")
    return _reply(f"*{escape(step.template.title)}*{own} carries on in a DM from me, one question at a time.")


def round_opened(template: Template, r: Round, invited: int, closes_on: date | None = None) -> dict:
    """The chair opened a round; one given a closing day closes at the end of it in the board's time zone."""
    closes = f" It closes at 17:00 board time on {closes_on:%A} {closes_on.day} {closes_on:%B %Y}." if (
        closes_on and r.closes_at) else ""
    return _reply(f"A round of *{escape(template.title)}* is open, and {invited} member"
                  f"{'s have' if invited != 1 else ' has'} been invited by DM.{closes} Close it with "
                  f"`/collab checklist close {template.id}`; the report is posted here then.")


def round_closed(r: Round) -> dict:
    """The chair closed a round."""
    return _reply("The round is closed; its report will be posted in this channel in a moment.")


def report_requested(r: Round) -> dict:
    """`/collab report`."""
    state = "so far" if r.is_open else "as it closed"
    return _reply(f"The report of the latest round ({state}) will be posted in this channel in a moment.")


def saved(step: Step) -> dict:
    """A note, evidence link or area saved from a form; an unattributed checklist's answers sent."""
    if not step.template.attributed:
        return _reply("Thank you: your answers are counted, with no link to you. They are final now.")
    return _reply("Saved. The question in my DM shows it now.")


def nothing_chosen() -> dict:
    """The area form sent with no answer chosen."""
    return _reply("No answers were chosen, so nothing was saved.")
