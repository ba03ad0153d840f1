"""A poll as people see it: the read model every poll message and export is drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.boards import Board
from bot.domain.decisions import Outcome, PositionChange, Result, Tally
from bot.domain.proposals import Proposal


@dataclass(frozen=True)
class PollSnapshot:
    """Everything a poll message or outcome shows, read in one transaction."""

    board: Board
    proposal: Proposal
    tally: Tally
    result: Result | None
    number: str | None
    outcome: Outcome | None
    channel_id: str
    message_ts: str | None
    closed_by: str | None
    closed_at: datetime | None
    category_label: str
    history: tuple[PositionChange, ...] = ()  # loaded for the register and /collab history only
