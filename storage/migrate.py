"""Apply the Alembic migrations that ship inside the package, then anchor any unkeyed audit events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.orm import Session

from bot.clock import SystemClock
from bot.domain.events import LogKeyed
from storage.audit import AuditLog, last_event

ADVISORY_LOCK = 4242001

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations, without needing alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, *, audit_key: bytes | Callable[[], bytes]) -> None:
    """Bring the database to the newest schema; when that keys the audit log, anchor the events before it.

    `audit_key` may be a function: it is called only once the database has opened, so a database that cannot
    be used is reported as such, and no key file is made beside it.
    """
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # A migration may rightly wait for other instances' locks and run long: lift the request timeouts.
            connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            # Several `serve` instances may start at once; one migrates, the others wait.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})")
        config.attributes["connection"] = connection
        # Only a log from before keying may end unkeyed: anchoring a later one would bless a stripped log.
        keying_now = _is_unkeyed_schema(connection)
        command.upgrade(config, "head")
        key = audit_key() if callable(audit_key) else audit_key
        if keying_now:
            anchor_unkeyed_events(connection, key)


def _is_unkeyed_schema(connection: Connection) -> bool:
    """Whether the audit log exists but predates the `keyed` column."""
    inspector = inspect(connection)
    if not inspector.has_table("audit_events"):
        return False
    return "keyed" not in {column["name"] for column in inspector.get_columns("audit_events")}


def anchor_unkeyed_events(connection: Connection, key: bytes) -> None:
    """Append one keyed `audit.keyed` event if the log ends in events hashed before it was keyed.

    The keyed event's HMAC covers the last unkeyed hash, so the unkeyed prefix can no longer be rewritten.
    """
    with Session(bind=connection) as session:
        last = last_event(session)
        if last is None or last.keyed:
            return
        keyed = LogKeyed(SystemClock().now(), last.seq, last.hash)
        entry = keyed.audit()
        AuditLog(session, key=key).append(actor=entry.actor, action=entry.action, payload=entry.payload, at=keyed.at)
        session.flush()
