"""A database that is locked, or down, and a slow Slack: each request is answered in time, truthfully."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.outbound.registry import effects_of
from prompts.ids.polls import PollAction
from storage.db import make_engine, session_factories
from storage.models import VoteRow
from storage.uow import Database
from tests.conftest import PG_URL, fresh_database_url
from tests.e2e.conftest import AUDIT_KEY, BotServer, free_port, reply_text, serve_env, start_serve, stop_serve
from tests.e2e.flows import CHAIR, board_with_members
from tests.e2e.polls_flow import click
from tests.e2e.test_polls_more import open_poll, votes

SLACK_SECONDS = 3.0  # Slack's deadline for an answer, and a trigger_id's life
LOCK_HELD_SECONDS = 6.0  # longer than any answer may take: a request that waits it out is too late


def test_a_slow_views_open_is_given_up_in_time_and_the_command_says_to_try_again(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={})
    trigger = f"{time.time_ns()}.{uuid.uuid4().hex}"
    bot_server.fake.slow_next("views.open", seconds=5)
    reply, url = bot_server.command("propose", user=CHAIR, channel=channel, team=team, trigger_id=trigger)
    assert reply.status == 200 and reply.elapsed < SLACK_SECONDS, f"answered after {reply.elapsed:.1f} s"
    said = reply_text(bot_server.responses(url)[0])
    assert "couldn't reach Slack to open the form" in said and "nothing was changed" in said


def hold_the_poll(server: BotServer, pid: int, locked: threading.Event, release: threading.Event) -> None:
    """From another connection, lock the poll (its row on PostgreSQL, the database on SQLite) until `release`."""
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("SELECT id FROM proposals WHERE id = :id FOR UPDATE"), {"id": pid})
            locked.set()
            release.wait(LOCK_HELD_SECONDS)
            conn.rollback()
    finally:
        engine.dispose()


def test_a_vote_on_a_poll_locked_elsewhere_is_answered_busy_in_time_and_saves_nothing(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"})
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_the_poll, args=(bot_server, pid, locked, release), daemon=True)
    holder.start()
    try:
        assert locked.wait(5)
        reply, url = click(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
        assert reply.status == 503, "200 would mean saved"
        assert reply.elapsed < SLACK_SECONDS, f"answered after {reply.elapsed:.1f} s"
        said = reply_text(bot_server.responses(url)[0])
        assert "busy" in said and "nothing was changed" in said and "try again" in said
        assert votes(bot_server, pid) == {}
    finally:
        release.set()
        holder.join(LOCK_HELD_SECONDS + 2)
    reply, url = click(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    assert "Recorded" in reply_text(bot_server.responses(url)[0])


class Proxy:
    """A TCP relay to the database, which can be made to refuse every connection, as a database that is down."""

    def __init__(self, host: str, port: int):
        self.target, self.sockets = (host, port), []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                return
            upstream.settimeout(None)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                s.close()

    def refuse(self) -> None:
        """From now on the database refuses connections, and the open ones are cut."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(), which close() alone would not
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@pytest.fixture
def server_behind_proxy(fake_slack, tmp_path) -> Iterator[tuple[BotServer, Proxy]]:
    """`collab-bot serve` reaching its PostgreSQL database through a Proxy."""
    database_url, drop = fresh_database_url("postgresql", tmp_path)
    direct = make_url(database_url)
    proxy = Proxy(direct.host or "127.0.0.1", direct.port or 5432)
    proxied = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    port, env, log_path = free_port(), serve_env(fake_slack, proxied), tmp_path / "serve.log"
    process = start_serve(env, tmp_path, port, log_path)
    engine = make_engine(database_url)
    server = BotServer(f"http://127.0.0.1:{port}", database_url, fake_slack, log_path,
                       Database(*session_factories(engine), audit_key=bytes.fromhex(AUDIT_KEY),
                                effects=effects_of), env)
    try:
        yield server, proxy
    finally:
        stop_serve(process)
        proxy.refuse()
        engine.dispose()
        drop()


@pytest.mark.skipif(not PG_URL, reason="a database that refuses connections: PostgreSQL (COLLAB_TEST_DATABASE_URL)")
def test_with_the_database_refusing_connections_each_of_ten_voters_is_told_nothing_was_saved(
        server_behind_proxy, team, channel):
    server, proxy = server_behind_proxy
    voters = [f"UV{n:02}" + uuid.uuid4().hex[:4].upper() for n in range(10)]
    ts, pid = open_poll(server, team, channel, dict.fromkeys(voters, "member"))
    time.sleep(1.5)  # the poll's redraws are sent: nothing else is pending when the database goes away
    log_before = server.log_path.stat().st_size
    proxy.refuse()
    for voter in voters:
        reply, url = click(server, PollAction.VOTE_AGREE, pid, user=voter, team=team, channel=channel, ts=ts)
        assert reply.status == 503 and reply.elapsed < SLACK_SECONDS  # 200 would mean saved
        said = reply_text(server.responses(url, timeout=2)[0])
        assert "can't reach the bot's database" in said and "nothing was saved" in said and "try again" in said
    assert server.count(VoteRow) == 0
    with open(server.log_path, "rb") as log:
        log.seek(log_before)
        grown = log.read().decode("utf-8", "replace")
    assert "Traceback" not in grown
    told = [line for line in grown.splitlines() if "database unreachable" in line]
    assert len(told) == len(voters), grown[-3000:]
