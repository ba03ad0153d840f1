"""Decisions taken under delegation: agreed with no escalation, and queued for the board's retrospective review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.boards import Board, Organisation
from bot.domain.decisions import Position
from bot.domain.delegation import Level, governance_flag
from bot.domain.errors import InvalidValue
from bot.domain.money import format_amount
from bot.domain.proposals import Proposal
from bot.domain.text import clean

NOTE_LIMIT = 1000


@dataclass(frozen=True)
class Delegated:
    """A decision taken under delegation and where it stands in the board's retrospective review."""

    proposal_id: int
    number: str | None
    title: str
    queued_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str = ""


def review_note(raw: str) -> str:
    """The chair's note on a reviewed decision, cleaned and within its limit."""
    note = clean(raw or "")
    if len(note) > NOTE_LIMIT:
        raise InvalidValue(f"The note can be at most {NOTE_LIMIT:,} characters.", field="note")
    return note


def delegation_risks(proposal: Proposal, board: Board) -> list[str]:
    """What a retrospective review should look at in a decision taken under delegation."""
    risks = []
    if proposal.amount_pence:
        risks.append(f"commits {format_amount(proposal.amount_pence)}")
    concerns = [v for v in proposal.votes if v.position in (Position.RESERVATIONS, Position.STAND_ASIDE)]
    if concerns:
        risks.append(f"{len(concerns)} reservation{'s' if len(concerns) != 1 else ''} or stand-aside"
                     f"{'s' if len(concerns) != 1 else ''}")
    if proposal.rule_overridden_by:
        risks.append("the chair chose another rule than the board's for this category")
    if governance_flag(board.collaboration_type, set(proposal.marks)):
        risks.append("marked as needing formal arrangements")
    return risks


@dataclass(frozen=True)
class Queued:
    """A decision taken under delegation, with what the board may want to look at again."""

    item: Delegated
    risks: tuple[str, ...]


@dataclass(frozen=True)
class ChainChange:
    """A saved chain, and how many requests already with the organisation keep the level they are at."""

    organisation: Organisation
    levels: tuple[Level, ...]
    pending: int
