"""Every command says in one line why it cannot use the database, never prints the password, and never
creates a database just to read it."""

from __future__ import annotations

import socket
import sqlite3
import struct
import threading
import uuid

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.migrate import alembic_config
from tests.conftest import PG_URL, fresh_database_url
from tests.e2e.fake_slack import APP_TOKEN, FakeSlack
from tests.integration.test_cli import closed_port, one_error_line

PASSWORD = "s3cret-Pa55word"
needs_postgresql = pytest.mark.skipif(not PG_URL, reason="set COLLAB_TEST_DATABASE_URL to test PostgreSQL")


def pg_url(*, user: str = "postgres", host: str = "127.0.0.1", port: int = 5432, database: str = "test") -> str:
    return f"postgresql://{user}:{PASSWORD}@{host}:{port}/{database}"


def server_url(**changes) -> str:
    """The PostgreSQL server the tests use, with a password added and `changes` applied."""
    url = make_url(PG_URL).set(password=PASSWORD, **changes)
    return url.render_as_string(hide_password=False)


class PasswordRefusingPostgres:
    """A loopback server speaking just enough of PostgreSQL's protocol to refuse every password.

    The test server trusts every local connection, so it cannot show what a wrong password looks like.
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self._refuse(conn)

    @staticmethod
    def _read(conn, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _refuse(self, conn):
        try:
            while True:  # SSL and GSSAPI encryption requests come first: answer "N" (not supported)
                length, code = struct.unpack("!ii", self._read(conn, 8))
                body = self._read(conn, length - 8)
                if code in (80877103, 80877104):
                    conn.sendall(b"N")
                    continue
                break
            user = dict(zip(*[iter(body.split(b"\0"))] * 2, strict=False)).get(b"user", b"?").decode()
            conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
            kind = self._read(conn, 1)
            self._read(conn, struct.unpack("!i", self._read(conn, 4))[0] - 4)
            assert kind == b"p"
            fields = [b"SFATAL", b"VFATAL", b"C28P01", f'Mpassword authentication failed for user "{user}"'.encode()]
            payload = b"".join(f + b"\0" for f in fields) + b"\0"
            conn.sendall(b"E" + struct.pack("!i", len(payload) + 4) + payload)
        except (ConnectionError, AssertionError, struct.error):
            pass

    def close(self):
        self.sock.close()


@pytest.fixture
def refusing_postgres():
    server = PasswordRefusingPostgres()
    yield server
    server.close()


def database_error(cli, url: str, *args: str) -> str:
    """Run a command against `url`: it must exit 1 with one line that names DATABASE_URL and hides the password."""
    result = cli(*(args or ("db", "upgrade")), DATABASE_URL=url)
    assert result.returncode == 1, result.stderr
    line = one_error_line(result)
    assert PASSWORD not in result.stderr + result.stdout
    assert "DATABASE_URL" in line
    return line


# -- reading commands never create a database ------------------------------------------------------------

@pytest.mark.parametrize("args", [("audit", "verify"), ("export", "decisions", "--board", "North East"),
                                  ("export", "actions", "--board", "North East")])
def test_a_reading_command_refuses_a_sqlite_file_that_does_not_exist_and_creates_none(cli, tmp_path, args):
    result = cli(*args)
    assert result.returncode == 1
    line = one_error_line(result)
    assert "sqlite:///collab-bot.db (DATABASE_URL)" in line
    assert "collab-bot db upgrade" in line
    assert "0 events" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_reading_command_refuses_a_sqlite_file_without_collab_bot_tables(cli, tmp_path):
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE notes (body TEXT)")
    other.close()
    result = cli("audit", "verify", DATABASE_URL=f"sqlite:///{tmp_path}/other.db")
    assert result.returncode == 1
    assert "no collab-bot tables" in one_error_line(result)


@needs_postgresql
def test_a_reading_command_refuses_a_postgresql_database_without_collab_bot_tables(cli, tmp_path):
    url, drop = fresh_database_url("postgresql", tmp_path)
    try:
        result = cli("audit", "verify", DATABASE_URL=url)
        assert result.returncode == 1
        line = one_error_line(result)
        assert "no collab-bot tables" in line and "collab-bot db upgrade" in line
        engine = create_engine(url)
        with engine.connect() as connection:
            tables = connection.execute(text("SELECT count(*) FROM information_schema.tables "
                                             "WHERE table_schema = current_schema()")).scalar_one()
        engine.dispose()
        assert tables == 0
    finally:
        drop()


def test_a_reading_command_leaves_an_older_database_as_it_is_and_says_to_upgrade_it(cli, tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    config = alembic_config(url)
    command.upgrade(config, "+1")
    result = cli("audit", "verify", DATABASE_URL=url)
    assert result.returncode == 1
    assert "is at an older schema than this collab-bot; run `collab-bot db upgrade` first" in one_error_line(result)
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert revision != ScriptDirectory.from_config(config).get_current_head()
    assert not (tmp_path / "old.key").exists()


# -- the cause, in one line --------------------------------------------------------------------------------

def test_a_refused_database_port_is_one_line_naming_the_cause(cli):
    port = closed_port()
    line = database_error(cli, pg_url(port=port))
    assert f"postgresql+psycopg://postgres:***@127.0.0.1:{port}/test" in line
    assert "connection refused" in line


def test_an_unknown_database_host_is_one_line_naming_the_host(cli):
    line = database_error(cli, pg_url(host="no-such-host.invalid"))
    assert "unknown host no-such-host.invalid" in line


def test_a_wrong_password_is_one_line_naming_the_user_and_never_the_password(cli, refusing_postgres):
    line = database_error(cli, pg_url(user="collab", port=refusing_postgres.port, database="collab"))
    assert 'password authentication failed for user "collab"' in line
    assert "***@" in line


@needs_postgresql
def test_a_database_that_does_not_exist_is_one_line_naming_it(cli):
    name = f"nosuch_{uuid.uuid4().hex[:8]}"
    line = database_error(cli, server_url(database=name))
    assert f'database "{name}" does not exist' in line


@needs_postgresql
def test_an_unknown_database_user_is_one_line_naming_them(cli):
    line = database_error(cli, server_url(username="nobody_here"))
    assert 'user "nobody_here" does not exist' in line


def test_a_read_only_sqlite_database_is_one_line_naming_the_cause(cli, tmp_path):
    other = sqlite3.connect(tmp_path / "ro.db")
    other.execute("CREATE TABLE notes (body TEXT)")
    other.close()
    line = database_error(cli, f"sqlite:///file:{tmp_path}/ro.db?mode=ro&uri=true")
    assert "read-only" in line


def test_a_sqlite_file_in_a_missing_folder_is_one_line_naming_the_cause(cli, tmp_path):
    line = database_error(cli, f"sqlite:///{tmp_path}/no/such/folder/x.db")
    assert "cannot open the database file" in line
    assert not (tmp_path / "no").exists()


@pytest.fixture(scope="module")
def fake_slack():
    with FakeSlack() as fake:
        yield fake


@pytest.mark.parametrize("args", [("run",), ("serve",), ("db", "upgrade"), ("audit", "verify"),
                                  ("export", "decisions", "--board", "North East")])
def test_every_command_gives_the_same_one_line_database_error(cli, fake_slack, args):
    port = closed_port()
    result = cli(*args, DATABASE_URL=pg_url(port=port), SLACK_BOT_TOKEN="xoxb-test-token",
                 SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="signing-secret-0123456789",
                 SLACK_API_URL=fake_slack.api_url, LOG_LEVEL="WARNING")
    assert result.returncode == 1, result.stderr
    line = one_error_line(result)
    assert line == (f"collab-bot: cannot use the database at postgresql+psycopg://postgres:***@127.0.0.1:{port}"
                    "/test (DATABASE_URL): connection refused (is the database server running on that host and "
                    "port?)")


def test_a_database_from_a_newer_collab_bot_is_one_line_saying_so(cli, tmp_path):
    newer = sqlite3.connect(tmp_path / "newer.db")
    newer.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    newer.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    newer.commit()
    newer.close()
    line = database_error(cli, f"sqlite:///{tmp_path}/newer.db", "audit", "verify")
    assert "migrated by a newer collab-bot (unknown revision 9999_from_the_future)" in line
