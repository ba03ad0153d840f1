"""The keyed chain's rules: no key, no forgery; unkeyed events only as a prefix; a saved head pins the past."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime, timedelta

import pytest

from bot.domain.audit import GENESIS, AuditEvent, check_chain, decode_key, event_hash, parse_head, pseudonym

KEY = b"k" * 32
START = datetime(2025, 4, 1, 9, 30)


def chain(keyed: list[bool], *, key: bytes = KEY) -> list[AuditEvent]:
    """A correctly linked chain; event i is HMAC-keyed when keyed[i], plain SHA-256 otherwise."""
    events, prev = [], GENESIS
    for index, is_keyed in enumerate(keyed):
        seq, at, payload = index + 1, START + timedelta(seconds=index), {"n": index}
        digest = event_hash(seq=seq, actor="U1", action="x", payload=payload, occurred_at=at, prev_hash=prev,
                            key=key if is_keyed else None)
        events.append(AuditEvent(seq, "U1", "x", payload, at, prev, digest, is_keyed))
        prev = digest
    return events


def verify(events: list[AuditEvent], *, key: bytes = KEY, expect=None):
    return check_chain(events, head_seq=len(events), head_hash=events[-1].hash if events else GENESIS, key=key,
                       expect=expect)


def test_a_keyed_hash_is_not_the_plain_sha256_and_depends_on_the_key():
    fields = dict(seq=1, actor="U1", action="x", payload={}, occurred_at=START, prev_hash=GENESIS)
    plain = event_hash(**fields, key=None)
    assert len({plain, event_hash(**fields, key=KEY), event_hash(**fields, key=b"j" * 32)}) == 3


def test_a_chain_rebuilt_without_the_key_is_broken_at_its_first_event():
    forged = chain([True] * 4, key=b"intruder's own key, 32 bytes...")
    result = verify(forged)
    assert result.broken.seq == 1
    assert "COLLAB_AUDIT_KEY" in result.broken.reason


def test_an_edited_event_rechained_without_the_key_is_broken_at_that_event():
    events = chain([True] * 5)
    prev, rebuilt = events[1].hash, events[:2]
    for event in events[2:]:
        payload = {"n": "forged"} if event.seq == 3 else event.payload
        digest = event_hash(seq=event.seq, actor=event.actor, action=event.action, payload=payload,
                            occurred_at=event.occurred_at, prev_hash=prev, key=None)
        rebuilt.append(dataclasses.replace(event, payload=payload, prev_hash=prev, hash=digest, keyed=False))
        prev = digest
    result = verify(rebuilt)
    assert result.broken.seq == 3
    assert "not keyed but follows keyed events" in result.broken.reason


def test_unkeyed_events_before_the_first_keyed_one_verify():
    result = verify(chain([False, False, False, True, True]))
    assert result.broken is None and result.events == 5


def test_a_chain_of_only_unkeyed_events_is_broken():
    result = verify(chain([False] * 3))
    assert result.broken is not None
    assert "none of its 3 events is keyed" in result.broken.reason


def test_an_unkeyed_event_after_a_keyed_one_is_broken_there():
    result = verify(chain([False, True, False, True]))
    assert result.broken.seq == 3


def test_a_rewritten_unkeyed_prefix_breaks_the_link_of_the_keyed_event_anchoring_it():
    events = chain([False, False, True])
    forged_payload = {"n": "forged"}
    first = events[0]
    digest = event_hash(seq=1, actor=first.actor, action=first.action, payload=forged_payload,
                        occurred_at=first.occurred_at, prev_hash=GENESIS, key=None)
    second = events[1]
    second_digest = event_hash(seq=2, actor=second.actor, action=second.action, payload=second.payload,
                               occurred_at=second.occurred_at, prev_hash=digest, key=None)
    forged = [dataclasses.replace(first, payload=forged_payload, hash=digest),
              dataclasses.replace(second, prev_hash=digest, hash=second_digest), events[2]]
    result = verify(forged)
    assert result.broken.seq == 3
    assert "link" in result.broken.reason


def test_a_saved_head_that_still_matches_verifies():
    events = chain([True] * 5)
    assert verify(events, expect=(3, events[2].hash)).broken is None
    assert verify(events, expect=(0, GENESIS)).broken is None


def test_a_log_cut_back_before_a_saved_head_is_broken():
    events = chain([True] * 5)
    result = verify(events[:3], expect=(5, events[4].hash))
    assert result.broken.seq == 4
    assert "removed" in result.broken.reason


def test_a_saved_head_whose_event_now_has_another_hash_is_broken():
    events = chain([True] * 5)
    result = verify(events, expect=(4, "f" * 64))
    assert result.broken.seq == 4
    assert "rewritten" in result.broken.reason


@pytest.mark.parametrize("text", ["12:" + "a" * 64, " 12:" + "A" * 64 + "\n"])
def test_a_head_is_read_as_seq_colon_hash(text):
    assert parse_head(text) == (12, "a" * 64)


@pytest.mark.parametrize("text", ["", "12", "12:abc", "x:" + "a" * 64, "12:" + "g" * 64, "-1:" + "a" * 64])
def test_a_malformed_head_says_what_it_should_look_like(text):
    with pytest.raises(ValueError, match="SEQ:HASH"):
        parse_head(text)


def test_a_key_is_read_from_hex_or_base64():
    raw = bytes(range(40))
    assert decode_key(raw.hex()) == raw
    assert decode_key(base64.b64encode(raw).decode()) == raw
    assert decode_key(base64.urlsafe_b64encode(raw).decode()) == raw


@pytest.mark.parametrize(("text", "says"), [("ab" * 16, "16 bytes"), ("not a key at all!", "neither"),
                                            (base64.b64encode(b"short").decode(), "5 bytes")])
def test_a_short_or_unreadable_key_is_refused_without_echoing_it(text, says):
    with pytest.raises(ValueError) as raised:
        decode_key(text)
    assert says in str(raised.value) and text not in str(raised.value)


def test_a_pseudonym_is_stable_per_proposal_and_unlinkable_across_proposals_and_keys():
    name = pseudonym(KEY, 12, "U3")
    assert name == pseudonym(KEY, 12, "U3")
    assert len(name) == 16 and int(name, 16) >= 0
    assert name not in {pseudonym(KEY, 13, "U3"), pseudonym(KEY, 12, "U4"), pseudonym(b"j" * 32, 12, "U3")}
