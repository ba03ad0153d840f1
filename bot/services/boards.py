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
from bot.domain.errors import Conflict, NotFound
from bot.domain.events import BoardCreated, MembershipChanged, Route
from bot.domain.text import escape
from storage.uow import Database, UnitOfWork

NO_BOARD = "This channel is not linked to a board yet. Run `/collab setup` here to create one."


@dataclass(frozen=True)
class MemberChange:
    """What `add_member` did: added, changed, or nothing because it was already so."""

    board: Board
    member: Member
    outcome: str  # "added" | "updated" | "unchanged"


def linked_board(uow: UnitOfWork, team_id: str, channel_id: str, *, lock: bool = False) -> tuple[int, Board]:
    """The workspace id and the board linked to a channel, or NotFound saying how to set one up.

    With `lock`, other changes to the same board wait until this transaction ends.
    """
    workspace_id = uow.workspaces.find(team_id)
    board = uow.boards.for_channel(workspace_id, channel_id, lock=lock) if workspace_id else None
    if board is None:
        raise NotFound(NO_BOARD)
    return workspace_id, board


def board_for_channel(db: Database, *, team_id: str, channel_id: str) -> Board | None:
    """The board linked to a channel, if any."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.for_channel(workspace_id, channel_id) if workspace_id else None


def setup_board(
    db: Database, *, team_id: str, channel_id: str, actor: str, name: str, kind: BoardKind,
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
            uow.audit.append(actor=actor, action="organisation.added", at=now,
                             payload={"team": team_id, "organisation": org.name})
        board.id = uow.boards.add(workspace_id, board, by=actor, at=now)
        board.members = [Member(actor, org.name, role, organisation_id=org.id)]
        uow.boards.put_member(board.id, board.members[0], org, by=actor, at=now)
        uow.audit.append(actor=actor, action="board.created", at=now, payload={
            "team": team_id, "board_id": board.id, "name": board.name, "kind": kind.value,
            "collaboration_type": collaboration_type.value, "channel": channel_id,
            "timezone": board.timezone, "default_rule": default_rule.value,
        })
        uow.audit.append(actor=actor, action="member.added", at=now, payload={
            "board_id": board.id, "user": actor, "organisation": org.name, "role": role.value})
        uow.record(BoardCreated(now, board.id, Route(team_id, actor, channel_id)))
        uow.record(MembershipChanged(now, team_id, actor))
        uow.commit()
        return board


def add_organisation(db: Database, *, team_id: str, channel_id: str, actor: str, name: str, now: datetime) -> str:
    """Register an organisation; only a chair or secretary of this channel's board may."""
    name = clean_name(name, field_name="organisation", label="organisation name")
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        if uow.organisations.find(workspace_id, name) is not None:
            raise Conflict(f"*{escape(name)}* is already registered.")
        org = uow.organisations.add(workspace_id, name, by=actor, at=now)
        uow.audit.append(actor=actor, action="organisation.added", at=now,
                         payload={"team": team_id, "organisation": name})
        uow.commit()
        return org.name


def _managed_organisation(uow: UnitOfWork, team_id: str, channel_id: str, actor: str, name: str):
    workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
    ensure_can_manage(board, actor)
    org = uow.organisations.find(workspace_id, name)
    if org is None:
        raise NotFound(f"*{escape(name)}* is not a registered organisation. See `/collab org list`.")
    return workspace_id, org


def set_organisation_type(db: Database, *, team_id: str, channel_id: str, actor: str, name: str, kind: OrgType,
                          now: datetime) -> str:
    """Record what type of body an organisation is (chair or secretary)."""
    with db.uow() as uow:
        _, org = _managed_organisation(uow, team_id, channel_id, actor, name)
        uow.organisations.set_kind(org.id, kind.value)
        uow.audit.append(actor=actor, action="organisation.typed", at=now,
                         payload={"team": team_id, "organisation": org.name, "kind": kind.value})
        uow.commit()
        return org.name


def rename_organisation(db: Database, *, team_id: str, channel_id: str, actor: str, name: str, new_name: str,
                        now: datetime) -> tuple[str, str]:
    """Give an organisation a new display name; it keeps its id, members, votes and authority."""
    new_name = clean_name(new_name, field_name="organisation", label="new name")
    with db.uow() as uow:
        workspace_id, org = _managed_organisation(uow, team_id, channel_id, actor, name)
        clash = uow.organisations.find(workspace_id, new_name)
        if clash is not None and clash.id != org.id:
            raise Conflict(f"*{escape(clash.name)}* is already registered.")
        boards = uow.organisations.rename(org.id, new_name)
        uow.audit.append(actor=actor, action="organisation.renamed", at=now, payload={
            "team": team_id, "organisation_id": org.id, "was": org.name, "name": new_name, "boards": boards})
        uow.commit()
        return org.name, new_name


def list_organisations(db: Database, *, team_id: str) -> list[tuple[str, int, str]]:
    """The workspace's organisations with their number of board seats."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.organisations.seats(workspace_id) if workspace_id else []


def list_members(db: Database, *, team_id: str, channel_id: str) -> Board:
    """This channel's board with its members."""
    with db.read() as uow:
        return linked_board(uow, team_id, channel_id)[1]


def add_member(db: Database, *, team_id: str, channel_id: str, actor: str, user_id: str, organisation: str,
               role: Role, now: datetime) -> MemberChange:
    """Put a user on the board for an organisation, or change their organisation or role."""
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        org = uow.organisations.find(workspace_id, organisation)
        if org is None:
            raise NotFound(
                f"*{escape(organisation)}* is not a registered organisation. "
                f"Add it first with `/collab org add {escape(organisation)}`, or check `/collab org list`.")
        before = board.member(user_id)
        # A nomination speaks for one organisation, and observers don't vote.
        keeps_nomination = before is not None and before.organisation == org.name and role is not Role.OBSERVER
        member = Member(user_id, org.name, role, keeps_nomination and before.org_voter, org.id)
        if before == member:
            return MemberChange(board, member, "unchanged")
        ensure_role_change_keeps_a_manager(board, user_id, role)
        uow.boards.put_member(board.id, member, org, by=actor, at=now)
        payload = {"board_id": board.id, "user": user_id, "organisation": org.name, "role": role.value}
        if before is not None:
            payload["was"] = {"organisation": before.organisation, "role": before.role.value}
        uow.audit.append(actor=actor, action="member.updated" if before else "member.added", payload=payload, at=now)
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
        board.members = [m for m in board.members if m.user_id != user_id] + [member]
        return MemberChange(board, member, "updated" if before else "added")


def remove_member(db: Database, *, team_id: str, channel_id: str, actor: str, user_id: str, now: datetime) -> Board:
    """Take a user off the board, never leaving it without a chair or secretary."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        target = ensure_can_remove(board, actor, user_id)
        uow.boards.remove_member(board.id, user_id)
        uow.audit.append(actor=actor, action="member.removed", at=now, payload={
            "board_id": board.id, "user": user_id, "organisation": target.organisation, "role": target.role.value})
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
        board.members = [m for m in board.members if m.user_id != user_id]
        return board


def nominate_voter(db: Database, *, team_id: str, channel_id: str, actor: str, user_id: str,
                   now: datetime) -> Member:
    """Make a member the one who casts their organisation's vote on polls taking one vote per organisation."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        target = ensure_can_nominate(board, actor, user_id)
        if not target.org_voter:
            uow.boards.nominate(board.id, user_id)
            uow.audit.append(actor=actor, action="member.nominated", at=now, payload={
                "board_id": board.id, "user": user_id, "organisation": target.organisation})
            uow.commit()
        return Member(target.user_id, target.organisation, target.role, True, target.organisation_id)


def seats(db: Database, *, team_id: str, user_id: str) -> list[Seat]:
    """The boards a user sits on, with their role on each and each board's size."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.seats(workspace_id, user_id) if workspace_id else []


def home_opened(db: Database, *, team_id: str, user_id: str, now: datetime) -> None:
    """Someone opened their Home tab: draw it afresh."""
    with db.uow() as uow:
        uow.record(MembershipChanged(now, team_id, user_id))
        uow.commit()
