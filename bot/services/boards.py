"""Use cases for boards, organisations and members; each owns its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.boards import (
    Board,
    BoardKind,
    CollaborationType,
    DecisionRule,
    Member,
    Role,
    Seat,
    clean_name,
    ensure_can_manage,
    ensure_can_nominate,
    ensure_can_remove,
    ensure_founding_role,
    ensure_role_change_keeps_a_manager,
    parse_timezone,
)
from bot.domain.delegation import OrgType
from bot.domain.errors import Command, Conflict, Name, NotFound
from bot.domain.events import BoardCreated, MembershipChanged, Route
from bot.domain.events_boards import (
    MemberAdded,
    MemberNominated,
    MemberRemoved,
    MemberUpdated,
    OrganisationAdded,
    OrganisationRenamed,
    OrganisationTyped,
)
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

NO_BOARD = NotFound("This channel is not linked to a board yet. Run {command} here to create one.",
                    command=Command("/collab setup"))


@dataclass(frozen=True)
class MemberChange:
    """What `add_member` did: added, changed, or nothing because it was already so."""

    board: Board
    member: Member
    outcome: str  # "added" | "updated" | "unchanged"


def linked_board(uow: AbstractUnitOfWork, team_id: str, channel_id: str, *, lock: bool = False) -> tuple[int, Board]:
    """The workspace id and the board linked to a channel, or NotFound saying how to set one up.

    With `lock`, other changes to the same board wait until this transaction ends.
    """
    workspace_id = uow.workspaces.find(team_id)
    board = uow.boards.for_channel(workspace_id, channel_id, lock=lock) if workspace_id else None
    if workspace_id is None or board is None:
        raise NO_BOARD
    return workspace_id, board


def board_for_channel(db: AbstractDatabase, *, team_id: str, channel_id: str) -> Board | None:
    """The board linked to a channel, if any."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.for_channel(workspace_id, channel_id) if workspace_id else None


def setup_board(
    db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, name: str, kind: BoardKind,
    collaboration_type: CollaborationType, timezone: str, default_rule: DecisionRule,
    organisation: str, role: Role, now: datetime,
) -> Board:
    """Link the channel to a new board with the actor as its first chair or secretary; it is announced there."""
    ensure_founding_role(role)
    board = Board(id=None, name=clean_name(name, field_name="name", label="board name"), kind=kind,
                  collaboration_type=collaboration_type, channel_id=channel_id,
                  timezone=parse_timezone(timezone), default_rule=default_rule, team_id=team_id)
    org_name = clean_name(organisation, field_name="organisation", label="organisation")
    with db.uow() as uow:
        workspace_id = uow.workspaces.get_or_create(team_id, at=now)
        if uow.boards.for_channel(workspace_id, channel_id) is not None:
            raise Conflict("This channel is already linked to a board. Use another channel for a new board.",
                           field="name")
        uow.categories.seed(workspace_id)
        org = uow.organisations.find(workspace_id, org_name)
        if org is None:
            org = uow.organisations.add(workspace_id, org_name, by=actor, at=now)
            uow.record(OrganisationAdded(now, actor, team_id, org.name))
        board.id = uow.boards.add(workspace_id, board, by=actor, at=now)
        board.members = [Member(actor, org.name, role, organisation_id=org.id)]
        uow.boards.put_member(board.id, board.members[0], org, by=actor, at=now)
        uow.record(BoardCreated(now, board.id, Route(team_id, actor, channel_id), board.name, kind.value,
                                collaboration_type.value, board.timezone, default_rule.value))
        uow.record(MemberAdded(now, actor, board.id, actor, org.name, role.value))
        uow.record(MembershipChanged(now, team_id, actor))
        uow.commit()
        return board


def add_organisation(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, name: str,
                     now: datetime) -> str:
    """Register an organisation; only a chair or secretary of this channel's board may."""
    name = clean_name(name, field_name="organisation", label="organisation name")
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        if uow.organisations.find(workspace_id, name) is not None:
            raise Conflict("{name} is already registered.", name=Name(name))
        org = uow.organisations.add(workspace_id, name, by=actor, at=now)
        uow.record(OrganisationAdded(now, actor, team_id, name))
        uow.commit()
        return org.name


def _managed_organisation(uow: AbstractUnitOfWork, team_id: str, channel_id: str, actor: str, name: str):
    workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
    ensure_can_manage(board, actor)
    org = uow.organisations.find(workspace_id, name)
    if org is None:
        raise NotFound("{name} is not a registered organisation. See {command}.", name=Name(name),
                       command=Command("/collab org list"))
    return workspace_id, org


def set_organisation_type(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, name: str, kind: OrgType,
                          now: datetime) -> str:
    """Record what type of body an organisation is (chair or secretary)."""
    with db.uow() as uow:
        _, org = _managed_organisation(uow, team_id, channel_id, actor, name)
        uow.organisations.set_kind(org.id, kind.value)
        uow.record(OrganisationTyped(now, actor, team_id, org.name, kind.value))
        uow.commit()
        return org.name


def rename_organisation(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, name: str, new_name: str,
                        now: datetime) -> tuple[str, str]:
    """Give an organisation a new display name; it keeps its id, members, votes and authority."""
    new_name = clean_name(new_name, field_name="organisation", label="new name")
    with db.uow() as uow:
        workspace_id, org = _managed_organisation(uow, team_id, channel_id, actor, name)
        clash = uow.organisations.find(workspace_id, new_name)
        if clash is not None and clash.id != org.id:
            raise Conflict("{name} is already registered.", name=Name(clash.name))
        boards = uow.organisations.rename(org.id, new_name)
        uow.record(OrganisationRenamed(now, actor, team_id, org.id, org.name, new_name, tuple(boards)))
        uow.commit()
        return org.name, new_name


def list_organisations(db: AbstractDatabase, *, team_id: str) -> list[tuple[str, int, str]]:
    """The workspace's organisations with their number of board seats."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.organisations.seats(workspace_id) if workspace_id else []


def list_members(db: AbstractDatabase, *, team_id: str, channel_id: str) -> Board:
    """This channel's board with its members."""
    with db.read() as uow:
        return linked_board(uow, team_id, channel_id)[1]


def add_member(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, user_id: str, organisation: str,
               role: Role, now: datetime) -> MemberChange:
    """Put a user on the board for an organisation, or change their organisation or role."""
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        org = uow.organisations.find(workspace_id, organisation)
        if org is None:
            raise NotFound("{name} is not a registered organisation. Add it first with {add}, or check {list}.",
                           name=Name(organisation), add=Command(f"/collab org add {organisation}"),
                           list=Command("/collab org list"))
        before = board.member(user_id)
        # A nomination speaks for one organisation, and observers don't vote.
        nominated = (before is not None and before.organisation == org.name and role is not Role.OBSERVER
                     and before.org_voter)
        member = Member(user_id, org.name, role, nominated, org.id)
        if before == member:
            return MemberChange(board, member, "unchanged")
        ensure_role_change_keeps_a_manager(board, user_id, role)
        assert board.id is not None  # a board from the repository
        uow.boards.put_member(board.id, member, org, by=actor, at=now)
        if before is None:
            uow.record(MemberAdded(now, actor, board.id, user_id, org.name, role.value))
        else:
            uow.record(MemberUpdated(now, actor, board.id, user_id, org.name, role.value, before.organisation,
                                     before.role.value))
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
        board.members = [m for m in board.members if m.user_id != user_id] + [member]
        return MemberChange(board, member, "updated" if before else "added")


def remove_member(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, user_id: str,
                  now: datetime) -> Board:
    """Take a user off the board, never leaving it without a chair or secretary."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        target = ensure_can_remove(board, actor, user_id)
        assert board.id is not None  # a board from the repository
        uow.boards.remove_member(board.id, user_id)
        uow.record(MemberRemoved(now, actor, board.id, user_id, target.organisation, target.role.value))
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
        board.members = [m for m in board.members if m.user_id != user_id]
        return board


def nominate_voter(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, user_id: str,
                   now: datetime) -> Member:
    """Make a member the one who casts their organisation's vote on polls taking one vote per organisation."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        target = ensure_can_nominate(board, actor, user_id)
        if not target.org_voter:
            assert board.id is not None  # a board from the repository
            uow.boards.nominate(board.id, user_id)
            uow.record(MemberNominated(now, actor, board.id, user_id, target.organisation))
            uow.commit()
        return Member(target.user_id, target.organisation, target.role, True, target.organisation_id)


def seats(db: AbstractDatabase, *, team_id: str, user_id: str) -> list[Seat]:
    """The boards a user sits on, with their role on each and each board's size."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.seats(workspace_id, user_id) if workspace_id else []


def home_opened(db: AbstractDatabase, *, team_id: str, user_id: str, now: datetime) -> None:
    """Someone opened their Home tab: draw it afresh."""
    with db.uow() as uow:
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
