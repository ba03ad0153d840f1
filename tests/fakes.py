"""An in-memory unit of work and database, so services and the effects policy are tested without SQL.

Every fake repository subclasses the abstract one the services use (bot/services/repositories*.py), so a fake
missing a method fails when it is built; tests/unit/test_fakes_conform.py checks they match the SQL ones.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import FixedClock
from bot.domain.audit import AuditEvent
from bot.domain.boards import Board, CollaborationType, Member, Organisation, Role, Seat
from bot.domain.decisions import PositionChange, Vote
from bot.domain.jobs import Job
from bot.domain.proposals import DEFAULT_CATEGORIES, Category, Proposal
from bot.domain.reviews import BoardSettings, Review
from bot.domain.text import clean
from bot.outbound.registry import effects_of
from bot.services import repositories as ports
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork, Effects, RequestScope
from tests import fakes_checklists as fc
from tests import fakes_delegation as fd
from tests.fakes_audit import FakeAudit, FakeAuditTables
from tests.fakes_decisions import FakeProposals, FakeReminders, FakeReviews
from tests.fakes_outbox import FakeOutbox, OutboxState

KEY = b"k" * 32  # the fake database's audit key


def name_key(name: str) -> str:
    """How organisation names are compared: ignoring case and spacing."""
    return clean(name).casefold()


@dataclass
class Store:
    """Everything the fake database holds."""

    teams: dict[str, int] = field(default_factory=dict)
    organisations: dict[tuple[int, str], Organisation] = field(default_factory=dict)  # (workspace, name key)
    organisation_kinds: dict[int, str] = field(default_factory=dict)
    boards: dict[int, tuple[int, Board]] = field(default_factory=dict)  # id -> (workspace, board)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    votes: dict[int, dict[str, Vote]] = field(default_factory=dict)
    history: dict[int, list[PositionChange]] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    reminders: dict[tuple[int, str], datetime] = field(default_factory=dict)  # (proposal, user) -> when
    people: dict[tuple[str, str], tuple[str, datetime]] = field(default_factory=dict)  # (team, user) -> name
    requests: dict[str, datetime] = field(default_factory=dict)
    audit: list[tuple[str, str, dict]] = field(default_factory=list)  # the chain's entries, as appended
    chain: list[AuditEvent] = field(default_factory=list)
    jobs: OutboxState = field(default_factory=OutboxState)
    delegation: fd.DelegationState = field(default_factory=fd.DelegationState)
    checklists: fc.ChecklistState = field(default_factory=fc.ChecklistState)

    @property
    def cancelled(self) -> set[str]:
        """The keys of jobs cancelled before they ran."""
        return self.jobs.cancelled()


class FakeWorkspaces(ports.WorkspaceRepository):
    def __init__(self, s: Store):
        self.s = s

    def get_or_create(self, team_id: str, *, at: datetime) -> int:
        return self.s.teams.setdefault(team_id, len(self.s.teams) + 1)

    def all(self) -> list[tuple[int, str]]:
        return sorted(((wid, team) for team, wid in self.s.teams.items()), key=lambda pair: pair[1])

    def find(self, team_id: str) -> int | None:
        return self.s.teams.get(team_id)


class FakeOrganisations(ports.OrganisationRepository):
    def __init__(self, s: Store):
        self.s = s

    def _members(self) -> list[tuple[int, Member]]:
        return [(board_id, m) for board_id, (_, board) in self.s.boards.items() for m in board.members]

    def find(self, workspace_id: int, name: str) -> Organisation | None:
        return self.s.organisations.get((workspace_id, name_key(name)))

    def get(self, workspace_id: int, organisation_id: int) -> Organisation | None:
        return next((o for (ws, _), o in self.s.organisations.items() if ws == workspace_id
                     and o.id == organisation_id), None)

    def add(self, workspace_id: int, name: str, *, by: str, at: datetime) -> Organisation:
        org = Organisation(len(self.s.organisations) + 1, name)
        self.s.organisations[(workspace_id, name_key(name))] = org
        return org

    def seats(self, workspace_id: int) -> list[tuple[str, int, str]]:
        return [(o.name, sum(m.organisation_id == o.id for _, m in self._members()),
                 self.s.organisation_kinds.get(o.id, "other"))
                for (ws, _), o in sorted(self.s.organisations.items()) if ws == workspace_id]

    def seated(self, workspace_id: int) -> list[tuple[int, str, str]]:
        names = {o.id: o.name for (ws, _), o in self.s.organisations.items() if ws == workspace_id}
        return list(dict.fromkeys((m.organisation_id, names[m.organisation_id], m.user_id)
                                  for _, m in self._members() if m.organisation_id in names))

    def rename(self, organisation_id: int, name: str) -> list[int]:
        (ws, old), org = next(item for item in self.s.organisations.items() if item[1].id == organisation_id)
        del self.s.organisations[(ws, old)]
        self.s.organisations[(ws, name_key(name))] = Organisation(organisation_id, name)
        for _, board in self.s.boards.values():
            board.members = [replace(m, organisation=name) if m.organisation_id == organisation_id else m
                             for m in board.members]
        for votes in self.s.votes.values():
            votes.update({u: replace(v, organisation=name) for u, v in votes.items()
                          if v.organisation_id == organisation_id})
        return sorted({board_id for board_id, m in self._members() if m.organisation_id == organisation_id})

    def set_kind(self, organisation_id: int, kind: str) -> None:
        self.s.organisation_kinds[organisation_id] = kind


class FakeBoards(ports.BoardRepository):
    def __init__(self, s: Store):
        self.s = s

    def for_channel(self, workspace_id: int, channel_id: str, *, lock: bool = False) -> Board | None:
        return next((copy.deepcopy(b) for ws, b in self.s.boards.values()
                     if ws == workspace_id and b.channel_id == channel_id), None)

    def get(self, board_id: int, *, only: list[str] | None = None, lock: bool = False) -> Board | None:
        if board_id not in self.s.boards:
            return None
        board = copy.deepcopy(self.s.boards[board_id][1])
        if only is not None:
            board.members = [m for m in board.members if m.user_id in only]
        return board

    def named(self, name: str) -> list[Board]:
        return [replace(copy.deepcopy(b), members=[]) for _, b in self.s.boards.values()
                if b.name.lower() == name.lower()]

    def add(self, workspace_id: int, board: Board, *, by: str, at: datetime) -> int:
        board_id = len(self.s.boards) + 1
        self.s.boards[board_id] = (workspace_id, replace(copy.deepcopy(board), id=board_id, members=[]))
        return board_id

    def save_settings(self, board_id: int, *, timezone: str, settings: BoardSettings) -> None:
        board = self.s.boards[board_id][1]
        board.timezone, board.settings = timezone, settings

    def set_collaboration_type(self, board_id: int, kind: CollaborationType) -> None:
        self.s.boards[board_id][1].collaboration_type = kind

    def with_digest(self) -> list[Board]:
        return [replace(copy.deepcopy(b), members=[]) for _, b in self.s.boards.values()
                if b.settings.digest_weekday is not None]

    def put_member(self, board_id: int, member: Member, organisation: Organisation, *, by: str,
                   at: datetime) -> None:
        board = self.s.boards[board_id][1]
        member = replace(member, organisation=organisation.name, organisation_id=organisation.id)
        held = board.member(member.user_id)
        board.members = [member if m.user_id == member.user_id else m for m in board.members] if held \
            else [*board.members, member]

    def nominate(self, board_id: int, user_id: str) -> None:
        board = self.s.boards[board_id][1]
        found = board.member(user_id)
        if found is not None:
            board.members = [replace(m, org_voter=m.user_id == user_id)
                             if m.organisation_id == found.organisation_id else m for m in board.members]

    def remove_member(self, board_id: int, user_id: str) -> None:
        board = self.s.boards[board_id][1]
        board.members = [m for m in board.members if m.user_id != user_id]

    def org_voter(self, board_id: int, organisation: str) -> str | None:
        return next((m.user_id for m in self.s.boards[board_id][1].members
                     if m.org_voter and m.organisation == organisation), None)

    def voting_counts(self, board_id: int, roles: frozenset[Role], excluded: set[str]) -> tuple[int, int]:
        voters = [m for m in self.s.boards[board_id][1].members if m.role in roles and m.user_id not in excluded]
        return len(voters), len({m.organisation_id for m in voters})

    def seats(self, workspace_id: int, user_id: str) -> list[Seat]:
        return sorted((Seat(b.name, b.channel_id, b.kind, seat.role, len(b.members))
                       for ws, b in self.s.boards.values() if ws == workspace_id and (seat := b.member(user_id))),
                      key=lambda seat: seat.board_name)


class FakeRequests(ports.ProcessedRequests):
    def __init__(self, s: Store):
        self.s = s

    def claim(self, key: str, *, at: datetime) -> bool:
        return self.s.requests.setdefault(key, at) is at

    def prune(self, before: datetime) -> int:
        old = [k for k, at in self.s.requests.items() if at < before]
        for k in old:
            del self.s.requests[k]
        return len(old)


class FakeCategories(ports.CategoryRepository):
    def for_workspace(self, workspace_id: int | None) -> list[Category]:
        return list(DEFAULT_CATEGORIES)

    def seed(self, workspace_id: int) -> None:
        pass  # every workspace has the defaults


class FakePeople(ports.People):
    def __init__(self, s: Store):
        self.s = s

    def names(self, team_id: str, user_ids: list[str], *, fresh_since: datetime) -> dict[str, str]:
        return {user: name for user in user_ids if (found := self.s.people.get((team_id, user)))
                for name, at in [found] if at >= fresh_since}

    def remember(self, team_id: str, names: dict[str, str], *, at: datetime) -> None:
        self.s.people.update({(team_id, user): (name, at) for user, name in names.items()})


class FakeUnitOfWork(AbstractUnitOfWork):
    """A unit of work over a Store: changes become visible only on commit."""

    def __init__(self, store: Store, *, clock: FixedClock, scope: RequestScope | None = None, key: bytes = KEY,
                 wakers: list | None = None, effects: Effects = effects_of):
        super().__init__(clock=clock, scope=scope, wakers=wakers, effects=effects)
        self.committed_store, self.committed, self._key = store, False, key

    def __enter__(self) -> FakeUnitOfWork:
        self.store = copy.deepcopy(self.committed_store)
        s = self.store
        self.workspaces, self.organisations, self.boards = FakeWorkspaces(s), FakeOrganisations(s), FakeBoards(s)
        self.requests, self.categories, self.people = FakeRequests(s), FakeCategories(), FakePeople(s)
        self.proposals, self.reviews, self.reminders = FakeProposals(s), FakeReviews(s), FakeReminders(s)
        self.audit, self.audit_tables, self.outbox = FakeAudit(s, key=self._key), FakeAuditTables(s), FakeOutbox(s)
        self.authorities, self.chains, self.deputies = fd.FakeAuthorities(s), fd.FakeChains(s), fd.FakeDeputies(s)
        self.escalations, self.delegated = fd.FakeEscalations(s), fd.FakeDelegated(s)
        self.category_rules = fd.FakeCategoryRules(s)
        self.checklist_rounds, self.checklist_answers, self.checklist_templates, self.actions = fc.repositories(s)
        return self

    def _commit(self) -> None:
        self.committed_store.__dict__.update(self.store.__dict__)
        self.store = copy.deepcopy(self.committed_store)
        self.committed = True

    def _rollback(self) -> None:
        pass


class FakeDatabase(AbstractDatabase):
    """Hands out fake units of work over one in-memory store, like storage.uow.Database."""

    clock: FixedClock

    def __init__(self, now: datetime, store: Store | None = None, scope: RequestScope | None = None, *,
                 effects: Effects = effects_of):
        self.store, self.clock, self.scope, self.audit_key = store or Store(), FixedClock(now), scope, KEY
        self.wakers, self.effects = [], effects

    def uow(self) -> FakeUnitOfWork:
        """A unit of work that may write."""
        return FakeUnitOfWork(self.store, clock=self.clock, scope=self.scope, key=self.audit_key, wakers=self.wakers,
                              effects=self.effects)

    def read(self) -> FakeUnitOfWork:
        """A unit of work for reading."""
        return FakeUnitOfWork(self.store, clock=self.clock, key=self.audit_key, effects=self.effects)

    def for_request(self, key: str | None) -> FakeDatabase:
        """The same store, with writes tied to a request key."""
        return FakeDatabase(self.clock.moment, self.store, RequestScope(key), effects=self.effects)

    def unscoped(self) -> FakeDatabase:
        """The same store, with writes tied to no request."""
        return FakeDatabase(self.clock.moment, self.store, effects=self.effects)

    def is_deadlock(self, error: BaseException) -> bool:
        """Never: one writer at a time."""
        return False

    def jobs(self, kind: str | None = None) -> list[Job]:
        """The outbox's jobs (of one kind), not cancelled."""
        cancelled = self.store.cancelled
        return [row.job for k, row in self.store.jobs.rows.items() if k not in cancelled
                and (kind is None or row.job.kind == kind)]


def member(user_id: str, organisation: str = "Leeds Teaching Hospitals", role: Role = Role.MEMBER) -> Member:
    """A board member for tests."""
    return Member(user_id, organisation, role)
