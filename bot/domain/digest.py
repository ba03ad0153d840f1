"""The weekly digest as a read model: what a board sees of its week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.boards import Board
from bot.domain.decisions import Outcome


@dataclass(frozen=True)
class OpenPoll:
    """An open poll in the digest: who has not voted yet (a count only, for a secret ballot)."""

    title: str
    closes_at: datetime
    message_ts: str | None
    eligible: int
    waiting: tuple[str, ...]
    waiting_count: int
    secret: bool


@dataclass(frozen=True)
class Decided:
    """A decision of the past week."""

    number: str
    title: str
    outcome: Outcome
    message_ts: str | None


@dataclass(frozen=True)
class DueReview:
    """A review whose reminder falls in the coming week."""

    title: str
    due: datetime


@dataclass(frozen=True)
class OpenAction:
    """An open action from a checklist gap: overdue once its due date has passed."""

    title: str
    owner: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class Digest:
    """The week at a glance for one board."""

    board: Board
    week_of: date
    open: list[OpenPoll]
    closing: list[OpenPoll]
    decided: list[Decided]
    reviews: list[DueReview]
    actions: list[OpenAction] = field(default_factory=list)  # overdue first, then soonest due

    @property
    def overdue(self) -> int:
        """How many open actions are overdue."""
        return sum(a.overdue for a in self.actions)
