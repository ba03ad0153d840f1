"""Database fixtures: every storage test runs on SQLite, and on PostgreSQL when COLLAB_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.outbound.registry import effects_of
from storage.db import make_engine, session_factories
from storage.migrate import upgrade
from storage.uow import Database

PG_URL = os.environ.get("COLLAB_TEST_DATABASE_URL")
TEST_AUDIT_KEY = bytes(range(32))  # fixed, so a test can recompute or forge hashes the way an intruder cannot
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
# The most threads a test runs against one Database at once (16 voters plus a dispatcher's 8 senders and its
# driver): sized as the bot sizes its pool, so that a burst waits for locks, never for a connection.
TEST_THREADS = 32


def fresh_database_url(backend: str, tmp_dir, *, pg_url: str | None = None) -> tuple[str, callable]:
    """A URL to an empty database of the backend (a throwaway schema on PostgreSQL), and how to remove it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir}/collab-{uuid.uuid4().hex[:8]}.db", lambda: None
    pg_url = pg_url or PG_URL
    schema = f"cbtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{separator}options={quote(f'-csearch_path={schema}')}"

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """A migrated, empty database on each backend in turn."""
    url, drop = fresh_database_url(request.param, tmp_path)
    engine = make_engine(url)
    upgrade(engine, audit_key=TEST_AUDIT_KEY)
    engine.dispose()
    yield url
    drop()


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    """A Database (units of work) on the migrated test database."""
    engine = make_engine(database_url, users=TEST_THREADS)
    yield Database(*session_factories(engine), audit_key=TEST_AUDIT_KEY, effects=effects_of)
    engine.dispose()
