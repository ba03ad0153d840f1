"""One-line causes for the errors a new user meets: databases that can't be used, Slack that can't be reached."""

from __future__ import annotations

import re
import socket
import ssl
import urllib.error

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.errors import DomainError
from prompts.errors import plain

HIDDEN = "***"

# (pattern in the driver's message, any case; the cause to print). Order matters: the first match wins.
DATABASE_CAUSES: list[tuple[str, str]] = [
    (r"connection refused", "connection refused (is the database server running on that host and port?)"),
    (r'database "([^"]+)" does not exist', 'database "{0}" does not exist (create it, or fix the name)'),
    (r'password authentication failed for user "([^"]+)"', 'password authentication failed for user "{0}"'),
    (r'role "([^"]+)" does not exist', 'user "{0}" does not exist on that server'),
    (r'no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)"',
     'the server does not let user "{1}" connect from {0} (pg_hba.conf)'),
    (r"failed to resolve host|could not translate host name|name or service not known|nodename nor servname"
     r"|temporary failure in name resolution", "unknown host {host}"),
    (r"timeout expired|timed out", "no answer from {host} (connection timed out)"),
    (r"too many clients|remaining connection slots", "the server has no free connections (too many clients)"),
    (r"server closed the connection unexpectedly", "the server closed the connection unexpectedly"),
    (r"database is locked", "the database file is locked by another process"),
    (r"attempt to write a readonly database|readonly database", "the database file is read-only"),
    (r"unable to open database file", "cannot open the database file (does its folder exist, and may we write it?)"),
    (r"file is not a database|file is encrypted", "the file is not a SQLite database"),
    (r"database or disk is full", "the disk is full"),
    (r"disk i/o error", "disk I/O error"),
    (r"can't locate revision identified by '([^']+)'",
     "the database was migrated by a newer collab-bot (unknown revision {0}); upgrade collab-bot"),
]


def hide_password(url: str) -> str:
    """The URL as it can be printed: any password replaced by ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", rf"\1{HIDDEN}@", url)
    return re.sub(r"([?&]password=)[^&]*", rf"\1{HIDDEN}", parsed.render_as_string(hide_password=True))


def _secrets_of(url: str) -> list[str]:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return []
    found = [parsed.password, parsed.query.get("password")]
    return [s for s in found if isinstance(s, str) and len(s) >= 3]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[0] if lines else "unknown error"
    line = re.sub(r"^(\(\S+\)\s*)", "", line)  # SQLAlchemy's "(module.Error)" prefix
    line = re.sub(r"^connection failed:\s*", "", line)
    return line[:200]


def database_cause(exc: BaseException, url: str = "") -> str:
    """Why a SQLAlchemy, Alembic, psycopg or sqlite3 error happened, in a few words."""
    inner = getattr(exc, "orig", None) or exc
    text = f"{inner}"
    host = "?"
    try:
        host = make_url(url).host or "?"
    except ArgumentError:
        pass
    if exc.__class__.__name__ == "TimeoutError" and exc.__class__.__module__.startswith("sqlalchemy"):
        return "no database connection came free in time (the connection pool is exhausted)"
    for pattern, cause in DATABASE_CAUSES:
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            return cause.format(*found.groups(), host=host)
    return _first_line(text)


def database_error_line(exc: BaseException, url: str) -> str:
    """`cannot use the database at <url> (DATABASE_URL): <cause>`, with no password in it."""
    line = f"cannot use the database at {hide_password(url)} (DATABASE_URL): {database_cause(exc, url)}"
    for secret in _secrets_of(url):
        line = line.replace(secret, HIDDEN)
    return line


def network_cause(exc: BaseException) -> str:
    """Why a connection to an HTTP service failed, in a few words (connection refused, unknown host, ...)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "unknown host"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror[0].lower() + reason.strerror[1:]
    return _first_line(str(reason))


def slack_unreachable_line(exc: BaseException, api_url: str) -> str:
    """`cannot reach Slack at <url> (SLACK_API_URL): <cause>`."""
    return f"cannot reach Slack at {api_url} (SLACK_API_URL): {network_cause(exc)}"


def domain_error_line(exc: DomainError) -> str:
    """`collab-bot: <what cannot be done>`, in plain words: no mrkdwn, people and channels by id."""
    return f"collab-bot: {plain(exc)}"
