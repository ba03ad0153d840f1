"""The one-line causes, from real errors raised by SQLAlchemy, sqlite3, psycopg and urllib."""

from __future__ import annotations

import socket
import sqlite3
import urllib.request

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.cli.errors import database_cause, database_error_line, hide_password, network_cause


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raised(action) -> BaseException:
    with pytest.raises(Exception) as caught:
        action()
    return caught.value


def test_a_sqlite_file_locked_by_another_process_is_named_locked(tmp_path):
    holder = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{tmp_path}/x.db", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as caught, engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x)"))
    finally:
        engine.dispose()
        holder.close()
    assert database_cause(caught.value) == "the database file is locked by another process"


def test_a_file_that_is_not_sqlite_is_named_so(tmp_path):
    (tmp_path / "notes.db").write_text("meeting notes, not a database " * 20)
    engine = create_engine(f"sqlite:///{tmp_path}/notes.db")
    with pytest.raises(DBAPIError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT * FROM sqlite_master"))
    engine.dispose()
    assert database_cause(caught.value) == "the file is not a SQLite database"


def test_an_exhausted_connection_pool_is_named_so(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/x.db", pool_size=1, max_overflow=0, pool_timeout=0.05)
    with engine.connect():
        error = raised(engine.connect)
    engine.dispose()
    assert isinstance(error, PoolTimeout)
    assert "connection pool is exhausted" in database_cause(error)


def test_an_unknown_cause_is_the_first_line_of_the_drivers_message_without_its_prefix(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(DBAPIError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    engine.dispose()
    assert database_cause(caught.value) == "no such table: no_such_table"


def test_the_password_is_never_printed_even_where_it_appears_elsewhere_in_the_url():
    port = closed_port()
    url = f"postgresql+psycopg://collab:hunter2hunter2@127.0.0.1:{port}/hunter2hunter2"
    engine = create_engine(url)
    error = raised(engine.connect)
    engine.dispose()
    line = database_error_line(error, url)
    assert "hunter2" not in line
    assert line.startswith(f"cannot use the database at postgresql+psycopg://collab:***@127.0.0.1:{port}/***")
    assert line.endswith("connection refused (is the database server running on that host and port?)")


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://u:pw-123@db:5432/collab", "postgresql+psycopg://u:***@db:5432/collab"),
    ("postgresql+psycopg://u@db/collab?password=pw-123", "postgresql+psycopg://u@db/collab?password=***"),
    ("sqlite:///collab-bot.db", "sqlite:///collab-bot.db"),
    ("not a url://u:pw-123@x", "not a url://u:***@x"),
])
def test_a_url_is_shown_with_its_password_hidden(url, shown):
    assert hide_password(url) == shown


def test_a_refused_http_connection_is_named_so():
    error = raised(lambda: urllib.request.urlopen(f"http://127.0.0.1:{closed_port()}/", timeout=5))
    assert network_cause(error) == "connection refused"


def test_an_http_host_that_does_not_resolve_is_named_unknown():
    error = raised(lambda: urllib.request.urlopen("http://no-such-host.invalid/", timeout=5))
    assert network_cause(error) == "unknown host"
