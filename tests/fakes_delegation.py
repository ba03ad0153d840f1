"""In-memory fakes of the scheme of delegation's repositories (storage/delegation.py, storage/escalations.py).

Their state lives in `Store.delegation`, so the fake unit of work's copy-on-enter and copy-on-commit cover it.
Each fake returns copies, as the SQL versions build new objects from rows: a change sticks only once saved.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.boards import Organisation
from bot.domain.delegated import Delegated
from bot.domain.delegation import CategoryRule, Chain, Deputy, Level, SignOffScope
from bot.domain.escalation import Escalation, EscalationState, Waiting
from bot.domain.scheme import Authority, overlaps, remainders
from bot.domain.text import clean
from bot.services import repositories_delegation as ports

if TYPE_CHECKING:
    from tests.fakes import Store

# What EscalationRepository.save writes back; the rest is fixed when the escalation is added.
SAVED = ("level_position", "level_title", "approvers", "acting_for", "channel_id", "state", "due_at", "reminded",
         "answered_by", "answered_for", "answered_at", "comment", "problem")
LISTED = 200  # the SQL lists stop at this many rows


@dataclass
class Version:
    """One row of authority: the grant, when it was recorded, and when a later grant superseded it."""

    authority: Authority
    granted_at: datetime
    superseded_at: datetime | None = None


@dataclass
class Queued:
    """One row of the delegated-decisions queue (its number and title come from the proposal)."""

    board_id: int
    queued_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str = ""


@dataclass
class DelegationState:
    """The scheme of delegation as the fake database holds it."""

    authorities: list[Version] = field(default_factory=list)
    chains: dict[int, tuple[Level, ...]] = field(default_factory=dict)  # organisation id -> levels
    deputies: list[tuple[int, Deputy]] = field(default_factory=list)  # (organisation id, deputy), oldest first
    escalations: dict[int, Escalation] = field(default_factory=dict)
    category_rules: dict[int, dict[str, CategoryRule]] = field(default_factory=dict)  # board id -> rules
    delegated: dict[int, Queued] = field(default_factory=dict)  # proposal id -> queue row


def _organisations(s: Store) -> dict[int, tuple[int, Organisation]]:
    """Organisations by id, with their workspace."""
    return {org.id: (ws, org) for (ws, _), org in s.organisations.items()}


def _workspace_orgs(s: Store, workspace_id: int) -> set[int]:
    return {oid for oid, (ws, _) in _organisations(s).items() if ws == workspace_id}


class FakeAuthorities(ports.AuthorityRepository):
    def __init__(self, s: Store):
        self.s, self.d = s, s.delegation

    def _current(self) -> list[Authority]:
        return [v.authority for v in self.d.authorities if v.superseded_at is None]

    def current(self, organisation_id: int, user_id: str, category: str, *, on: date) -> Authority | None:
        found = sorted((a for a in self._current() if (a.organisation_id, a.user_id, a.category)
                        == (organisation_id, user_id, category)), key=lambda a: a.valid_from)
        return (next((a for a in found if a.in_force(on)), None)
                or next((a for a in found if a.valid_from > on), None))

    def put(self, authority: Authority, *, by: str, at: datetime) -> Authority:
        same = [v for v in self.d.authorities if (v.authority.organisation_id, v.authority.user_id,
                                                  v.authority.category)
                == (authority.organisation_id, authority.user_id, authority.category)]
        version = max((v.authority.version for v in same), default=0)
        kept = []
        for v in same:
            if v.superseded_at is None and overlaps(v.authority, authority):
                v.superseded_at = at
                kept += remainders(v.authority, authority)
        for piece in [*kept, replace(authority, granted_by=by)]:
            version += 1
            saved = replace(piece, version=version)
            self.d.authorities.append(Version(saved, at))
        return saved

    def put_many(self, authorities: list[Authority], *, at: datetime) -> list[Authority]:
        return [self.put(a, by=a.granted_by, at=at) for a in authorities]

    def sign_off_scope(self, workspace_id: int) -> SignOffScope:
        orgs = _workspace_orgs(self.s, workspace_id)
        return SignOffScope(frozenset(a.category for a in self._current() if a.organisation_id in orgs),
                            any(oid in orgs and levels for oid, levels in self.d.chains.items()))

    def grantors(self, workspace_id: int) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for ws, board in self.s.boards.values():
            if ws == workspace_id:
                managers = {m.user_id for m in board.managers()}
                for m in board.members:
                    found.setdefault(m.organisation_id, set()).update(managers)
        return found

    def of_members(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str) -> list[Authority]:
        orgs, users = set(organisation_ids), set(user_ids)
        return [a for a in self._current() if a.organisation_id in orgs and a.user_id in users
                and a.category == category]

    def as_it_stood(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str,
                    at: datetime) -> list[Authority]:
        orgs, users = set(organisation_ids), set(user_ids)
        return [v.authority for v in self.d.authorities
                if v.authority.organisation_id in orgs and v.authority.user_id in users
                and v.authority.category == category and v.granted_at <= at
                and (v.superseded_at is None or v.superseded_at > at)]

    def _named(self, workspace_id: int) -> list[tuple[str, Authority]]:
        orgs = _organisations(self.s)
        return [(orgs[a.organisation_id][1].name, a) for a in self._current()
                if a.organisation_id in orgs and orgs[a.organisation_id][0] == workspace_id]

    def of_user(self, workspace_id: int, user_id: str) -> list[tuple[str, Authority]]:
        return sorted(((name, a) for name, a in self._named(workspace_id) if a.user_id == user_id),
                      key=lambda pair: (pair[0], pair[1].category))

    def of_workspace(self, workspace_id: int) -> list[tuple[str, Authority]]:
        return sorted(self._named(workspace_id), key=lambda pair: (pair[0], pair[1].user_id, pair[1].category))


class FakeChains(ports.ChainRepository):
    def __init__(self, s: Store):
        self.d = s.delegation

    def get(self, organisation_id: int) -> Chain | None:
        levels = self.d.chains.get(organisation_id)
        return Chain(organisation_id, tuple(sorted(levels, key=lambda lv: lv.position))) if levels else None

    def of(self, organisation_ids: Iterable[int]) -> dict[int, Chain]:
        return {oid: chain for oid in set(organisation_ids) if (chain := self.get(oid))}

    def replace(self, organisation_id: int, levels: Iterable[Level], *, by: str, at: datetime) -> None:
        self.d.chains.pop(organisation_id, None)
        if levels := tuple(levels):
            self.d.chains[organisation_id] = levels


class FakeDeputies(ports.DeputyRepository):
    def __init__(self, s: Store):
        self.d = s.delegation

    def of(self, organisation_id: int, *, on_or_after: date) -> list[Deputy]:
        return sorted((d for oid, d in self.d.deputies if oid == organisation_id and d.until_date >= on_or_after),
                      key=lambda d: d.from_date)  # a stable sort keeps the order they were added in

    def add(self, organisation_id: int, deputy: Deputy, *, by: str) -> None:
        self.d.deputies.append((organisation_id, deputy))


class FakeEscalations(ports.EscalationRepository):
    def __init__(self, s: Store):
        self.s, self.d = s, s.delegation

    def _read(self, e: Escalation) -> Escalation:
        """A fresh copy named as its organisation is named now."""
        return replace(copy.deepcopy(e), organisation=_organisations(self.s)[e.organisation_id][1].name)

    def _by_name(self, found: Iterable[Escalation]) -> list[Escalation]:
        return sorted((self._read(e) for e in found), key=lambda e: (clean(e.organisation).casefold(), e.id))

    def add(self, e: Escalation) -> int:
        escalation_id = len(self.d.escalations) + 1
        self.d.escalations[escalation_id] = replace(copy.deepcopy(e), id=escalation_id)
        return escalation_id

    def get(self, escalation_id: int, *, lock: bool = False) -> Escalation | None:
        found = self.d.escalations.get(escalation_id)
        return self._read(found) if found else None

    def save(self, e: Escalation) -> None:
        held = self.d.escalations.get(e.id) if e.id is not None else None
        if e.id is not None and held is not None:
            self.d.escalations[e.id] = replace(held, **{name: copy.deepcopy(getattr(e, name)) for name in SAVED})

    def of_proposal(self, proposal_id: int) -> list[Escalation]:
        return self._by_name(e for e in self.d.escalations.values() if e.proposal_id == proposal_id)

    def of_proposals(self, proposal_ids: list[int]) -> dict[int, list[Escalation]]:
        found: dict[int, list[Escalation]] = {pid: [] for pid in proposal_ids}
        for e in self._by_name(e for e in self.d.escalations.values() if e.proposal_id in found):
            found[e.proposal_id].append(e)
        return found

    def sits_for(self, organisation_id: int, user_id: str) -> bool:
        return any(m.organisation_id == organisation_id and m.user_id == user_id
                   for _, board in self.s.boards.values() for m in board.members)

    def open_of_organisation(self, organisation_id: int) -> list[Escalation]:
        return [self._read(e) for e in self.d.escalations.values()
                if e.organisation_id == organisation_id and e.state is EscalationState.OPEN]

    def open_for(self, workspace_id: int, user_id: str) -> list[Waiting]:
        boards = {bid for bid, (_, b) in self.s.boards.items() if b.member(user_id)}
        found = []
        for e in self.d.escalations.values():
            p = self.s.proposals[e.proposal_id]
            ws, board = self.s.boards[p.board_id or 0]
            if (ws == workspace_id and e.state is EscalationState.OPEN
                    and (p.board_id in boards or e.named(user_id))):
                found.append(Waiting(self._read(e), p.title, p.channel_id, p.message_ts, board.timezone))
        return sorted(found, key=lambda w: (w.escalation.opened_at, w.escalation.id or 0))[:LISTED]


class FakeCategoryRules(ports.CategoryRuleRepository):
    def __init__(self, s: Store):
        self.d = s.delegation

    def of_board(self, board_id: int) -> dict[str, CategoryRule]:
        return dict(self.d.category_rules.get(board_id, {}))

    def replace(self, board_id: int, rules: list[CategoryRule]) -> None:
        self.d.category_rules[board_id] = {r.category: replace(r, threshold=r.threshold or None) for r in rules}


class FakeDelegated(ports.DelegatedRepository):
    def __init__(self, s: Store):
        self.s, self.d = s, s.delegation

    def _item(self, proposal_id: int, row: Queued) -> Delegated:
        p = self.s.proposals[proposal_id]
        return Delegated(proposal_id, p.number, p.title, row.queued_at, row.reviewed_by, row.reviewed_at, row.note)

    def queue(self, proposal_id: int, board_id: int, *, at: datetime) -> None:
        self.d.delegated.setdefault(proposal_id, Queued(board_id, at))

    def of_board(self, board_id: int, *, reviewed: bool = False) -> list[Delegated]:
        rows = sorted(((pid, row) for pid, row in self.d.delegated.items()
                       if row.board_id == board_id and (row.reviewed_at is not None) == reviewed),
                      key=lambda pair: (pair[1].queued_at, pair[0]))
        return [self._item(pid, row) for pid, row in rows[:LISTED]]

    def get(self, proposal_id: int) -> Delegated | None:
        row = self.d.delegated.get(proposal_id)
        return self._item(proposal_id, row) if row else None

    def mark_reviewed(self, proposal_id: int, *, by: str, at: datetime, note: str) -> None:
        if proposal_id in self.d.delegated:
            self.d.delegated[proposal_id] = replace(self.d.delegated[proposal_id], reviewed_by=by, reviewed_at=at,
                                                    note=note)
