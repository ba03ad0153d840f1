"""The audit log's chain: each event's HMAC covers its content and the previous hash, under a key kept
outside the database, so whoever can write the database still cannot rewrite the log unnoticed.

Events written before the chain was keyed carry a plain SHA-256 and are accepted only as a prefix:
the first keyed event links to the last of them and so anchors them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64
MIN_KEY_BYTES = 32
PSEUDONYM_CHARS = 16
HEX = re.compile(r"[0-9a-fA-F]+")
HEAD = re.compile(r"(\d+):([0-9a-f]{64})")


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
    keyed: bool = True


def canonical(payload: dict) -> str:
    """The payload as stable JSON, so the same content always hashes the same."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(*, seq: int, actor: str, action: str, payload: dict, occurred_at: datetime, prev_hash: str,
               key: bytes | None) -> str:
    """HMAC-SHA256 under `key` over an event's fields and the hash before it; plain SHA-256 when key is None."""
    material = canonical({
        "seq": seq, "actor": actor, "action": action, "payload": payload,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"), "prev_hash": prev_hash,
    }).encode("utf-8")
    if key is None:
        return hashlib.sha256(material).hexdigest()
    return hmac.new(key, material, hashlib.sha256).hexdigest()


def decode_key(text: str) -> bytes:
    """The key bytes from hex or base64 text; ValueError (safe to show, never echoing the key) otherwise."""
    text = text.strip()
    if HEX.fullmatch(text) and len(text) % 2 == 0:
        key = bytes.fromhex(text)
    else:
        try:
            key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"must be at least {MIN_KEY_BYTES} random bytes written as hex "
                             f"({2 * MIN_KEY_BYTES}+ hex digits) or base64; it is neither") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"is {len(key)} bytes long; it must be at least {MIN_KEY_BYTES} random bytes "
                         f"(e.g. `openssl rand -hex {MIN_KEY_BYTES}`)")
    return key


def pseudonym(key: bytes, proposal_id: int, user_id: str) -> str:
    """A secret-ballot voter's stable name within one proposal: unlinkable across proposals without the key."""
    sub_key = hmac.new(key, b"collab-bot/secret-ballot-voter", hashlib.sha256).digest()
    return hmac.new(sub_key, f"{proposal_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_CHARS]


def respondent_pseudonym(key: bytes, round_id: int, user_id: str) -> str:
    """An unattributed checklist respondent's stable name within one round: meaningless without the key."""
    sub_key = hmac.new(key, b"collab-bot/checklist-respondent", hashlib.sha256).digest()
    return "p-" + hmac.new(sub_key, f"{round_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_CHARS]


def parse_head(text: str) -> tuple[int, str]:
    """`SEQ:HASH` as `audit head` prints it; ValueError saying what it should look like."""
    match = HEAD.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError("must look like SEQ:HASH (a number, a colon and 64 hex digits), as `collab-bot audit head` "
                         "prints it")
    return int(match.group(1)), match.group(2)


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


def _content_reason(event: AuditEvent, first_keyed: bool) -> str:
    if not event.keyed:
        return "its content no longer matches its hash"
    if first_keyed:
        return ("its content does not match its keyed hash: either it was changed, or COLLAB_AUDIT_KEY (or the "
                "key file) is not the key the log was written with")
    return "its content no longer matches its keyed hash"


def check_chain(events: Iterable[AuditEvent], *, head_seq: int, head_hash: str, key: bytes,
                expect: tuple[int, str] | None = None) -> ChainCheck:
    """Verify each event's hash and link in order, that unkeyed events only precede keyed ones, that the chain
    ends at the recorded head, and (given `expect`, an earlier `SEQ:HASH`) that the event there is unchanged."""
    expected_prev, expected_seq, keyed_seen, seen_at_expect = GENESIS, 1, False, None
    for event in events:
        done = expected_seq - 1
        if event.seq != expected_seq:
            return ChainCheck(done, BrokenLink(expected_seq, f"event {expected_seq} is missing"))
        if keyed_seen and not event.keyed:
            return ChainCheck(done, BrokenLink(event.seq, "it is not keyed but follows keyed events; only events "
                                                          "from before the log was keyed may be unkeyed"))
        if event.prev_hash != expected_prev:
            return ChainCheck(done, BrokenLink(event.seq, "its link to the previous event does not match"))
        recomputed = event_hash(
            seq=event.seq, actor=event.actor, action=event.action, payload=event.payload,
            occurred_at=event.occurred_at, prev_hash=event.prev_hash, key=key if event.keyed else None,
        )
        if not hmac.compare_digest(recomputed, event.hash):
            return ChainCheck(done, BrokenLink(event.seq, _content_reason(event, event.keyed and not keyed_seen)))
        keyed_seen = keyed_seen or event.keyed
        if expect is not None and event.seq == expect[0]:
            seen_at_expect = event.hash
        expected_prev, expected_seq = event.hash, expected_seq + 1
    count = expected_seq - 1
    if count != head_seq:
        return ChainCheck(count, BrokenLink(min(count, head_seq) + 1,
                                            f"the log holds {count} events but its head records {head_seq}"))
    if expected_prev != head_hash:
        return ChainCheck(count, BrokenLink(count, "the last event does not match the recorded head"))
    if count and not keyed_seen:
        return ChainCheck(0, BrokenLink(1, f"none of its {count} events is keyed, so anyone who can write the "
                                           "database could have written them"))
    if expect is not None:
        broken = _against_expected(expect, count, GENESIS if expect[0] == 0 else seen_at_expect)
        if broken is not None:
            return ChainCheck(count, broken)
    return ChainCheck(count, None)


def _against_expected(expect: tuple[int, str], count: int, found: str | None) -> BrokenLink | None:
    seq, saved = expect
    if seq > count:
        return BrokenLink(count + 1, f"the head you saved is event {seq}, but the log now ends at event {count}: "
                                     "events were removed")
    if found != saved:
        return BrokenLink(seq, "it no longer has the hash you saved for it: the log was rewritten")
    return None
