"""The audit log's hash chain: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """One recorded change: who did what, when, with what details."""

    seq: int
    actor: str
    action: str
    payload: dict
    occurred_at: datetime
    prev_hash: str
    hash: str


def canonical(payload: dict) -> str:
    """The payload as stable JSON, so the same content always hashes the same."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(*, seq: int, actor: str, action: str, payload: dict, occurred_at: datetime, prev_hash: str) -> str:
    """SHA-256 over an event's fields and the hash before it."""
    material = canonical({
        "seq": seq, "actor": actor, "action": action, "payload": payload,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"), "prev_hash": prev_hash,
    })
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    """Where the chain first fails to verify, and why."""

    seq: int
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    """How many events were checked and the first broken link, if any."""

    events: int
    broken: BrokenLink | None


def check_chain(events: Iterable[AuditEvent], *, head_seq: int, head_hash: str) -> ChainCheck:
    """Verify each event's hash and link in order, then that the chain ends at the recorded head."""
    expected_prev, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq:
            return ChainCheck(expected_seq - 1, BrokenLink(expected_seq, f"event {expected_seq} is missing"))
        if event.prev_hash != expected_prev:
            return ChainCheck(expected_seq - 1, BrokenLink(event.seq, "its link to the previous event does not match"))
        recomputed = event_hash(
            seq=event.seq, actor=event.actor, action=event.action, payload=event.payload,
            occurred_at=event.occurred_at, prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainCheck(expected_seq - 1, BrokenLink(event.seq, "its content no longer matches its hash"))
        expected_prev, expected_seq = event.hash, expected_seq + 1
    count = expected_seq - 1
    if count != head_seq:
        return ChainCheck(count, BrokenLink(min(count, head_seq) + 1,
                                            f"the log holds {count} events but its head records {head_seq}"))
    if expected_prev != head_hash:
        return ChainCheck(count, BrokenLink(count, "the last event does not match the recorded head"))
    return ChainCheck(count, None)
