"""Engines: SQLite with WAL and BEGIN IMMEDIATE for writers, or PostgreSQL; every wait for a lock is bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

# Slack gives a request 3 s. A request waits at most this long for a lock (PostgreSQL's lock_timeout, SQLite's
# busy timeout) or a pooled connection, then answers "busy, nothing was changed" while Slack still listens.
LOCK_TIMEOUT_MS = 2_000
STATEMENT_TIMEOUT_MS = 5_000  # PostgreSQL: a backstop for any one statement, lock waits included
SQLITE_BUSY_TIMEOUT_MS = LOCK_TIMEOUT_MS
POOL_TIMEOUT_SECONDS = 2
# PostgreSQL's codes for "gave up waiting" (lock_not_available, query_canceled) and for a transaction it
# rolled back to let another through (serialization_failure, deadlock_detected).
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01"})


class WriterQueueTimeout(Exception):
    """This process's SQLite writers were queued for longer than the lock timeout."""


def trouble(error: BaseException) -> Literal["busy", "down"] | None:
    """Whether `error` means the database was busy (it gave up waiting) or down (unreachable); None otherwise."""
    if isinstance(error, WriterQueueTimeout | PoolTimeout):
        return "busy"
    if not isinstance(error, DBAPIError):
        return None
    if getattr(error.orig, "sqlstate", None) in BUSY_SQLSTATES or "database is locked" in str(error.orig):
        return "busy"
    return "down" if isinstance(error, OperationalError) else None


def make_engine(url: str, *, pool_size: int = 5, users: int | None = None, bounded: bool = True) -> Engine:
    """An engine for `url`, with SQLite set up so concurrent writers queue instead of failing.

    With `bounded` (not for migrations, which may rightly wait and run long) a lock is waited for at most
    LOCK_TIMEOUT_MS, and on PostgreSQL a statement runs at most STATEMENT_TIMEOUT_MS.
    `users` is how many of the process's threads may use the database at once: the pool may grow to that many
    (at least `2 * pool_size`), so a burst in which every thread writes waits for locks, never for a connection.
    Instances x worker processes x that must stay under the PostgreSQL server's max_connections.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        overflow = max(pool_size, (users or 0) - pool_size)
        engine = create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=overflow,
                               pool_timeout=POOL_TIMEOUT_SECONDS)
        if bounded:
            event.listen(engine, "connect", _postgresql_timeouts)
        return engine
    busy_ms = SQLITE_BUSY_TIMEOUT_MS if bounded else 30_000
    sizing = {} if parsed.database in (None, "", ":memory:") else {  # a memory database has one connection
        "pool_size": pool_size, "max_overflow": max(2 * pool_size, (users or 0) - pool_size),
        "pool_timeout": POOL_TIMEOUT_SECONDS if bounded else 30}
    engine = create_engine(url, connect_args={"timeout": busy_ms / 1000, "check_same_thread": False}, **sizing)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to the "begin" hook below instead of pysqlite's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred read that later writes fails with "database is locked" under WAL;
        # writers take the lock up front. Readers ask for DEFERRED through an execution option.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgresql_timeouts(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    dbapi_connection.commit()  # SET outside autocommit opened a transaction; the settings outlive it


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def session_factories(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """Session factories for writing and for reading (readers do not take SQLite's write lock)."""
    writer = sessionmaker(bind=engine, expire_on_commit=False)
    reader = sessionmaker(bind=engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)
    return writer, reader


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, or None for an in-memory database."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.query.get("uri") in ("true", "1") and database.startswith("file:"):
        if "mode=memory" in database:
            return None
        database = urlsplit(database).path
    if database in ("", ":memory:"):
        return None
    return Path(database).resolve()


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE matched (`Session.execute` types its CursorResult as a plain Result)."""
    return cast(CursorResult[*tuple[Any, ...]], result).rowcount
