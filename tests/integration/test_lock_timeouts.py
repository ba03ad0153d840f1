"""Bounded waits (SQLite and PostgreSQL): a writer gives up on a held lock in time, and says it was busy."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.outbound.registry import effects_of
from storage.db import LOCK_TIMEOUT_MS, WriterQueueTimeout, make_engine, session_factories, trouble
from storage.uow import Database
from tests.conftest import TEST_AUDIT_KEY

SLACK_SECONDS = 3.0


def hold_lock(url: str, locked: threading.Event, release: threading.Event) -> None:
    """Hold the outbox's lock (SQLite: the database's write lock) from another connection until `release`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
        locked.set()
        release.wait(10)
        conn.rollback()
    engine.dispose()


def test_a_writer_gives_up_on_a_lock_held_elsewhere_within_slacks_deadline_as_busy(database_url):
    db = Database(*session_factories(make_engine(database_url)), audit_key=TEST_AUDIT_KEY, effects=effects_of)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock, args=(database_url, locked, release), daemon=True)
    holder.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, db.uow() as uow:
            uow.session.execute(text("SELECT count(*) FROM outbox")).scalar_one()
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(10)
    assert trouble(raised.value) == "busy"
    assert LOCK_TIMEOUT_MS / 1000 * 0.9 < waited < SLACK_SECONDS


def test_a_writer_queued_too_long_behind_this_processs_writers_is_busy(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("only SQLite queues a process's writers")
    db = Database(*session_factories(make_engine(database_url)), audit_key=TEST_AUDIT_KEY, writer_wait=0.2,
                  effects=effects_of)
    inside, leave = threading.Event(), threading.Event()

    def first_writer():
        with db.uow():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=first_writer, daemon=True)
    thread.start()
    try:
        assert inside.wait(5)
        with pytest.raises(WriterQueueTimeout) as raised, db.uow():
            pass
    finally:
        leave.set()
        thread.join(5)
    assert trouble(raised.value) == "busy"


def test_a_database_that_refuses_connections_is_down_and_a_lost_race_is_neither(database_url, tmp_path):
    refused = "postgresql+psycopg://postgres@127.0.0.1:1/none" if "postgresql" in database_url else (
        f"sqlite:///{tmp_path}/no/such/folder/x.db")
    with pytest.raises(OperationalError) as raised:
        with make_engine(refused).connect() as conn:
            conn.execute(text("SELECT 1"))
    assert trouble(raised.value) == "down"
    assert trouble(IntegrityError("INSERT", {}, Exception("duplicate key"))) is None
    assert trouble(ValueError("not a database error")) is None


def test_postgresql_connections_carry_the_lock_and_statement_timeouts(database_url):
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    with engine.connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "2s"
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "5s"
    with make_engine(database_url, bounded=False).connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "0"
