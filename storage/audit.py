"""Appending to and reading the hash-chained audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.audit import GENESIS, AuditEvent, canonical, event_hash
from storage.models import AuditEventRow, AuditHead


def utcnow() -> datetime:
    """Now in UTC without tzinfo, as both SQLite and PostgreSQL store and return it."""
    return datetime.now(UTC).replace(tzinfo=None)


class AuditLog:
    """The audit log inside one unit of work."""

    def __init__(self, session: Session):
        self.session = session

    def append(self, *, actor: str, action: str, payload: dict) -> AuditEvent:
        """Chain a new event to the tip; the head row lock makes concurrent appends queue."""
        head = self.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
        occurred_at = utcnow()
        body = json.loads(canonical(payload))
        seq = head.seq + 1
        digest = event_hash(
            seq=seq, actor=actor, action=action, payload=body, occurred_at=occurred_at, prev_hash=head.hash
        )
        self.session.add(
            AuditEventRow(
                seq=seq, actor=actor, action=action, payload=canonical(body),
                occurred_at=occurred_at, prev_hash=head.hash, hash=digest,
            )
        )
        prev_hash, head.seq, head.hash = head.hash, seq, digest
        return AuditEvent(seq, actor, action, body, occurred_at, prev_hash, digest)


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
            yield AuditEvent(
                row.seq, row.actor, row.action, json.loads(row.payload), row.occurred_at, row.prev_hash, row.hash
            )
        last = rows[-1].seq


def read_head(session: Session) -> tuple[int, str]:
    """The recorded tip of the chain: last sequence number and hash."""
    head = session.get(AuditHead, 1)
    return (head.seq, head.hash) if head else (0, GENESIS)
