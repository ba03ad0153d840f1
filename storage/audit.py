"""Appending to and reading the keyed, hash-chained audit log."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS, AuditEvent, canonical, event_hash, pseudonym, respondent_pseudonym
from bot.services import repositories_outbox as ports
from storage.models import AuditEventRow, AuditHead, MemberRow, Organisation, ProposalRow, VoteRow


class AuditLog(ports.AuditLog):
    """The audit log inside one unit of work."""

    def __init__(self, session: Session, *, key: bytes):
        self.session = session
        self._key = key

    def lock_head(self) -> None:
        """Take the head row lock now, ahead of outbox rows (the lock order, storage/outbox.py), to append later."""
        self.session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())

    def append(self, *, actor: str, action: str, payload: dict, at: datetime) -> AuditEvent:
        """Chain a new event, which happened `at`, to the tip; the head row lock makes concurrent appends queue."""
        head = self.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
        occurred_at = at
        body = json.loads(canonical(payload))
        seq = head.seq + 1
        digest = event_hash(
            seq=seq, actor=actor, action=action, payload=body, occurred_at=occurred_at, prev_hash=head.hash,
            key=self._key,
        )
        self.session.add(
            AuditEventRow(
                seq=seq, actor=actor, action=action, payload=canonical(body),
                occurred_at=occurred_at, prev_hash=head.hash, hash=digest, keyed=True,
            )
        )
        prev_hash, head.seq, head.hash = head.hash, seq, digest
        return AuditEvent(seq, actor, action, body, occurred_at, prev_hash, digest, keyed=True)

    def append_many(self, events: Iterable[tuple[str, str, dict]], *, at: datetime) -> None:
        """Chain (actor, action, payload) events, all at `at`, taking the head lock once: a bulk import's rows."""
        head = self.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
        seq, prev_hash, rows = head.seq, head.hash, []
        for actor, action, payload in events:
            body, seq = json.loads(canonical(payload)), seq + 1
            digest = event_hash(seq=seq, actor=actor, action=action, payload=body, occurred_at=at,
                                prev_hash=prev_hash, key=self._key)
            rows.append(dict(seq=seq, actor=actor, action=action, payload=canonical(body), occurred_at=at,
                             prev_hash=prev_hash, hash=digest, keyed=True))
            prev_hash = digest
        if rows:
            self.session.execute(insert(AuditEventRow), rows)
            head.seq, head.hash = seq, prev_hash

    def pseudonym(self, proposal_id: int, user_id: str) -> str:
        """How a secret ballot's events name this voter: stable per proposal, meaningless without the key."""
        return pseudonym(self._key, proposal_id, user_id)

    def respondent(self, round_id: int, user_id: str) -> str:
        """How an unattributed checklist round names this respondent: stable per round, meaningless without the key."""
        return respondent_pseudonym(self._key, round_id, user_id)


def read_events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event in order, read in batches so a long log does not fill memory."""
    last = 0
    while True:
        rows = session.execute(
            select(AuditEventRow).where(AuditEventRow.seq > last).order_by(AuditEventRow.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        for row in rows:
            yield AuditEvent(row.seq, row.actor, row.action, json.loads(row.payload), row.occurred_at,
                             row.prev_hash, row.hash, row.keyed)
        last = rows[-1].seq


def read_head(session: Session) -> tuple[int, str]:
    """The recorded tip of the chain: last sequence number and hash."""
    head = session.get(AuditHead, 1)
    return (head.seq, head.hash) if head else (0, GENESIS)


def last_event(session: Session) -> AuditEvent | None:
    """The newest event, or None for an empty log."""
    row = session.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(1)).scalar()
    if row is None:
        return None
    return AuditEvent(row.seq, row.actor, row.action, json.loads(row.payload), row.occurred_at, row.prev_hash,
                      row.hash, row.keyed)


def member_table(session: Session) -> dict[tuple[int, str], tuple[str, str]]:
    """Every board seat as the members table holds it: (board_id, user) -> (organisation name, role)."""
    rows = session.execute(
        select(MemberRow.board_id, MemberRow.user_id, Organisation.name, MemberRow.role)
        .join(Organisation, Organisation.id == MemberRow.organisation_id)
    )
    return {(board_id, user): (organisation, role) for board_id, user, organisation, role in rows}


def vote_table(session: Session) -> list[tuple[int, str, str, bool]]:
    """Every vote as the votes table holds it: (proposal_id, user, position, whether the ballot is secret)."""
    rows = session.execute(
        select(VoteRow.proposal_id, VoteRow.user_id, VoteRow.position, ProposalRow.secret)
        .join(ProposalRow, ProposalRow.id == VoteRow.proposal_id)
    )
    return [(proposal, user, position, bool(secret)) for proposal, user, position, secret in rows]
