"""The audit key: the secret that keys the audit log's chain, kept outside the database it protects."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.domain.audit import MIN_KEY_BYTES, decode_key
from bot.settings import Settings, SettingsError
from storage.db import sqlite_file

log = logging.getLogger("collab-bot")
_IN_MEMORY_KEY = secrets.token_bytes(MIN_KEY_BYTES)


def audit_key(settings: Settings, *, create: bool = True) -> bytes:
    """COLLAB_AUDIT_KEY if set; else, for a SQLite file, the key file beside it (made on first use, unless `create`
    is False: read-only commands must not key a log with a new key and then call it broken)."""
    if settings.COLLAB_AUDIT_KEY is not None:
        return decode_key(settings.COLLAB_AUDIT_KEY.get_secret_value())
    if make_url(settings.DATABASE_URL).get_backend_name() != "sqlite":
        raise SettingsError("COLLAB_AUDIT_KEY is not set; every instance sharing a PostgreSQL database needs the "
                            "same key (e.g. from `openssl rand -hex 32`)")
    database = sqlite_file(settings.DATABASE_URL)
    if database is None:
        # An in-memory database dies with the process, and so may its key.
        return _IN_MEMORY_KEY
    return key_file(database.with_suffix(".key"), create=create)


def key_file(path: Path, *, create: bool = True) -> bytes:
    """The key kept in `path` (hex), creating it with mode 0600 if there is none yet (SettingsError if not `create`)."""
    try:
        return _read(path)
    except FileNotFoundError:
        if not create:
            raise SettingsError(f"the audit key file {path} is missing; restore it from your copy or set "
                                "COLLAB_AUDIT_KEY") from None
    try:
        created = _create(path)
    except OSError as exc:
        raise SettingsError(f"COLLAB_AUDIT_KEY is not set and the audit key file {path} cannot be created "
                            f"({exc.strerror or exc}); set COLLAB_AUDIT_KEY or make that folder writable") from None
    if created:
        log.warning("created the audit key file %s; keep a copy somewhere safe: without it the audit log cannot "
                    "be verified", path)
    return _read(path)


def _read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read the audit key file {path} ({getattr(exc, 'strerror', None) or exc})") \
            from None
    try:
        return decode_key(text)
    except ValueError as exc:
        raise SettingsError(f"the audit key file {path} is malformed: it {exc}") from None


def _create(path: Path) -> bool:
    """Write a fresh key to `path` unless another process got there first; whether this call made it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(MIN_KEY_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link appears complete or not at all, and fails if a key is already there.
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
