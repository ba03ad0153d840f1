"""The audit log's keyed chain: an intact chain verifies and every kind of tampering is found at its seq."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain.audit import GENESIS, AuditEvent, canonical, check_chain, event_hash

START = datetime(2025, 4, 1, 9, 30, 0, 123456)
KEY = b"k" * 32


def chain(payloads: list[dict]) -> list[AuditEvent]:
    """A correctly linked chain of events carrying the payloads."""
    events, prev = [], GENESIS
    for index, payload in enumerate(payloads):
        seq, actor, at = index + 1, f"U{index}", START + timedelta(seconds=index)
        digest = event_hash(seq=seq, actor=actor, action="member.added", payload=payload, occurred_at=at,
                            prev_hash=prev, key=KEY)
        events.append(AuditEvent(seq, actor, "member.added", payload, at, prev, digest))
        prev = digest
    return events


FIVE = chain([{"user": f"U{i}", "organisation": f"Trust {i}", "role": "member"} for i in range(5)])


def verify(events: list[AuditEvent]):
    """Check events against the head recorded for the untampered five-event log."""
    return check_chain(events, head_seq=len(FIVE), head_hash=FIVE[-1].hash, key=KEY)


def tampered(events: list[AuditEvent], seq: int, **changes) -> list[AuditEvent]:
    return [dataclasses.replace(e, **changes) if e.seq == seq else e for e in events]


def test_an_intact_chain_verifies():
    result = verify(FIVE)
    assert result.broken is None
    assert result.events == 5


def test_an_empty_chain_with_head_zero_verifies():
    result = check_chain([], head_seq=0, head_hash=GENESIS, key=KEY)
    assert result.broken is None
    assert result.events == 0


def test_the_hash_is_stable_and_ignores_payload_key_order():
    a = event_hash(seq=1, actor="U1", action="x", payload={"a": 1, "b": 2}, occurred_at=START, prev_hash=GENESIS,
                   key=KEY)
    b = event_hash(seq=1, actor="U1", action="x", payload={"b": 2, "a": 1}, occurred_at=START, prev_hash=GENESIS,
                   key=KEY)
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_changed_payload_is_reported_at_its_seq(seq):
    result = verify(tampered(FIVE, seq, payload={"user": "UEVIL", "organisation": "Trust", "role": "chair"}))
    assert result.broken.seq == seq
    assert "content" in result.broken.reason
    assert result.events == seq - 1


def test_a_changed_actor_is_reported_at_its_seq():
    assert verify(tampered(FIVE, 2, actor="UEVIL")).broken.seq == 2


def test_a_changed_action_is_reported_at_its_seq():
    assert verify(tampered(FIVE, 4, action="member.removed")).broken.seq == 4


def test_a_timestamp_moved_by_one_microsecond_is_reported_at_its_seq():
    moved = FIVE[2].occurred_at + timedelta(microseconds=1)
    assert verify(tampered(FIVE, 3, occurred_at=moved)).broken.seq == 3


def test_an_event_deleted_from_the_middle_is_reported_missing():
    result = verify([e for e in FIVE if e.seq != 3])
    assert result.broken.seq == 3
    assert "missing" in result.broken.reason
    assert result.events == 2


def test_a_truncated_tail_is_reported_after_the_last_event_kept():
    result = verify(FIVE[:3])
    assert result.broken.seq == 4
    assert "3 events" in result.broken.reason and "5" in result.broken.reason


def test_events_beyond_the_recorded_head_are_reported():
    result = check_chain(FIVE, head_seq=3, head_hash=FIVE[2].hash, key=KEY)
    assert result.broken.seq == 4


@pytest.mark.parametrize(("first", "second"), [(1, 2), (2, 3), (2, 5)])
def test_reordered_events_are_reported_at_the_first_position_out_of_place(first, second):
    events = list(FIVE)
    events[first - 1], events[second - 1] = events[second - 1], events[first - 1]
    assert verify(events).broken.seq == first


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_link():
    forged = FIVE[2]
    forged_payload = {"user": "UEVIL", "role": "chair"}
    digest = event_hash(seq=3, actor=forged.actor, action=forged.action, payload=forged_payload,
                        occurred_at=forged.occurred_at, prev_hash=forged.prev_hash, key=KEY)
    result = verify(tampered(FIVE, 3, payload=forged_payload, hash=digest))
    assert result.broken.seq == 4
    assert "link" in result.broken.reason


def test_a_wrong_prev_hash_on_the_first_event_is_reported():
    assert verify(tampered(FIVE, 1, prev_hash="f" * 64)).broken.seq == 1


def test_a_head_hash_that_does_not_match_the_last_event_is_reported_at_the_last_event():
    result = check_chain(FIVE, head_seq=5, head_hash="0" * 63 + "1", key=KEY)
    assert result.broken.seq == 5
    assert result.events == 5


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(max_size=10), json_values, max_size=4)


@given(data=st.data(), originals=st.lists(payloads, min_size=1, max_size=12))
def test_tampering_with_any_one_payload_is_reported_at_exactly_that_seq(data, originals):
    events = chain(originals)
    seq = data.draw(st.integers(min_value=1, max_value=len(events)), label="seq")
    replacement = data.draw(payloads, label="replacement")
    assume(canonical(replacement) != canonical(events[seq - 1].payload))
    result = check_chain(tampered(events, seq, payload=replacement), head_seq=len(events),
                         head_hash=events[-1].hash, key=KEY)
    assert result.broken is not None
    assert result.broken.seq == seq
    assert result.events == seq - 1


@given(st.lists(payloads, max_size=12))
def test_any_untampered_chain_verifies(originals):
    events = chain(originals)
    result = check_chain(events, head_seq=len(events), head_hash=events[-1].hash if events else GENESIS, key=KEY)
    assert result.broken is None
    assert result.events == len(events)


class FakeHead:
    def __init__(self, seq: int, hash: str):
        self.id, self.seq, self.hash = 1, seq, hash


class FakeSession:
    """Just enough of a SQLAlchemy session for AuditLog.append: one head row, and added rows kept."""

    def __init__(self, head: FakeHead):
        self.head, self.added = head, []

    def execute(self, _statement):
        head = self.head

        class Result:
            def scalar_one(self):
                return head

        return Result()

    def add(self, row):
        self.added.append(row)


def test_an_appended_event_links_to_the_previous_head():
    from storage.audit import AuditLog

    session = FakeSession(FakeHead(seq=5, hash=FIVE[4].hash))
    at = datetime(2026, 11, 24, 9, 30)
    event = AuditLog(session, key=KEY).append(actor="U1", action="member.added", payload={"user": "U2"}, at=at)
    assert event.occurred_at == at
    assert (event.seq, session.head.seq, session.head.hash) == (6, 6, event.hash)
    assert session.added[0].prev_hash == FIVE[4].hash
    assert event.prev_hash == FIVE[4].hash
    assert event.keyed and session.added[0].keyed
    assert event.hash == event_hash(seq=6, actor="U1", action="member.added", payload={"user": "U2"},
                                    occurred_at=event.occurred_at, prev_hash=FIVE[4].hash, key=KEY)
