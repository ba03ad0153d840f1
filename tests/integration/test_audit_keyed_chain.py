"""Someone with raw write access to the database cannot rewrite, re-chain, cut or empty the keyed audit log
unnoticed (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.domain.audit import event_hash
from bot.services import boards
from bot.services.audit import current_head, verify_audit
from storage.audit import read_events
from storage.db import make_engine
from tests.integration.test_boards import CHAIR, CHANNEL, NOW, TEAM, make_board

INTRUDER_KEY = b"a key the intruder made up himself"


def raw(database_url: str, *statements: tuple[str, dict]) -> None:
    """Run statements with every audit trigger out of the way, as an intruder with full database rights could."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
        else:
            for trigger in ("audit_events_no_update", "audit_events_no_delete", "audit_head_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        for statement, params in statements:
            conn.execute(text(statement), params)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_head ENABLE TRIGGER USER"))
    engine.dispose()


def rechain(db, database_url: str, *, key: bytes | None, edit=lambda event: event) -> None:
    """Rewrite every event through `edit`, recompute every hash under `key` (None: plain SHA-256), move the head."""
    with db.read() as uow:
        events = list(read_events(uow.session))
    statements, prev = [], "0" * 64
    for event in events:
        event = edit(event)
        digest = event_hash(seq=event.seq, actor=event.actor, action=event.action, payload=event.payload,
                            occurred_at=event.occurred_at, prev_hash=prev, key=key)
        statements.append(("UPDATE audit_events SET actor = :actor, prev_hash = :prev, hash = :hash, "
                           "keyed = :keyed WHERE seq = :seq",
                           {"actor": event.actor, "prev": prev, "hash": digest, "keyed": key is not None,
                            "seq": event.seq}))
        prev = digest
    statements.append(("UPDATE audit_head SET hash = :hash", {"hash": prev}))
    raw(database_url, *statements)


def forge_actor(seq: int):
    return lambda event: dataclasses.replace(event, actor="UEVIL") if event.seq == seq else event


def with_history(db) -> None:
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Wakefield Council", now=NOW)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Kirklees Council", now=NOW)


def test_an_edited_event_rechained_with_plain_hashes_is_found(db, database_url):
    with_history(db)
    rechain(db, database_url, key=None, edit=forge_actor(2))
    broken = verify_audit(db).broken
    assert broken is not None
    assert "none of its 5 events is keyed" in broken.reason


def test_an_edited_event_rechained_under_another_key_is_found_at_the_first_event(db, database_url):
    with_history(db)
    rechain(db, database_url, key=INTRUDER_KEY, edit=forge_actor(4))
    broken = verify_audit(db).broken
    assert broken is not None and broken.seq == 1
    assert "not the key the log was written with" in broken.reason


def test_an_untouched_log_verifies_and_the_same_rechain_under_the_real_key_is_harmless(db, database_url):
    with_history(db)
    assert verify_audit(db).broken is None
    rechain(db, database_url, key=db.audit_key)  # proves rechain itself is faithful: only the key is missing
    assert verify_audit(db).broken is None


def test_a_cut_tail_with_a_moved_head_is_caught_only_by_the_saved_head(db, database_url):
    with_history(db)
    saved = current_head(db)
    assert saved[0] == 5
    with db.read() as uow:
        kept = [e for e in read_events(uow.session) if e.seq == 3][0]
    raw(database_url, ("DELETE FROM audit_events WHERE seq > 3", {}),
        ("UPDATE audit_head SET seq = 3, hash = :hash", {"hash": kept.hash}))
    assert verify_audit(db).broken is None  # the cut is self-consistent ...
    broken = verify_audit(db, expect=saved).broken  # ... but not with the head the operator kept
    assert broken is not None and broken.seq == 4
    assert "now ends at event 3" in broken.reason


def test_a_rewritten_event_is_caught_by_the_saved_head_even_when_the_chain_holds(db, database_url):
    with_history(db)
    saved = current_head(db)
    rechain(db, database_url, key=db.audit_key, edit=forge_actor(5))  # only someone holding the key could
    assert verify_audit(db).broken is None
    broken = verify_audit(db, expect=saved).broken
    assert broken is not None and broken.seq == 5 and "rewritten" in broken.reason


def test_the_head_row_cannot_be_deleted(db):
    make_board(db)
    with pytest.raises(DBAPIError), db.uow() as uow:
        uow.session.execute(text("DELETE FROM audit_head"))
        uow.commit()
    assert verify_audit(db).broken is None


@pytest.mark.parametrize("table", ["audit_events", "audit_head"])
def test_truncate_is_refused_on_postgresql(db, table):
    make_board(db)
    with db.uow() as uow:
        if uow.session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(DBAPIError, match="cannot be truncated"), db.uow() as uow:
        uow.session.execute(text(f"TRUNCATE {table}"))
        uow.commit()
    check = verify_audit(db)
    assert check.broken is None and check.events == 3
