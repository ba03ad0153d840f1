"""Checking the audit log's hash chain end to end."""

from __future__ import annotations

from bot.domain.audit import ChainCheck, check_chain
from storage.audit import read_events, read_head
from storage.uow import Database


def verify_audit(db: Database) -> ChainCheck:
    """Walk the whole chain in order and compare its end with the recorded head."""
    with db.read() as uow:
        head_seq, head_hash = read_head(uow.session)
        return check_chain(read_events(uow.session), head_seq=head_seq, head_hash=head_hash)
