"""In-memory fakes of the audit log (storage/audit.py) and of the tables `audit verify` reads (storage/audit_tables.py).

The log is a real keyed chain, kept in `Store.chain`, so `verify_audit` checks it as it checks the database's;
`Store.audit` keeps each entry as (actor, action, payload) for tests to read. The tables are read from the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.audit import GENESIS, AuditEvent, canonical, event_hash, pseudonym, respondent_pseudonym
from bot.domain.audit_rows import Row
from bot.domain.proposals import DEFAULT_CATEGORIES
from bot.domain.scheme import describe_grant
from bot.services import repositories_outbox as ports
from tests.fakes_checklists import state_of

if TYPE_CHECKING:
    from tests.fakes import Store

MONEY = {c.key for c in DEFAULT_CATEGORIES if c.is_money}  # every workspace with a board has the defaults


class FakeAudit(ports.AuditLog):
    def __init__(self, s: Store, *, key: bytes):
        self.s, self._key = s, key

    def lock_head(self) -> None:
        pass  # one writer at a time already

    def append(self, *, actor: str, action: str, payload: dict, at: datetime) -> AuditEvent:
        body = json.loads(canonical(payload))
        seq, prev_hash = len(self.s.chain) + 1, self.s.chain[-1].hash if self.s.chain else GENESIS
        digest = event_hash(seq=seq, actor=actor, action=action, payload=body, occurred_at=at, prev_hash=prev_hash,
                            key=self._key)
        event = AuditEvent(seq, actor, action, body, at, prev_hash, digest, keyed=True)
        self.s.chain.append(event)
        self.s.audit.append((actor, action, payload))
        return event

    def append_many(self, events: Iterable[tuple[str, str, dict]], *, at: datetime) -> None:
        for actor, action, payload in events:
            self.append(actor=actor, action=action, payload=payload, at=at)

    def pseudonym(self, proposal_id: int, user_id: str) -> str:
        return pseudonym(self._key, proposal_id, user_id)

    def respondent(self, round_id: int, user_id: str) -> str:
        return respondent_pseudonym(self._key, round_id, user_id)


class FakeAuditTables(ports.AuditTables):
    def __init__(self, s: Store):
        self.s = s

    def snapshot(self) -> None:
        pass  # a fake unit of work reads a copy of the store

    def head(self) -> tuple[int, str]:
        return (self.s.chain[-1].seq, self.s.chain[-1].hash) if self.s.chain else (0, GENESIS)

    def events(self) -> Iterator[AuditEvent]:
        return iter(list(self.s.chain))

    def members(self) -> dict[tuple[int, str], tuple[str, str]]:
        return {(board_id, m.user_id): (m.organisation, m.role.value)
                for board_id, (_, board) in self.s.boards.items() for m in board.members}

    def votes(self) -> list[tuple[int, str, str, bool]]:
        return [(pid, user, v.position.value, self.s.proposals[pid].secret)
                for pid, votes in self.s.votes.items() for user, v in votes.items()]

    def history(self) -> list[tuple[int, str, str, str, bool]]:
        changes = [(c.at, pid, c) for pid, found in self.s.history.items() for c in found]
        return [(pid, c.user_id, c.position.value, c.reason or "", self.s.proposals[pid].secret)
                for _, pid, c in sorted(changes, key=lambda change: change[0])]

    def proposals(self) -> dict[tuple, Row]:
        return {(p.id,): {"status": p.status.value, "number": p.number,
                          "outcome": p.result.outcome.value if p.result else None, "title": p.title,
                          "category": p.category, "amount_pence": p.amount_pence, "rule": p.rule.value,
                          "secret": p.secret} for p in self.s.proposals.values()}

    def escalations(self) -> dict[tuple, Row]:
        return {(e.id,): {"proposal_id": e.proposal_id, "state": e.state.value, "level_title": e.level_title,
                          "level_position": e.level_position, "approvers": " ".join(e.approvers),
                          "reminded": e.reminded, "answered_by": e.answered_by, "answered_for": e.answered_for,
                          "comment": e.comment or "", "amount_pence": e.amount_pence}
                for e in self.s.delegation.escalations.values()}

    def organisation_names(self) -> dict[int, str]:
        return {o.id: o.name for o in self.s.organisations.values()}

    def authorities(self) -> dict[tuple, Row]:
        found = {}
        for v in self.s.delegation.authorities:
            a = v.authority
            found[(a.organisation_id, a.user_id, a.category, a.version)] = {
                "limit": describe_grant(a.amount_pence, a.unlimited, a.allowed, money=a.category in MONEY),
                "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None,
                "granted_by": a.granted_by, "superseded": v.superseded_at is not None}
        return found

    def chain_levels(self) -> dict[tuple, Row]:
        return {(oid, lv.position): {"title": lv.title, "approvers": " ".join(lv.approvers),
                                     "channel_id": lv.channel_id, "limit_pence": lv.limit_pence,
                                     "response_days": lv.response_days, "approves_other": lv.approves_other}
                for oid, levels in self.s.delegation.chains.items() for lv in levels}

    def answers(self) -> list[tuple[int, str, str, str | None, str, str]]:
        return [(r, who, q, a.value, a.note or "", a.evidence or "")
                for (r, who, q), a in state_of(self.s).answers.items()]

    def tallies(self) -> list[tuple[int, str, str, int]]:
        return [(r, q, value, count) for (r, q, value), count in state_of(self.s).tallies.items()]
