"""Boards, members and who may manage them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.errors import Conflict, InvalidValue, Name, NotAllowed, NotFound, Person
from bot.domain.reviews import BoardSettings
from bot.domain.text import clean


class BoardKind(StrEnum):
    """The kinds of group the seeds describe."""

    PEER_NETWORK = "peer_network"
    PARTNERSHIP_BOARD = "partnership_board"
    PROGRAMME_BOARD = "programme_board"
    ADVISORY_GROUP = "advisory_group"


class CollaborationType(StrEnum):
    """How formal the arrangement between the organisations is."""

    INFORMAL = "informal"
    STRATEGIC = "strategic"
    FORMAL = "formal"


class DecisionRule(StrEnum):
    """How a proposal's outcome is decided."""

    CONSENSUS = "consensus"
    UNANIMOUS = "unanimous"
    SUPERMAJORITY = "supermajority"
    MAJORITY = "majority"
    ADVISORY = "advisory"


class Role(StrEnum):
    """A member's role on one board."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"


MANAGING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY})


@dataclass(frozen=True)
class Organisation:
    """A trust, council or voluntary body registered in a workspace."""

    id: int
    name: str


@dataclass(frozen=True)
class Seat:
    """One board as a member sees it on their Home tab: the board, their role, how many sit on it."""

    board_name: str
    channel_id: str
    kind: BoardKind
    role: Role
    members: int
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class Member:
    """A Slack user sitting on a board for one organisation."""

    user_id: str
    organisation: str
    role: Role
    org_voter: bool = False  # casts the organisation's vote on polls that take one vote per organisation
    organisation_id: int = field(default=0, compare=False)


@dataclass
class Board:
    """A group of organisations deciding things together in one channel."""

    id: int | None
    name: str
    kind: BoardKind
    collaboration_type: CollaborationType
    channel_id: str
    timezone: str
    default_rule: DecisionRule
    members: list[Member] = field(default_factory=list)
    team_id: str = ""  # the Slack workspace it belongs to
    settings: BoardSettings = field(default_factory=BoardSettings)

    def member(self, user_id: str) -> Member | None:
        """The member record for a Slack user, if they sit on this board."""
        return next((m for m in self.members if m.user_id == user_id), None)

    def managers(self) -> list[Member]:
        """Members who may change the board: its chairs and secretaries."""
        return [m for m in self.members if m.role in MANAGING_ROLES]


def parse_choice(enum: type[StrEnum], raw: str, *, field_name: str, label: str):
    """The enum member named by `raw` (case and spaces forgiven), or an InvalidValue."""
    key = raw.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return enum(key)
    except ValueError:
        choices = ", ".join(e.value.replace("_", " ") for e in enum)
        raise InvalidValue(f"“{{raw}}” is not a {label}. Choose one of: {choices}.", field=field_name,
                           raw=raw) from None


def clean_name(raw: str, *, field_name: str, label: str) -> str:
    """A cleaned, single-spaced name, or an InvalidValue when nothing visible is left or it is too long."""
    name = clean(raw)
    if not name:
        raise InvalidValue(f"Please give the {label}.", field=field_name)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidValue(f"The {label} can be at most {MAX_NAME_LENGTH} characters.", field=field_name)
    return name


def ensure_can_manage(board: Board, user_id: str, *, to_see: str = "") -> Member:
    """The acting member if they chair or are secretary to the board; NotAllowed otherwise.

    `to_see` names what a read-only command shows, so the refusal says what is true: only they can see it.
    """
    member = board.member(user_id)
    if member is None or member.role not in MANAGING_ROLES:
        if to_see:
            raise NotAllowed("Only the chair or secretary of {board} can see {what}.", board=Name(board.name),
                             what=to_see)
        raise NotAllowed("Only the chair or secretary of {board} can change it. "
                         "Ask one of them if something needs updating.", board=Name(board.name))
    return member


def _managed_member(board: Board, actor_id: str, target_id: str) -> Member:
    """The target member, once the actor is known to manage the board; NotFound if they aren't on it."""
    ensure_can_manage(board, actor_id)
    target = board.member(target_id)
    if target is None:
        raise NotFound("{who} is not a member of {board}.", who=Person(target_id), board=Name(board.name))
    return target


def ensure_can_remove(board: Board, actor_id: str, target_id: str) -> Member:
    """The member to remove, if the actor may remove them without leaving the board unmanaged."""
    target = _managed_member(board, actor_id, target_id)
    remaining = [m for m in board.managers() if m.user_id != target_id]
    if target.role in MANAGING_ROLES and not remaining:
        raise Conflict("{who} is the board's last chair or secretary. "
                       "Make someone else chair or secretary first, so the board can still be managed.",
                       who=Person(target_id))
    return target


def ensure_founding_role(role: Role) -> Role:
    """Whoever sets a board up must be able to manage it, so that it never starts unmanaged."""
    if role not in MANAGING_ROLES:
        raise InvalidValue("Whoever sets up a board becomes its chair or secretary; choose one of those.",
                           field="role")
    return role


def ensure_can_nominate(board: Board, actor_id: str, target_id: str) -> Member:
    """The member to nominate as their organisation's voter, if the actor manages the board and they may vote."""
    target = _managed_member(board, actor_id, target_id)
    if target.role is Role.OBSERVER:
        raise Conflict("{who} is an observer; only voting members can cast their organisation's vote.",
                       who=Person(target_id))
    return target


def ensure_role_change_keeps_a_manager(board: Board, target_id: str, new_role: Role) -> None:
    """Refuse to demote the last chair or secretary, which would leave nobody able to manage."""
    target = board.member(target_id)
    if target is None or target.role not in MANAGING_ROLES or new_role in MANAGING_ROLES:
        return
    if not [m for m in board.managers() if m.user_id != target_id]:
        raise Conflict("{who} is the board's last chair or secretary; "
                       "make someone else chair or secretary before changing their role.", who=Person(target_id))


def parse_timezone(raw: str, *, field_name: str = "timezone") -> str:
    """An IANA time zone name such as Europe/London, or an InvalidValue."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = raw.strip()
    try:
        if not name or "." in name:
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("“{name}” is not a time zone. Use a name such as Europe/London.", field=field_name,
                           name=name) from None
    return name
