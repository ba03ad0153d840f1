"""A database whose audit events predate the key keeps verifying after the upgrade anchors them (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from bot.domain.audit import GENESIS, canonical, event_hash
from bot.outbound.registry import effects_of
from bot.services.audit import verify_audit
from storage.audit import read_events
from storage.db import make_engine, session_factories
from storage.migrate import alembic_config, upgrade
from storage.uow import Database
from tests.conftest import BACKENDS, TEST_AUDIT_KEY, fresh_database_url
from tests.integration.test_audit_keyed_chain import raw

START = datetime(2024, 6, 1, 9, 0)
OLD = [("UCHAIR", "organisation.added", {"team": "T1", "organisation": f"Trust {n}"}) for n in range(3)]


def insert_old_events(url: str, events=OLD) -> str:
    """Write events as the bot did before the key existed (plain SHA-256); the last hash."""
    engine = make_engine(url)
    prev = GENESIS
    with engine.begin() as conn:
        for seq, (actor, action, payload) in enumerate(events, start=1):
            at = START + timedelta(minutes=seq)
            digest = event_hash(seq=seq, actor=actor, action=action, payload=payload, occurred_at=at,
                                prev_hash=prev, key=None)
            conn.execute(text("INSERT INTO audit_events (seq, actor, action, payload, occurred_at, prev_hash, hash) "
                              "VALUES (:seq, :actor, :action, :payload, :at, :prev, :hash)"),
                         {"seq": seq, "actor": actor, "action": action, "payload": canonical(payload), "at": at,
                          "prev": prev, "hash": digest})
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"), {"seq": len(events), "hash": prev})
    engine.dispose()
    return prev


@pytest.fixture(params=BACKENDS)
def old_database_url(request, tmp_path) -> Iterator[str]:
    """A database migrated only as far as revision 0002, before the audit log was keyed."""
    url, drop = fresh_database_url(request.param, tmp_path)
    command.upgrade(alembic_config(url), "0002")
    yield url
    drop()


def upgraded(url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine, audit_key=TEST_AUDIT_KEY)
    engine.dispose()
    return Database(*session_factories(make_engine(url)), audit_key=TEST_AUDIT_KEY, effects=effects_of)


def events_of(db: Database):
    with db.read() as uow:
        return list(read_events(uow.session))


def test_old_unkeyed_events_are_anchored_by_one_keyed_event_and_still_verify(old_database_url):
    last_old_hash = insert_old_events(old_database_url)
    db = upgraded(old_database_url)
    events = events_of(db)
    assert [e.keyed for e in events] == [False, False, False, True]
    anchor = events[-1]
    assert (anchor.action, anchor.prev_hash, anchor.payload["unkeyed_events"]) == ("audit.keyed", last_old_hash, 3)
    check = verify_audit(db)
    assert check.broken is None and check.events == 4


def test_upgrading_again_adds_no_second_anchor(old_database_url):
    insert_old_events(old_database_url)
    upgraded(old_database_url)
    db = upgraded(old_database_url)
    assert len(events_of(db)) == 4


def test_a_fresh_database_gets_no_anchor(old_database_url):
    db = upgraded(old_database_url)
    assert events_of(db) == []
    assert verify_audit(db).broken is None


def test_an_old_event_rewritten_and_rechained_after_anchoring_breaks_at_the_anchor(old_database_url):
    insert_old_events(old_database_url)
    db = upgraded(old_database_url)
    old = events_of(db)[:3]
    statements, prev = [], GENESIS
    for event in old:
        actor = "UEVIL" if event.seq == 1 else event.actor
        digest = event_hash(seq=event.seq, actor=actor, action=event.action, payload=event.payload,
                            occurred_at=event.occurred_at, prev_hash=prev, key=None)
        statements.append(("UPDATE audit_events SET actor = :actor, prev_hash = :prev, hash = :hash WHERE seq = :seq",
                           {"actor": actor, "prev": prev, "hash": digest, "seq": event.seq}))
        prev = digest
    raw(old_database_url, *statements)
    broken = verify_audit(db).broken
    assert broken is not None and broken.seq == 4
    assert "link" in broken.reason


def test_a_log_cut_back_to_its_unkeyed_events_stays_broken_however_often_it_is_upgraded(old_database_url):
    insert_old_events(old_database_url)
    db = upgraded(old_database_url)
    raw(old_database_url, ("DELETE FROM audit_events WHERE seq = 4", {}),
        ("UPDATE audit_head SET seq = 3, hash = :hash", {"hash": events_of(db)[2].hash}))
    db = upgraded(old_database_url)  # `audit verify` upgrades first: that must not re-anchor a stripped log
    assert len(events_of(db)) == 3
    broken = verify_audit(db).broken
    assert broken is not None and "none of its 3 events is keyed" in broken.reason
