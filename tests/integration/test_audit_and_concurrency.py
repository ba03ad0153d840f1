"""The audit log refuses edits, detects tampering, and stays one chain under concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.domain.boards import Role
from bot.services import boards
from bot.services.audit import verify_audit
from storage.db import make_engine
from tests.integration.test_boards import CHAIR, CHANNEL, NOW, TEAM, make_board

WRITERS = 16


def test_the_audit_log_refuses_updates_and_deletes(db):
    make_board(db)
    for statement in ("UPDATE audit_events SET actor = 'UEVIL'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), db.uow() as uow:
            uow.session.execute(text(statement))
            uow.commit()
    assert verify_audit(db).broken is None


def tamper(database_url: str, statement: str) -> None:
    """Edit the log by hand, as someone with raw database access could, triggers dropped first."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text(statement))
    engine.dispose()


def untamper(database_url: str, statement: str) -> None:
    """Undo a hand edit with `statement` and put the append-only triggers back."""
    import importlib

    triggers = importlib.import_module("storage.migrations.versions.0001_foundation")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(statement))
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update"))
        else:
            for create in triggers.SQLITE_APPEND_ONLY:
                conn.execute(text(create))
    engine.dispose()


def test_a_hand_edited_event_breaks_the_chain_at_that_event(db, database_url):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Wakefield Council", now=NOW)
    tamper(database_url, "UPDATE audit_events SET payload = replace(payload, 'Wakefield', 'Bradford') WHERE seq = 4")
    broken = verify_audit(db).broken
    assert broken is not None and broken.seq == 4


def test_a_deleted_last_event_is_detected(db, database_url):
    make_board(db)
    tamper(database_url, "DELETE FROM audit_events WHERE seq = 3")
    assert verify_audit(db).broken is not None


def test_concurrent_writers_lose_nothing_and_keep_one_chain(db):
    make_board(db)
    for index in range(WRITERS):
        boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name=f"Organisation {index}",
                                now=NOW)

    def add(index: int):
        return boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=f"U{index:03d}",
                                 organisation=f"Organisation {index}", role=Role.MEMBER, now=NOW).outcome

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(add, range(WRITERS)))
    assert outcomes == ["added"] * WRITERS
    assert len(boards.list_members(db, team_id=TEAM, channel_id=CHANNEL).members) == WRITERS + 1
    check = verify_audit(db)
    assert check.broken is None and check.events == 3 + 2 * WRITERS


def test_a_request_key_is_claimed_exactly_once_under_concurrency(db):
    def claim(_):
        with db.uow() as uow:
            fresh = uow.requests.claim("command:trigger-1", at=NOW)
            uow.commit()
            return fresh

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(claim, range(24)))
    assert results.count(True) == 1


def test_old_request_keys_are_pruned_and_recent_ones_kept(db):
    from datetime import timedelta

    with db.uow() as uow:
        uow.requests.claim("command:old", at=NOW)
        uow.commit()
    with db.uow() as uow:
        assert uow.requests.prune(NOW - timedelta(days=1)) == 0
        assert uow.requests.prune(NOW + timedelta(seconds=1)) == 1
        uow.commit()
