"""The `/collab` subcommands of checklists: checklist, checklist open/close, report, actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.errors import UsageError
from bot.domain.scheme import parse_day
from prompts.usage import CHECKLIST_USAGE as USAGE

SUBCOMMANDS = ("checklist", "checklist open", "checklist close", "selector", "report", "actions")
ALIASES = {"checklists": "checklist", "assess": "checklist", "action": "actions"}


@dataclass(frozen=True)
class ChecklistStart:
    """Start or resume your own answers to a checklist, in a DM."""

    template_id: str | None = None


@dataclass(frozen=True)
class RoundOpen:
    """Open a round of a checklist for the whole board (chair or secretary)."""

    template_id: str | None = None
    closes_on: date | None = None


@dataclass(frozen=True)
class RoundClose:
    """Close the board's open round of a checklist and post its report."""

    template_id: str | None = None


@dataclass(frozen=True)
class Report:
    """Post the report of the board's latest round of a checklist."""

    template_id: str | None = None


@dataclass(frozen=True)
class Actions:
    """List the board's open actions."""


ChecklistCommand = ChecklistStart | RoundOpen | RoundClose | Report | Actions


def _template(words: list[str]) -> str | None:
    return words[0].lower() if words else None


def parse_checklists(words: list[str]) -> ChecklistCommand | None:
    """The checklist command in `words` (the text after `/collab`), or None if it is not one."""
    head = [w.lower() for w in words[:2]]
    if head[0] in ("checklist", "checklists", "assess", "selector"):
        rest = words[1:]
        if head[0] == "selector":
            return ChecklistStart("collaboration-type")
        if head[1:] == ["open"]:
            args = rest[1:]
            closes = None
            if len(args) >= 2 and args[-2].lower() in ("closes", "until", "by"):
                closes, args = parse_day(args[-1], field_name="closes"), args[:-2]
            if len(args) > 1:
                raise UsageError("Name one checklist, then when the round closes.", usage=USAGE["checklist open"])
            return RoundOpen(_template(args), closes)
        if head[1:] == ["close"]:
            return RoundClose(_template(rest[1:]))
        return ChecklistStart(_template(rest))
    if head[0] == "report":
        return Report(_template(words[1:]))
    if head[0] in ("actions", "action"):
        return Actions()
    return None
