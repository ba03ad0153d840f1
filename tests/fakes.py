"""An in-memory unit of work and database, so services and the effects policy are tested without SQL."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import FixedClock
from bot.domain.boards import Board, Member, Organisation, Role, Seat
from bot.domain.decisions import PositionChange, Vote
from bot.domain.jobs import Job
from bot.domain.proposals import DEFAULT_CATEGORIES, Interest, Proposal, Status, register_prefix
from bot.services.uow import AbstractUnitOfWork, RequestScope
from tests import fakes_checklists as fc
from tests import fakes_delegation as fd


@dataclass
class Store:
    """Everything the fake database holds."""

    teams: dict[str, int] = field(default_factory=dict)
    organisations: dict[tuple[int, str], Organisation] = field(default_factory=dict)
    boards: dict[int, tuple[int, Board]] = field(default_factory=dict)  # id -> (workspace, board)
    proposals: dict[int, Proposal] = field(default_factory=dict)
    votes: dict[int, dict[str, Vote]] = field(default_factory=dict)
    history: dict[int, list[PositionChange]] = field(default_factory=dict)
    requests: dict[str, datetime] = field(default_factory=dict)
    audit: list[tuple[str, str, dict]] = field(default_factory=list)
    outbox: dict[str, Job] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    delegation: fd.DelegationState = field(default_factory=fd.DelegationState)


class FakeWorkspaces:
    def __init__(self, s: Store):
        self.s = s

    def get_or_create(self, team_id, *, at):
        return self.s.teams.setdefault(team_id, len(self.s.teams) + 1)

    def find(self, team_id):
        return self.s.teams.get(team_id)


class FakeOrganisations:
    def __init__(self, s: Store):
        self.s = s

    def find(self, workspace_id, name):
        return self.s.organisations.get((workspace_id, " ".join(name.split()).casefold()))

    def get(self, workspace_id, organisation_id):
        return next((o for (ws, _), o in self.s.organisations.items() if ws == workspace_id
                     and o.id == organisation_id), None)

    def add(self, workspace_id, name, *, by, at):
        org = Organisation(len(self.s.organisations) + 1, name)
        self.s.organisations[(workspace_id, name.casefold())] = org
        return org

    def seats(self, workspace_id):
        return [(o.name, sum(m.organisation == o.name for _, b in self.s.boards.values() for m in b.members))
                for (ws, _), o in sorted(self.s.organisations.items()) if ws == workspace_id]


class FakeBoards:
    def __init__(self, s: Store):
        self.s = s

    def for_channel(self, workspace_id, channel_id, *, lock=False):
        return next((copy.deepcopy(b) for ws, b in self.s.boards.values()
                     if ws == workspace_id and b.channel_id == channel_id), None)

    def get(self, board_id, *, only=None, lock=False):
        if board_id not in self.s.boards:
            return None
        board = copy.deepcopy(self.s.boards[board_id][1])
        if only is not None:
            board.members = [m for m in board.members if m.user_id in only]
        return board

    def named(self, name):
        return [copy.deepcopy(b) for _, b in self.s.boards.values() if b.name.lower() == name.lower()]

    def add(self, workspace_id, board, *, by, at):
        board_id = len(self.s.boards) + 1
        self.s.boards[board_id] = (workspace_id, replace(board, id=board_id, members=[]))
        return board_id

    def put_member(self, board_id, member, organisation, *, by, at):
        board = self.s.boards[board_id][1]
        member = replace(member, organisation=organisation.name, organisation_id=organisation.id)
        board.members = [m for m in board.members if m.user_id != member.user_id] + [member]

    def nominate(self, board_id, user_id):
        board = self.s.boards[board_id][1]
        org = board.member(user_id).organisation
        board.members = [replace(m, org_voter=m.user_id == user_id) if m.organisation == org else m
                         for m in board.members]

    def remove_member(self, board_id, user_id):
        board = self.s.boards[board_id][1]
        board.members = [m for m in board.members if m.user_id != user_id]

    def org_voter(self, board_id, organisation):
        return next((m.user_id for m in self.s.boards[board_id][1].members
                     if m.org_voter and m.organisation == organisation), None)

    def voting_counts(self, board_id, roles, excluded):
        voters = [m for m in self.s.boards[board_id][1].members if m.role in roles and m.user_id not in excluded]
        return len(voters), len({m.organisation for m in voters})

    def seats(self, workspace_id, user_id):
        return [Seat(b.name, b.channel_id, b.kind, b.member(user_id).role, len(b.members))
                for ws, b in self.s.boards.values() if ws == workspace_id and b.member(user_id)]


class FakeProposals:
    def __init__(self, s: Store):
        self.s = s

    def get(self, proposal_id, *, lock=False, with_votes=True):
        p = self.s.proposals.get(proposal_id)
        return replace(copy.deepcopy(p), votes=self.votes(proposal_id) if with_votes else []) if p else None

    def add(self, p):
        p = replace(p, id=len(self.s.proposals) + 1)
        self.s.proposals[p.id] = p
        return p.id

    def save(self, p):
        self.s.proposals[p.id] = replace(copy.deepcopy(p), votes=[], interests=self.s.proposals[p.id].interests)

    def set_message(self, proposal_id, ts):
        self.s.proposals[proposal_id].message_ts = ts

    def by_request(self, request_key):
        return next((p.id for p in self.s.proposals.values() if p.request_key == request_key), None)

    def first_voter_of(self, proposal_id, organisation):
        return next((v.user_id for v in self.votes(proposal_id) if v.organisation == organisation), None)

    def vote_count(self, proposal_id):
        return len(self.s.votes.get(proposal_id, {}))

    def votes(self, proposal_id):
        return sorted(self.s.votes.get(proposal_id, {}).values(), key=lambda v: v.first_at)

    def put_vote(self, proposal_id, vote, *, at):
        current = self.s.votes.setdefault(proposal_id, {}).get(vote.user_id)
        if current and (current.position, current.reason, current.proxy_by) == (vote.position, vote.reason,
                                                                                vote.proxy_by):
            return False
        self.s.votes[proposal_id][vote.user_id] = replace(vote, first_at=current.first_at if current else at)
        self.s.history.setdefault(proposal_id, []).append(
            PositionChange(vote.user_id, vote.position, at, vote.reason, vote.proxy_by))
        return True

    def history(self, proposal_id):
        return list(self.s.history.get(proposal_id, []))

    def interests(self, proposal_id):
        return list(self.s.proposals[proposal_id].interests)

    def put_interest(self, proposal_id, interest: Interest, *, by, at):
        p = self.s.proposals[proposal_id]
        p.interests = [i for i in p.interests if i.user_id != interest.user_id] + [interest]

    def next_number(self, board_id, year):
        return 1 + sum(1 for p in self.s.proposals.values()
                       if p.board_id == board_id and (p.number or "").startswith(register_prefix(year)))

    def decided(self, board_id, limit=None):
        found = sorted((self.get(p.id) for p in self.s.proposals.values() if p.board_id == board_id
                        and p.status is Status.CLOSED and p.number), key=lambda p: p.closed_at, reverse=True)
        return found[:limit] if limit else found

    def by_number(self, board_id, number):
        return next((self.get(p.id) for p in self.s.proposals.values()
                     if p.board_id == board_id and p.number == number), None)


class FakeRequests:
    def __init__(self, s: Store):
        self.s = s

    def claim(self, key, *, at):
        return self.s.requests.setdefault(key, at) is at

    def prune(self, before):
        old = [k for k, at in self.s.requests.items() if at < before]
        for k in old:
            del self.s.requests[k]
        return len(old)


class FakeCategories:
    def for_workspace(self, workspace_id):
        return list(DEFAULT_CATEGORIES)

    def seed(self, workspace_id):
        pass


class FakeAudit:
    def __init__(self, s: Store):
        self.s = s

    def append(self, *, actor, action, payload, at):
        self.s.audit.append((actor, action, payload))

    def append_many(self, events, *, at):
        self.s.audit.extend(events)

    def pseudonym(self, proposal_id, user_id):
        return hashlib.sha256(f"{proposal_id}:{user_id}".encode()).hexdigest()[:16]

    def respondent(self, round_id, user_id):
        return "p-" + hashlib.sha256(f"checklist:{round_id}:{user_id}".encode()).hexdigest()[:16]


class FakeOutbox:
    """Jobs by key, with the adding rule that matters to services: a pending key is one job."""

    def __init__(self, s: Store):
        self.s = s

    def add(self, job, *, now):
        held = self.s.outbox.get(job.key)
        self.s.outbox[job.key] = job if held is None else replace(held, due_at=min(held.due_at, job.due_at))

    def reschedule(self, key, due_at, *, now):
        if key in self.s.outbox:
            self.s.outbox[key] = replace(self.s.outbox[key], due_at=due_at)

    def bring_forward(self, key, *, now):
        keyed = [k for k, job in self.s.outbox.items() if (k == key or k.startswith(f"{key}:")) and job.due_at > now]
        for k in keyed:
            self.s.outbox[k] = replace(self.s.outbox[k], due_at=now)
        return len(keyed)

    def cancel(self, key, *, now):
        if key in self.s.outbox:
            self.s.cancelled.add(key)


class FakeUnitOfWork(AbstractUnitOfWork):
    """A unit of work over a Store: changes become visible only on commit."""

    def __init__(self, store: Store, *, clock, scope: RequestScope | None = None):
        super().__init__(clock=clock, scope=scope)
        self.committed_store, self.committed = store, False

    def __enter__(self) -> FakeUnitOfWork:
        self.store = copy.deepcopy(self.committed_store)
        s = self.store
        self.workspaces, self.organisations, self.boards = FakeWorkspaces(s), FakeOrganisations(s), FakeBoards(s)
        self.proposals, self.requests, self.categories = FakeProposals(s), FakeRequests(s), FakeCategories()
        self.audit, self.outbox = FakeAudit(s), FakeOutbox(s)
        self.authorities, self.chains, self.deputies = fd.FakeAuthorities(s), fd.FakeChains(s), fd.FakeDeputies(s)
        self.escalations, self.delegated = fd.FakeEscalations(s), fd.FakeDelegated(s)
        self.category_rules, self.boards = fd.FakeCategoryRules(s), fc.ChecklistBoards(self.boards)
        self.checklist_rounds, self.checklist_answers, self.checklist_templates, self.actions = fc.repositories(s)
        return self

    def _commit(self) -> None:
        self.committed_store.__dict__.update(self.store.__dict__)
        self.store = copy.deepcopy(self.committed_store)
        self.committed = True

    def _rollback(self) -> None:
        pass


class FakeDatabase:
    """Hands out fake units of work over one in-memory store, like storage.uow.Database."""

    def __init__(self, now: datetime, store: Store | None = None, scope: RequestScope | None = None):
        self.store, self.clock, self.scope, self.audit_key = store or Store(), FixedClock(now), scope, b"k" * 32

    def uow(self) -> FakeUnitOfWork:
        """A unit of work that may write."""
        return FakeUnitOfWork(self.store, clock=self.clock, scope=self.scope)

    def read(self) -> FakeUnitOfWork:
        """A unit of work for reading."""
        return FakeUnitOfWork(self.store, clock=self.clock)

    def for_request(self, key):
        """The same store, with writes tied to a request key."""
        return FakeDatabase(self.clock.moment, self.store, RequestScope(key))

    def unscoped(self):
        """The same store, with writes tied to no request."""
        return FakeDatabase(self.clock.moment, self.store)

    def jobs(self, kind: str | None = None) -> list[Job]:
        """The outbox's jobs (of one kind), not cancelled."""
        return [j for k, j in self.store.outbox.items() if k not in self.store.cancelled
                and (kind is None or j.kind == kind)]


def member(user_id: str, organisation: str = "Leeds Teaching Hospitals", role: Role = Role.MEMBER) -> Member:
    """A board member for tests."""
    return Member(user_id, organisation, role)
