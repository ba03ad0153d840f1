"""Use cases for boards, organisations and members; each owns its transaction."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.boards import (
    Board,
    BoardKind,
    CollaborationType,
    DecisionRule,
    Member,
    Role,
    clean_name,
    ensure_can_manage,
    ensure_can_remove,
    ensure_role_change_keeps_a_manager,
    parse_timezone,
)
from bot.domain.errors import Conflict, NotFound
from bot.domain.text import escape
from storage.models import BoardRow
from storage.repositories import to_domain
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True)
class MemberChange:
    """What `add_member` did: added, changed, or nothing because it was already so."""

    board: Board
    member: Member
    outcome: str  # "added" | "updated" | "unchanged"


def linked_board(uow: UnitOfWork, team_id: str, channel_id: str) -> tuple[int, BoardRow, Board]:
    """The workspace id, row and domain board linked to a channel, or NotFound saying how to set one up."""
    workspace_id = uow.workspaces.find(team_id)
    row = uow.boards.row_for_channel(workspace_id, channel_id) if workspace_id else None
    if row is None:
        raise NotFound("This channel is not linked to a board yet. Run `/collab setup` here to create one.")
    return workspace_id, row, to_domain(row)


def board_for_channel(db: Database, *, team_id: str, channel_id: str) -> Board | None:
    """The board linked to a channel, if any."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.for_channel(workspace_id, channel_id) if workspace_id else None


def setup_board(
    db: Database, *, team_id: str, channel_id: str, actor: str, name: str, kind: BoardKind,
    collaboration_type: CollaborationType, timezone: str, default_rule: DecisionRule,
    organisation: str, role: Role,
) -> Board:
    """Link the channel to a new board with the actor as its first chair or secretary."""
    board = Board(
        id=None, name=clean_name(name, field_name="name", label="board name"), kind=kind,
        collaboration_type=collaboration_type, channel_id=channel_id,
        timezone=parse_timezone(timezone), default_rule=default_rule,
    )
    org_name = clean_name(organisation, field_name="organisation", label="organisation")
    with db.uow() as uow:
        workspace_id = uow.workspaces.get_or_create(team_id)
        if uow.boards.row_for_channel(workspace_id, channel_id) is not None:
            raise Conflict("This channel is already linked to a board. Use another channel for a new board.",
                           field="name")
        org = uow.organisations.find(workspace_id, org_name)
        if org is None:
            org = uow.organisations.add(workspace_id, org_name, actor)
            uow.audit.append(actor=actor, action="organisation.added",
                             payload={"team": team_id, "organisation": org.name})
        row = uow.boards.add(workspace_id, board, actor)
        uow.boards.set_member(row, user_id=actor, organisation=org, role=role, by=actor)
        uow.audit.append(actor=actor, action="board.created", payload={
            "team": team_id, "board_id": row.id, "name": board.name, "kind": kind.value,
            "collaboration_type": collaboration_type.value, "channel": channel_id,
            "timezone": board.timezone, "default_rule": default_rule.value,
        })
        uow.audit.append(actor=actor, action="member.added", payload={
            "board_id": row.id, "user": actor, "organisation": org.name, "role": role.value,
        })
        uow.commit()
        board.id = row.id
        board.members = [Member(actor, org.name, role)]
        return board


def add_organisation(db: Database, *, team_id: str, channel_id: str, actor: str, name: str) -> str:
    """Register an organisation; only a chair or secretary of this channel's board may."""
    name = clean_name(name, field_name="organisation", label="organisation name")
    with db.uow() as uow:
        workspace_id, _, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        if uow.organisations.find(workspace_id, name) is not None:
            raise Conflict(f"*{escape(name)}* is already registered.")
        org = uow.organisations.add(workspace_id, name, actor)
        uow.audit.append(actor=actor, action="organisation.added", payload={"team": team_id, "organisation": name})
        uow.commit()
        return org.name


def list_organisations(db: Database, *, team_id: str) -> list[tuple[str, int]]:
    """The workspace's organisations with their number of board seats."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.organisations.list(workspace_id) if workspace_id else []


def list_members(db: Database, *, team_id: str, channel_id: str) -> Board:
    """This channel's board with its members."""
    with db.read() as uow:
        return linked_board(uow, team_id, channel_id)[2]


def add_member(
    db: Database, *, team_id: str, channel_id: str, actor: str, user_id: str, organisation: str, role: Role
) -> MemberChange:
    """Put a user on the board for an organisation, or change their organisation or role."""
    with db.uow() as uow:
        workspace_id, row, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        org = uow.organisations.find(workspace_id, organisation)
        if org is None:
            raise NotFound(
                f"*{escape(organisation)}* is not a registered organisation. "
                f"Add it first with `/collab org add {escape(organisation)}`, or check `/collab org list`."
            )
        before = board.member(user_id)
        member = Member(user_id, org.name, role)
        if before == member:
            return MemberChange(board, member, "unchanged")
        ensure_role_change_keeps_a_manager(board, user_id, role)
        uow.boards.set_member(row, user_id=user_id, organisation=org, role=role, by=actor)
        payload = {"board_id": row.id, "user": user_id, "organisation": org.name, "role": role.value}
        if before is not None:
            payload["was"] = {"organisation": before.organisation, "role": before.role.value}
        uow.audit.append(actor=actor, action="member.updated" if before else "member.added", payload=payload)
        uow.commit()
        return MemberChange(to_domain(row), member, "updated" if before else "added")


def remove_member(db: Database, *, team_id: str, channel_id: str, actor: str, user_id: str) -> Board:
    """Take a user off the board, never leaving it without a chair or secretary."""
    with db.uow() as uow:
        _, row, board = linked_board(uow, team_id, channel_id)
        target = ensure_can_remove(board, actor, user_id)
        uow.boards.remove_member(row, user_id)
        uow.audit.append(actor=actor, action="member.removed", payload={
            "board_id": row.id, "user": user_id, "organisation": target.organisation, "role": target.role.value,
        })
        uow.commit()
        return to_domain(row)


def memberships(db: Database, *, team_id: str, user_id: str) -> list[tuple[Board, Role]]:
    """The boards a user sits on, with their role on each."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        return uow.boards.memberships(workspace_id, user_id) if workspace_id else []
