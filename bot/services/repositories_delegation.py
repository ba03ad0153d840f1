"""What the services ask the database for about the scheme of delegation: authority, chains, deputies,
escalations, the rule per category and the queue of decisions taken under delegation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date, datetime

from bot.domain.delegated import Delegated
from bot.domain.delegation import CategoryRule, Chain, Deputy, Level, SignOffScope
from bot.domain.escalation import Escalation, Waiting
from bot.domain.scheme import Authority


class AuthorityRepository(ABC):
    """Members' authority per category, every version kept."""

    @abstractmethod
    def current(self, organisation_id: int, user_id: str, category: str, *, on: date) -> Authority | None:
        """The member's authority in a category in force on `on`, or the next one to start after it."""

    @abstractmethod
    def put(self, authority: Authority, *, by: str, at: datetime) -> Authority:
        """Record a new version of a member's authority. Versions whose dates overlap it are kept, superseded, and
        what lay outside its period is recorded again, so a limit raised from a later date leaves today's alone.
        """

    @abstractmethod
    def put_many(self, authorities: list[Authority], *, at: datetime) -> list[Authority]:
        """`put` for many grants (each granted by its own granted_by): one query to read, one to insert the lot."""

    @abstractmethod
    def sign_off_scope(self, workspace_id: int) -> SignOffScope:
        """The categories anyone in the workspace holds a limit in, and whether any escalation chain is recorded."""

    @abstractmethod
    def grantors(self, workspace_id: int) -> dict[int, set[str]]:
        """Who may grant authority for each organisation: the chairs and secretaries of the boards it sits on."""

    @abstractmethod
    def of_members(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str) -> list[Authority]:
        """The current authority of some members in one category (for deciding who must sign off)."""

    @abstractmethod
    def as_it_stood(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str,
                    at: datetime) -> list[Authority]:
        """The versions that were current at `at`: the authority in force when a decision was taken."""

    @abstractmethod
    def of_user(self, workspace_id: int, user_id: str) -> list[tuple[str, Authority]]:
        """A member's current authority in every category, with their organisation's name."""

    @abstractmethod
    def of_workspace(self, workspace_id: int) -> list[tuple[str, Authority]]:
        """The whole current scheme of a workspace, with organisation names (for export)."""


class ChainRepository(ABC):
    """Organisations' escalation chains."""

    @abstractmethod
    def get(self, organisation_id: int) -> Chain | None:
        """An organisation's escalation chain, lowest level first; None when it has none."""

    @abstractmethod
    def of(self, organisation_ids: Iterable[int]) -> dict[int, Chain]:
        """The chains of several organisations, by organisation id (those with none are left out)."""

    @abstractmethod
    def replace(self, organisation_id: int, levels: Iterable[Level], *, by: str, at: datetime) -> None:
        """Make `levels` the organisation's whole chain."""


class DeputyRepository(ABC):
    """Who answers for an approver over a period."""

    @abstractmethod
    def of(self, organisation_id: int, *, on_or_after: date) -> list[Deputy]:
        """An organisation's deputies whose period has not ended before `on_or_after`."""

    @abstractmethod
    def add(self, organisation_id: int, deputy: Deputy, *, by: str) -> None:
        """Record that `deputy.deputy` answers for `deputy.approver` over the period."""


class EscalationRepository(ABC):
    """Escalations of proposals to organisations' approvers."""

    @abstractmethod
    def add(self, e: Escalation) -> int:
        """Save a new escalation; its id."""

    @abstractmethod
    def get(self, escalation_id: int, *, lock: bool = False) -> Escalation | None:
        """One escalation; with `lock`, other answers to it wait for this transaction."""

    @abstractmethod
    def save(self, e: Escalation) -> None:
        """Write back an escalation's level, state and answer."""

    @abstractmethod
    def of_proposal(self, proposal_id: int) -> list[Escalation]:
        """A proposal's escalations, one per organisation, by organisation name."""

    @abstractmethod
    def of_proposals(self, proposal_ids: list[int]) -> dict[int, list[Escalation]]:
        """The escalations of several proposals (for the register)."""

    @abstractmethod
    def sits_for(self, organisation_id: int, user_id: str) -> bool:
        """Whether the user sits on some board for the organisation (so may answer its channel's requests)."""

    @abstractmethod
    def open_of_organisation(self, organisation_id: int) -> list[Escalation]:
        """An organisation's escalations still waiting on an answer."""

    @abstractmethod
    def open_for(self, workspace_id: int, user_id: str) -> list[Waiting]:
        """Open escalations on the boards `user_id` sits on or addressed to them, oldest first."""


class CategoryRuleRepository(ABC):
    """A board's decision rule per category."""

    @abstractmethod
    def of_board(self, board_id: int) -> dict[str, CategoryRule]:
        """The board's decision rule per category."""

    @abstractmethod
    def replace(self, board_id: int, rules: list[CategoryRule]) -> None:
        """Make `rules` the board's whole map of category to rule."""


class DelegatedRepository(ABC):
    """The board's queue of decisions taken under delegation, awaiting review."""

    @abstractmethod
    def queue(self, proposal_id: int, board_id: int, *, at: datetime) -> None:
        """Put an agreed decision with no escalation in the board's review queue (once)."""

    @abstractmethod
    def of_board(self, board_id: int, *, reviewed: bool = False) -> list[Delegated]:
        """The board's decisions under delegation awaiting review (or, with `reviewed`, already reviewed)."""

    @abstractmethod
    def get(self, proposal_id: int) -> Delegated | None:
        """One queued decision."""

    @abstractmethod
    def mark_reviewed(self, proposal_id: int, *, by: str, at: datetime, note: str) -> None:
        """Record the chair's review of a decision taken under delegation."""
