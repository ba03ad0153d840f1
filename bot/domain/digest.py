"""The weekly digest as a read model: what a board sees of its week."""

from __future__ import annotations

from dataclasses import dataclass
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
class Digest:
    """The week at a glance for one board."""

    board: Board
    week_of: date
    open: list[OpenPoll]
    closing: list[OpenPoll]
    decided: list[Decided]
    reviews: list[DueReview]
