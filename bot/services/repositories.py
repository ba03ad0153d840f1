"""What the services ask the database for: workspaces, organisations, boards, request keys, categories, people.

One abstract class per repository. The SQL ones (storage/) and tests' in-memory fakes (tests/fakes*.py) subclass
them, so either one missing a method fails when it is built.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from bot.domain.boards import Board, CollaborationType, Member, Organisation, Role, Seat
from bot.domain.proposals import Category
from bot.domain.reviews import BoardSettings


class WorkspaceRepository(ABC):
    """Slack workspaces (teams) the bot has seen."""

    @abstractmethod
    def get_or_create(self, team_id: str, *, at: datetime) -> int:
        """The workspace id for a Slack team, created on first sight (two first sights at once make one)."""

    @abstractmethod
    def all(self) -> list[tuple[int, str]]:
        """Every workspace as (id, Slack team id), by team id."""

    @abstractmethod
    def find(self, team_id: str) -> int | None:
        """The workspace id for a Slack team, if the bot has seen it."""


class OrganisationRepository(ABC):
    """The organisations of a workspace, named case- and space-insensitively."""

    @abstractmethod
    def find(self, workspace_id: int, name: str) -> Organisation | None:
        """An organisation by name, ignoring case and spacing."""

    @abstractmethod
    def get(self, workspace_id: int, organisation_id: int) -> Organisation | None:
        """An organisation of the workspace by id."""

    @abstractmethod
    def add(self, workspace_id: int, name: str, *, by: str, at: datetime) -> Organisation:
        """Register an organisation."""

    @abstractmethod
    def seats(self, workspace_id: int) -> list[tuple[str, int, str]]:
        """Every organisation in the workspace with how many board seats it holds, and its type."""

    @abstractmethod
    def seated(self, workspace_id: int) -> list[tuple[int, str, str]]:
        """Who sits on some board of the workspace for which organisation: (organisation id, name, user id)."""

    @abstractmethod
    def rename(self, organisation_id: int, name: str) -> list[int]:
        """Give an organisation a new display name (its votes follow); the ids of boards it sits on."""

    @abstractmethod
    def set_kind(self, organisation_id: int, kind: str) -> None:
        """Record what type of body an organisation is."""


class BoardRepository(ABC):
    """Boards and their members, as domain Boards."""

    @abstractmethod
    def for_channel(self, workspace_id: int, channel_id: str, *, lock: bool = False) -> Board | None:
        """The board linked to a channel; with `lock`, other changes to it wait for this transaction."""

    @abstractmethod
    def get(self, board_id: int, *, only: list[str] | None = None, lock: bool = False) -> Board | None:
        """A board; with `only`, carrying just those users' memberships (cheap on a board of thousands)."""

    @abstractmethod
    def named(self, name: str) -> list[Board]:
        """Boards in any workspace with this name, ignoring case (members not loaded)."""

    @abstractmethod
    def add(self, workspace_id: int, board: Board, *, by: str, at: datetime) -> int:
        """Save a new board (members are put separately); its id."""

    @abstractmethod
    def save_settings(self, board_id: int, *, timezone: str, settings: BoardSettings) -> None:
        """Change when the board hears from the bot."""

    @abstractmethod
    def set_collaboration_type(self, board_id: int, kind: CollaborationType) -> None:
        """Record how formal the arrangement between the board's organisations is."""

    @abstractmethod
    def with_digest(self) -> list[Board]:
        """Every board that has a weekly digest (members not loaded)."""

    @abstractmethod
    def put_member(self, board_id: int, member: Member, organisation: Organisation, *, by: str, at: datetime) -> None:
        """Add the member, or change their organisation, role and nomination."""

    @abstractmethod
    def nominate(self, board_id: int, user_id: str) -> None:
        """Make the member their organisation's voter on this board, and nobody else from it."""

    @abstractmethod
    def remove_member(self, board_id: int, user_id: str) -> None:
        """Take the user off the board."""

    @abstractmethod
    def org_voter(self, board_id: int, organisation: str) -> str | None:
        """The nominated voter of an organisation (by name) on a board, if there is one."""

    @abstractmethod
    def voting_counts(self, board_id: int, roles: frozenset[Role], excluded: set[str]) -> tuple[int, int]:
        """How many members with a voting role, and how many organisations they come from, leaving some out."""

    @abstractmethod
    def seats(self, workspace_id: int, user_id: str) -> list[Seat]:
        """The boards a user sits on, their role and each board's size: what their Home tab shows."""


class ProcessedRequests(ABC):
    """Slack requests' de-duplication keys."""

    @abstractmethod
    def claim(self, key: str, *, at: datetime) -> bool:
        """Record a request key; False when it was already recorded (a retry or a repeat)."""

    @abstractmethod
    def prune(self, before: datetime) -> int:
        """Forget keys older than `before`; Slack never retries a request that old."""


class CategoryRepository(ABC):
    """A workspace's decision categories."""

    @abstractmethod
    def for_workspace(self, workspace_id: int | None) -> list[Category]:
        """The workspace's decision categories (the defaults until it has its own); never writes."""

    @abstractmethod
    def seed(self, workspace_id: int) -> None:
        """Give a workspace the default categories, once, when its first board is set up."""


class People(ABC):
    """Slack display names, cached so board papers can name people without asking Slack every time."""

    @abstractmethod
    def names(self, team_id: str, user_ids: list[str], *, fresh_since: datetime) -> dict[str, str]:
        """Cached names fetched since `fresh_since`."""

    @abstractmethod
    def remember(self, team_id: str, names: dict[str, str], *, at: datetime) -> None:
        """Store freshly fetched names."""
