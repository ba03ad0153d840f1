"""Repositories: load and save boards, organisations and workspaces as domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role
from bot.domain.proposals import DEFAULT_CATEGORIES
from bot.domain.proposals import Category as DomainCategory
from storage.audit import utcnow
from storage.models import BoardRow, Category, MemberRow, Organisation, ProcessedRequest, Workspace


def name_key(name: str) -> str:
    """The case-insensitive key two organisation names are compared by."""
    return " ".join(name.split()).casefold()


def to_domain(row: BoardRow) -> Board:
    """A board row and its members as a domain Board."""
    return Board(
        id=row.id, name=row.name, kind=BoardKind(row.kind),
        collaboration_type=CollaborationType(row.collaboration_type), channel_id=row.channel_id,
        timezone=row.timezone, default_rule=DecisionRule(row.default_rule),
        members=[Member(m.user_id, m.organisation.name, Role(m.role)) for m in row.members],
    )


class WorkspaceRepository:
    def __init__(self, session: Session):
        self.session = session

    def get_or_create(self, team_id: str) -> int:
        """The workspace id for a Slack team, created on first sight."""
        found = self.session.execute(select(Workspace.id).where(Workspace.team_id == team_id)).scalar()
        if found is not None:
            return found
        row = Workspace(team_id=team_id, created_at=utcnow())
        self.session.add(row)
        self.session.flush()
        return row.id

    def find(self, team_id: str) -> int | None:
        """The workspace id for a Slack team, if the bot has seen it."""
        return self.session.execute(select(Workspace.id).where(Workspace.team_id == team_id)).scalar()


class OrganisationRepository:
    def __init__(self, session: Session):
        self.session = session

    def find(self, workspace_id: int, name: str) -> Organisation | None:
        """An organisation by name, ignoring case and spacing."""
        return self.session.execute(
            select(Organisation).where(
                Organisation.workspace_id == workspace_id, Organisation.name_key == name_key(name)
            )
        ).scalar()

    def add(self, workspace_id: int, name: str, created_by: str) -> Organisation:
        """A new organisation row."""
        row = Organisation(
            workspace_id=workspace_id, name=name, name_key=name_key(name), created_by=created_by, created_at=utcnow()
        )
        self.session.add(row)
        self.session.flush()
        return row

    def list(self, workspace_id: int) -> list[tuple[str, int]]:
        """Every organisation in the workspace with how many board seats it holds."""
        seats = func.count(MemberRow.id)
        rows = self.session.execute(
            select(Organisation.name, seats)
            .outerjoin(MemberRow, MemberRow.organisation_id == Organisation.id)
            .where(Organisation.workspace_id == workspace_id)
            .group_by(Organisation.id, Organisation.name)
            .order_by(Organisation.name_key)
        ).all()
        return [(name, count) for name, count in rows]


class BoardRepository:
    def __init__(self, session: Session):
        self.session = session

    def row_for_channel(self, workspace_id: int, channel_id: str) -> BoardRow | None:
        """The board row linked to a channel."""
        return self.session.execute(
            select(BoardRow).where(BoardRow.workspace_id == workspace_id, BoardRow.channel_id == channel_id)
        ).scalar()

    def for_channel(self, workspace_id: int, channel_id: str) -> Board | None:
        """The board linked to a channel, as a domain object."""
        row = self.row_for_channel(workspace_id, channel_id)
        return to_domain(row) if row else None

    def partial(self, board_id: int, user_ids: list[str]) -> Board:
        """The board with only the named users' memberships loaded: cheap on a board of thousands."""
        row = self.session.get(BoardRow, board_id)
        members = self.session.execute(
            select(MemberRow.user_id, Organisation.name, MemberRow.role)
            .join(Organisation, Organisation.id == MemberRow.organisation_id)
            .where(MemberRow.board_id == board_id, MemberRow.user_id.in_(user_ids))
        ).all()
        return Board(
            id=row.id, name=row.name, kind=BoardKind(row.kind),
            collaboration_type=CollaborationType(row.collaboration_type), channel_id=row.channel_id,
            timezone=row.timezone, default_rule=DecisionRule(row.default_rule),
            members=[Member(user_id, org, Role(role)) for user_id, org, role in members],
        )

    def voting_counts(self, board_id: int, roles: frozenset[Role], excluded: set[str]) -> tuple[int, int]:
        """How many members with a voting role, and how many organisations they come from, leaving some out."""
        query = select(func.count(MemberRow.id), func.count(func.distinct(MemberRow.organisation_id))).where(
            MemberRow.board_id == board_id, MemberRow.role.in_([r.value for r in roles]))
        if excluded:
            query = query.where(MemberRow.user_id.not_in(excluded))
        people, organisations = self.session.execute(query).one()
        return people, organisations

    def rows_named(self, name: str) -> list[BoardRow]:
        """Boards in any workspace with this name, ignoring case."""
        return list(self.session.execute(select(BoardRow).where(func.lower(BoardRow.name) == name.lower())).scalars())

    def add(self, workspace_id: int, board: Board, created_by: str) -> BoardRow:
        """A new board row for a domain Board (members are added separately)."""
        row = BoardRow(
            workspace_id=workspace_id, name=board.name, kind=board.kind.value,
            collaboration_type=board.collaboration_type.value, channel_id=board.channel_id,
            timezone=board.timezone, default_rule=board.default_rule.value,
            created_by=created_by, created_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return row

    def set_member(self, row: BoardRow, *, user_id: str, organisation: Organisation, role: Role, by: str) -> None:
        """Add the user to the board, or change their organisation and role."""
        existing = next((m for m in row.members if m.user_id == user_id), None)
        if existing is None:
            row.members.append(
                MemberRow(user_id=user_id, organisation=organisation, role=role.value, added_by=by, added_at=utcnow())
            )
        else:
            existing.organisation, existing.role = organisation, role.value
        self.session.flush()

    def remove_member(self, row: BoardRow, user_id: str) -> None:
        """Take the user off the board."""
        self.session.execute(delete(MemberRow).where(MemberRow.board_id == row.id, MemberRow.user_id == user_id))
        self.session.expire(row, ["members"])

    def memberships(self, workspace_id: int, user_id: str) -> list[tuple[Board, Role]]:
        """The boards a user sits on, with their role on each."""
        rows = self.session.execute(
            select(BoardRow, MemberRow.role)
            .join(MemberRow, MemberRow.board_id == BoardRow.id)
            .where(BoardRow.workspace_id == workspace_id, MemberRow.user_id == user_id)
            .order_by(BoardRow.name)
        ).all()
        return [(to_domain(board), Role(role)) for board, role in rows]


class ProcessedRequests:
    def __init__(self, session: Session):
        self.session = session

    def claim(self, key: str) -> bool:
        """Record a request key; False when it was already recorded (a retry or a repeat)."""
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        inserted = self.session.execute(
            insert(ProcessedRequest).values(key=key, created_at=utcnow()).on_conflict_do_nothing()
            .returning(ProcessedRequest.key)
        ).scalar()
        return inserted is not None

    def prune(self, before: datetime) -> int:
        """Forget keys older than `before`; Slack never retries a request that old."""
        return self.session.execute(delete(ProcessedRequest).where(ProcessedRequest.created_at < before)).rowcount

    def release(self, key: str) -> None:
        """Forget a key so Slack's retry of a request that failed can run again."""
        self.session.execute(delete(ProcessedRequest).where(ProcessedRequest.key == key))


class CategoryRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_workspace(self, workspace_id: int) -> list[DomainCategory]:
        """The workspace's decision categories, seeded with the defaults on first use."""
        rows = self.session.execute(
            select(Category).where(Category.workspace_id == workspace_id).order_by(Category.id)
        ).scalars().all()
        if not rows:
            rows = [Category(workspace_id=workspace_id, key=c.key, label=c.label, kind=c.kind)
                    for c in DEFAULT_CATEGORIES]
            self.session.add_all(rows)
            self.session.flush()
        return [DomainCategory(r.key, r.label, r.kind) for r in rows]
