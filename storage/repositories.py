"""Repositories: workspaces, organisations, boards and request keys, taken and returned as domain objects."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Organisation, Role, Seat
from bot.domain.proposals import DEFAULT_CATEGORIES, CategoryKind
from bot.domain.proposals import Category as DomainCategory
from bot.domain.reviews import BoardSettings
from bot.domain.text import clean
from bot.services import repositories as ports
from storage.db import rowcount
from storage.models import BoardRow, Category, MemberRow, Person, ProcessedRequest, VoteRow, Workspace
from storage.models import Organisation as OrganisationRow


def name_key(name: str) -> str:
    """The case-insensitive key two organisation names are compared by."""
    return clean(name).casefold()


def upsert(session: Session):
    """The dialect's INSERT that can say ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _board(row: BoardRow, team_id: str, members: list[Member]) -> Board:
    settings = BoardSettings(digest_weekday=row.digest_weekday, digest_at=time.fromisoformat(row.digest_at),
                             reminder_hours=row.reminder_hours, skip_holidays=row.skip_holidays)
    return Board(id=row.id, name=row.name, kind=BoardKind(row.kind),
                 collaboration_type=CollaborationType(row.collaboration_type), channel_id=row.channel_id,
                 timezone=row.timezone, default_rule=DecisionRule(row.default_rule), members=members, team_id=team_id,
                 settings=settings)


def _settings(settings: BoardSettings) -> dict:
    return {"digest_weekday": settings.digest_weekday, "digest_at": settings.digest_at.strftime("%H:%M"),
            "reminder_hours": settings.reminder_hours, "skip_holidays": settings.skip_holidays}


class WorkspaceRepository(ports.WorkspaceRepository):
    def __init__(self, session: Session):
        self.session = session

    def get_or_create(self, team_id: str, *, at: datetime) -> int:
        """The workspace id for a Slack team, created on first sight (two first sights at once make one)."""
        self.session.execute(upsert(self.session)(Workspace).values(team_id=team_id, created_at=at)
                             .on_conflict_do_nothing(index_elements=["team_id"]))
        return self.session.execute(select(Workspace.id).where(Workspace.team_id == team_id)).scalar_one()

    def all(self) -> list[tuple[int, str]]:
        """Every workspace as (id, Slack team id), by team id."""
        return [(wid, team) for wid, team in self.session.execute(
            select(Workspace.id, Workspace.team_id).order_by(Workspace.team_id))]

    def find(self, team_id: str) -> int | None:
        """The workspace id for a Slack team, if the bot has seen it."""
        return self.session.execute(select(Workspace.id).where(Workspace.team_id == team_id)).scalar()


class OrganisationRepository(ports.OrganisationRepository):
    def __init__(self, session: Session):
        self.session = session

    def find(self, workspace_id: int, name: str) -> Organisation | None:
        """An organisation by name, ignoring case and spacing."""
        row = self.session.execute(select(OrganisationRow).where(
            OrganisationRow.workspace_id == workspace_id, OrganisationRow.name_key == name_key(name))).scalar()
        return Organisation(row.id, row.name) if row else None

    def get(self, workspace_id: int, organisation_id: int) -> Organisation | None:
        """An organisation of the workspace by id."""
        row = self.session.get(OrganisationRow, organisation_id)
        return Organisation(row.id, row.name) if row and row.workspace_id == workspace_id else None

    def add(self, workspace_id: int, name: str, *, by: str, at: datetime) -> Organisation:
        """Register an organisation."""
        row = OrganisationRow(workspace_id=workspace_id, name=name, name_key=name_key(name), created_by=by,
                              created_at=at)
        self.session.add(row)
        self.session.flush()
        return Organisation(row.id, row.name)

    def seats(self, workspace_id: int) -> list[tuple[str, int, str]]:
        """Every organisation in the workspace with how many board seats it holds, and its type."""
        seats = func.count(MemberRow.id)
        rows = self.session.execute(
            select(OrganisationRow.name, seats, OrganisationRow.kind)
            .outerjoin(MemberRow, MemberRow.organisation_id == OrganisationRow.id)
            .where(OrganisationRow.workspace_id == workspace_id)
            .group_by(OrganisationRow.id, OrganisationRow.name, OrganisationRow.kind)
            .order_by(OrganisationRow.name_key)).all()
        return [(name, count, kind) for name, count, kind in rows]

    def seated(self, workspace_id: int) -> list[tuple[int, str, str]]:
        """Who sits on some board of the workspace for which organisation: (organisation id, name, user id)."""
        return [(organisation_id, name, user) for organisation_id, name, user in self.session.execute(
            select(MemberRow.organisation_id, OrganisationRow.name, MemberRow.user_id).distinct()
            .join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
            .where(OrganisationRow.workspace_id == workspace_id))]

    def rename(self, organisation_id: int, name: str) -> list[int]:
        """Give an organisation a new display name (its votes follow); the ids of boards it sits on."""
        self.session.execute(update(OrganisationRow).where(OrganisationRow.id == organisation_id)
                             .values(name=name, name_key=name_key(name)))
        self.session.execute(update(VoteRow).where(VoteRow.organisation_id == organisation_id)
                             .values(organisation=name))
        return sorted(set(self.session.execute(select(MemberRow.board_id).where(
            MemberRow.organisation_id == organisation_id)).scalars()))

    def set_kind(self, organisation_id: int, kind: str) -> None:
        """Record what type of body an organisation is."""
        self.session.execute(update(OrganisationRow).where(OrganisationRow.id == organisation_id).values(kind=kind))


class BoardRepository(ports.BoardRepository):
    def __init__(self, session: Session):
        self.session = session

    def _members(self, board_id: int, only: list[str] | None = None) -> list[Member]:
        query = (select(MemberRow.user_id, OrganisationRow.name, MemberRow.role, MemberRow.org_voter,
                        MemberRow.organisation_id)
                 .join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
                 .where(MemberRow.board_id == board_id).order_by(MemberRow.id))
        if only is not None:
            query = query.where(MemberRow.user_id.in_(only))
        return [Member(user, org, Role(role), voter, org_id)
                for user, org, role, voter, org_id in self.session.execute(query)]

    def _load(self, query, *, lock: bool = False, only: list[str] | None = None) -> Board | None:
        row = self.session.execute(query.with_for_update() if lock else query).scalar()
        if row is None:
            return None
        team = self.session.execute(select(Workspace.team_id).where(Workspace.id == row.workspace_id)).scalar_one()
        return _board(row, team, self._members(row.id, only))

    def for_channel(self, workspace_id: int, channel_id: str, *, lock: bool = False) -> Board | None:
        """The board linked to a channel; with `lock`, other changes to it wait for this transaction."""
        return self._load(select(BoardRow).where(BoardRow.workspace_id == workspace_id,
                                                 BoardRow.channel_id == channel_id), lock=lock)

    def get(self, board_id: int, *, only: list[str] | None = None, lock: bool = False) -> Board | None:
        """A board; with `only`, carrying just those users' memberships (cheap on a board of thousands)."""
        return self._load(select(BoardRow).where(BoardRow.id == board_id), lock=lock, only=only)

    def named(self, name: str) -> list[Board]:
        """Boards in any workspace with this name, ignoring case (members not loaded)."""
        rows = self.session.execute(select(BoardRow, Workspace.team_id).join(Workspace)
                                    .where(func.lower(BoardRow.name) == name.lower())).all()
        return [_board(row, team, []) for row, team in rows]

    def add(self, workspace_id: int, board: Board, *, by: str, at: datetime) -> int:
        """Save a new board (members are put separately); its id."""
        row = BoardRow(workspace_id=workspace_id, name=board.name, kind=board.kind.value,
                       collaboration_type=board.collaboration_type.value, channel_id=board.channel_id,
                       timezone=board.timezone, default_rule=board.default_rule.value, created_by=by, created_at=at,
                       **_settings(board.settings))
        self.session.add(row)
        self.session.flush()
        return row.id

    def save_settings(self, board_id: int, *, timezone: str, settings: BoardSettings) -> None:
        """Change when the board hears from the bot."""
        self.session.execute(update(BoardRow).where(BoardRow.id == board_id).values(
            timezone=timezone, **_settings(settings)))

    def set_collaboration_type(self, board_id: int, kind: CollaborationType) -> None:
        """Record how formal the arrangement between the board's organisations is."""
        self.session.execute(update(BoardRow).where(BoardRow.id == board_id).values(collaboration_type=kind.value))

    def with_digest(self) -> list[Board]:
        """Every board that has a weekly digest (members not loaded)."""
        rows = self.session.execute(select(BoardRow, Workspace.team_id).join(Workspace)
                                    .where(BoardRow.digest_weekday.is_not(None))).all()
        return [_board(row, team, []) for row, team in rows]

    def put_member(self, board_id: int, member: Member, organisation: Organisation, *, by: str, at: datetime) -> None:
        """Add the member, or change their organisation, role and nomination."""
        values = {"organisation_id": organisation.id, "role": member.role.value, "org_voter": member.org_voter}
        changed = rowcount(self.session.execute(update(MemberRow).where(
            MemberRow.board_id == board_id, MemberRow.user_id == member.user_id).values(**values)))
        if not changed:
            self.session.add(MemberRow(board_id=board_id, user_id=member.user_id, added_by=by, added_at=at, **values))
        self.session.flush()

    def nominate(self, board_id: int, user_id: str) -> None:
        """Make the member their organisation's voter on this board, and nobody else from it."""
        org = select(MemberRow.organisation_id).where(MemberRow.board_id == board_id, MemberRow.user_id == user_id)
        self.session.execute(update(MemberRow).where(MemberRow.board_id == board_id,
                                                     MemberRow.organisation_id == org.scalar_subquery())
                             .values(org_voter=MemberRow.user_id == user_id))

    def remove_member(self, board_id: int, user_id: str) -> None:
        """Take the user off the board."""
        self.session.execute(delete(MemberRow).where(MemberRow.board_id == board_id, MemberRow.user_id == user_id))

    def org_voter(self, board_id: int, organisation: str) -> str | None:
        """The nominated voter of an organisation (by name) on a board, if there is one."""
        return self.session.execute(
            select(MemberRow.user_id).join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
            .where(MemberRow.board_id == board_id, MemberRow.org_voter.is_(True),
                   OrganisationRow.name == organisation)).scalar()

    def voting_counts(self, board_id: int, roles: frozenset[Role], excluded: set[str]) -> tuple[int, int]:
        """How many members with a voting role, and how many organisations they come from, leaving some out."""
        query = select(func.count(MemberRow.id), func.count(func.distinct(MemberRow.organisation_id))).where(
            MemberRow.board_id == board_id, MemberRow.role.in_([r.value for r in roles]))
        if excluded:
            query = query.where(MemberRow.user_id.not_in(excluded))
        people, organisations = self.session.execute(query).one()
        return people, organisations

    def seats(self, workspace_id: int, user_id: str) -> list[Seat]:
        """The boards a user sits on, their role and each board's size: what their Home tab shows."""
        size = (select(func.count(MemberRow.id)).where(MemberRow.board_id == BoardRow.id)
                .correlate(BoardRow).scalar_subquery())
        rows = self.session.execute(
            select(BoardRow.name, BoardRow.channel_id, BoardRow.kind, MemberRow.role, size)
            .join(MemberRow, MemberRow.board_id == BoardRow.id)
            .where(BoardRow.workspace_id == workspace_id, MemberRow.user_id == user_id).order_by(BoardRow.name))
        return [Seat(name, channel, BoardKind(kind), Role(role), count) for name, channel, kind, role, count in rows]


class ProcessedRequests(ports.ProcessedRequests):
    def __init__(self, session: Session):
        self.session = session

    def claim(self, key: str, *, at: datetime) -> bool:
        """Record a request key; False when it was already recorded (a retry or a repeat)."""
        inserted = self.session.execute(
            upsert(self.session)(ProcessedRequest).values(key=key, created_at=at).on_conflict_do_nothing()
            .returning(ProcessedRequest.key)).scalar()
        return inserted is not None

    def prune(self, before: datetime) -> int:
        """Forget keys older than `before`; Slack never retries a request that old."""
        return rowcount(self.session.execute(delete(ProcessedRequest).where(ProcessedRequest.created_at < before)))


class CategoryRepository(ports.CategoryRepository):
    def __init__(self, session: Session):
        self.session = session

    def for_workspace(self, workspace_id: int | None) -> list[DomainCategory]:
        """The workspace's decision categories (the defaults until it has its own); never writes."""
        rows = self.session.execute(select(Category).where(Category.workspace_id == workspace_id)
                                    .order_by(Category.id)).scalars().all() if workspace_id else []
        return [DomainCategory(r.key, r.label, CategoryKind(r.kind)) for r in rows] or list(DEFAULT_CATEGORIES)

    def seed(self, workspace_id: int) -> None:
        """Give a workspace the default categories, once, when its first board is set up."""
        for c in DEFAULT_CATEGORIES:
            self.session.execute(upsert(self.session)(Category).values(
                workspace_id=workspace_id, key=c.key, label=c.label, kind=c.kind).on_conflict_do_nothing())


class People(ports.People):
    """Slack display names, cached so board papers can name people without asking Slack every time."""

    def __init__(self, session: Session):
        self.session = session

    def names(self, team_id: str, user_ids: list[str], *, fresh_since: datetime) -> dict[str, str]:
        """Cached names fetched since `fresh_since`."""
        rows = self.session.execute(select(Person.user_id, Person.name).where(
            Person.team_id == team_id, Person.user_id.in_(user_ids), Person.fetched_at >= fresh_since)).all()
        return dict(rows)

    def remember(self, team_id: str, names: dict[str, str], *, at: datetime) -> None:
        """Store freshly fetched names."""
        for user_id, name in names.items():
            self.session.execute(upsert(self.session)(Person).values(
                team_id=team_id, user_id=user_id, name=name, fetched_at=at).on_conflict_do_update(
                index_elements=["team_id", "user_id"], set_={"name": name, "fetched_at": at}))
