"""A burst in which every thread of a `serve` process uses the database waits for locks, never for a connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from bot.app import BACKGROUND_USERS, make_database
from bot.settings import Settings
from tests.conftest import TEST_AUDIT_KEY


def test_every_thread_of_a_serve_process_gets_a_connection_at_once(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLLAB_AUDIT_KEY", TEST_AUDIT_KEY.hex())
    request_threads = 8
    db = make_database(Settings(), request_threads=request_threads)
    users = request_threads + BACKGROUND_USERS  # Bolt's threads, the dispatcher's senders and driver, the scheduler
    everyone_holds_one = threading.Barrier(users, timeout=20)

    def hold_a_connection(_: int) -> int:
        with db.read() as uow:
            value = uow.session.execute(text("SELECT 1")).scalar_one()
            everyone_holds_one.wait()  # no thread lets go until every one has its connection
            return value

    try:
        with ThreadPoolExecutor(users) as pool:
            assert list(pool.map(hold_a_connection, range(users))) == [1] * users
    finally:
        db._writer.kw["bind"].dispose()
