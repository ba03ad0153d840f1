"""What the services ask the database for about decisions: proposals with their votes, reviews, reminders sent."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from bot.domain.decisions import PositionChange, Vote
from bot.domain.proposals import Interest, Proposal
from bot.domain.reviews import Review


class ProposalRepository(ABC):
    """Proposals with their votes, vote history and declared interests."""

    @abstractmethod
    def get(self, proposal_id: int, *, lock: bool = False, with_votes: bool = True) -> Proposal | None:
        """The proposal; with `lock`, writers on the same poll queue behind this transaction."""

    @abstractmethod
    def add(self, p: Proposal) -> int:
        """Save a new proposal; its id."""

    @abstractmethod
    def save(self, p: Proposal) -> None:
        """Write back what can change after a proposal opens: deadline, status, outcome, number, message."""

    @abstractmethod
    def lock(self, proposal_ids: list[int]) -> None:
        """Lock these proposals' rows, in id order, before anything later in the lock order (storage/outbox.py)."""

    @abstractmethod
    def set_message(self, proposal_id: int, ts: str) -> None:
        """Record where the poll message is, once it has been posted."""

    @abstractmethod
    def by_request(self, request_key: str) -> int | None:
        """The proposal a modal submission already created, if any."""

    @abstractmethod
    def first_voter_of(self, proposal_id: int, organisation: str) -> str | None:
        """Who first recorded a position for the organisation."""

    @abstractmethod
    def vote_count(self, proposal_id: int) -> int:
        """How many members have a position recorded."""

    @abstractmethod
    def votes(self, proposal_id: int) -> list[Vote]:
        """Everyone's current position, in the order they first voted."""

    @abstractmethod
    def put_vote(self, proposal_id: int, vote: Vote, *, at: datetime) -> bool:
        """Set the voter's position, keeping its history; False when it is already exactly that."""

    @abstractmethod
    def history(self, proposal_id: int) -> list[PositionChange]:
        """Every position recorded on the proposal, oldest first."""

    @abstractmethod
    def interests(self, proposal_id: int) -> list[Interest]:
        """Declared interests and the chair's decisions, in the order declared."""

    @abstractmethod
    def put_interest(self, proposal_id: int, interest: Interest, *, by: str, at: datetime) -> None:
        """Record a declared interest, or the chair's decision on it."""

    @abstractmethod
    def next_number(self, board_id: int, year: int) -> int:
        """The next register sequence for the board and year; the board row lock keeps it unique."""

    @abstractmethod
    def decided(self, board_id: int, limit: int | None = None) -> list[Proposal]:
        """The board's register: closed proposals with a number, newest first (advisory checks have none)."""

    @abstractmethod
    def open_of(self, board_id: int) -> list[Proposal]:
        """The board's open polls, closing soonest first, with their votes."""

    @abstractmethod
    def decided_since(self, board_id: int, since: datetime) -> list[Proposal]:
        """The board's decisions taken since `since`, oldest first."""

    @abstractmethod
    def by_number(self, board_id: int, number: str) -> Proposal | None:
        """A decision by its register number."""


class ReviewRepository(ABC):
    """Governance reviews of a board."""

    @abstractmethod
    def add(self, review: Review, *, at: datetime) -> int:
        """Save a new review; its id."""

    @abstractmethod
    def get(self, review_id: int, *, lock: bool = False) -> Review | None:
        """A review; with `lock`, changes to it queue behind this transaction."""

    @abstractmethod
    def save(self, review: Review) -> None:
        """Write back its next due moment and when it was last done."""

    @abstractmethod
    def remove(self, review_id: int) -> None:
        """Delete a review: a reminder still queued for it finds nothing and sends nothing."""

    @abstractmethod
    def of_board(self, board_id: int) -> list[Review]:
        """A board's reviews, soonest due first (finished ones last)."""


class ReminderRepository(ABC):
    """The record of who was reminded to vote on which poll."""

    @abstractmethod
    def note(self, proposal_id: int, user_id: str, *, at: datetime) -> bool:
        """Record that a member was reminded; False if they already had been (once per poll)."""

    @abstractmethod
    def of(self, proposal_id: int) -> dict[str, datetime]:
        """Who was reminded about a poll, and when."""
