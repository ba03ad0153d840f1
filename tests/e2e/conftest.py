"""End-to-end fixtures: the real `collab-bot serve` on a loopback port, talking to a fake Slack Web API."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.outbound.registry import effects_of
from storage.db import make_engine, session_factories
from storage.uow import Database
from tests.conftest import BACKENDS, fresh_database_url
from tests.e2e import payloads
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.signer import sign

SECRET = "e2e-signing-secret-0123456789"
AUDIT_KEY = "5eed" * 16  # 32 bytes in hex, as an operator would set COLLAB_AUDIT_KEY
TOKEN = "xoxb-test-token"
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collab_bot_command() -> list[str]:
    """The installed console script, as the README runs it."""
    script = shutil.which("collab-bot", path=str(Path(sys.executable).parent)) or shutil.which("collab-bot")
    return [script] if script else [sys.executable, "-m", "bot.cli"]


@dataclass
class Reply:
    status: int
    body: bytes
    elapsed: float


@dataclass
class BotServer:
    """A running `collab-bot serve` and a way to send it requests signed as Slack signs them."""

    url: str
    database_url: str
    fake: FakeSlack
    log_path: Path
    db: Database
    env: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)

    def post(self, body: bytes, content_type: str, *, secret: str = SECRET, timestamp: int | None = None,
             headers: dict | None = None, signed: bool = True) -> Reply:
        """POST to /slack/events; signed unless told otherwise."""
        all_headers = sign(body, secret, timestamp, content_type=content_type) if signed else {
            "Content-Type": content_type}
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url + "/slack/events", data=body, headers=all_headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read(), time.perf_counter() - started)

    def command(self, text: str, *, user: str, channel: str, team: str, trigger_id: str | None = None,
                **kwargs) -> tuple[Reply, str]:
        """Type `/collab <text>`; returns the HTTP reply and the response_url of the command.

        The bot answers a command in its HTTP response; `responses(url)` lists that answer first.
        """
        response_url = self.fake.new_response_url()
        body, ctype = payloads.slash_command(text, user_id=user, channel_id=channel, team_id=team,
                                             response_url=response_url, trigger_id=trigger_id)
        reply = self.post(body, ctype, **kwargs)
        if reply.status == 200 and reply.body.startswith(b"{"):
            self.answers[response_url] = json.loads(reply.body)
        return reply, response_url

    def responses(self, response_url: str, *, wait: bool = True, timeout: float = 5.0) -> list[dict]:
        """The bot's answers to one request: its HTTP answer to a command, then what it posted to the response_url."""
        path = response_url.removeprefix(self.fake.url)
        answered = [self.answers[response_url]] if response_url in self.answers else []
        deadline = time.monotonic() + timeout
        while True:
            found = answered + [c.params for c in self.fake.calls("response_url") if c.params.get("_path") == path]
            if found or not wait or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def sent(self, method: str, timeout: float = 5.0, where=lambda params: True, **match) -> list:
        """Successful calls of `method` whose params include `match` (and satisfy `where`), waiting for one."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.fake.calls(method, ok_only=True)
                     if all(c.params.get(k) == v for k, v in match.items()) and where(c.params)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def count(self, model) -> int:
        """Rows in a table, read straight from the server's database."""
        with self.db.read() as uow:
            return uow.session.execute(select(func.count()).select_from(model)).scalar_one()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run another collab-bot command against the same database."""
        return subprocess.run([*collab_bot_command(), *args], env=self.env, capture_output=True, text=True,
                              timeout=60, cwd=self.log_path.parent)


def reply_text(message: dict) -> str:
    """All the text of a message: its fallback and every block's text."""
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        text = block.get("text")
        parts.append(text.get("text", "") if isinstance(text, dict) else "")
        for element in block.get("elements", []):
            inner = element.get("text", "") if isinstance(element, dict) else ""
            parts.append(inner.get("text", "") if isinstance(inner, dict) else inner)
    return "\n".join(parts)


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def serve_env(fake_slack: FakeSlack, database_url: str) -> dict:
    """The environment `collab-bot serve` runs with in these tests: three Slack settings, a database, a key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "COLLAB_"))}
    env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.api_url,
               DATABASE_URL=database_url, COLLAB_AUDIT_KEY=AUDIT_KEY)
    return env


def start_serve(env: dict, workdir: Path, port: int, log_path: Path) -> subprocess.Popen:
    """Start `collab-bot serve` in its own process group (so a test can kill all of it) and wait until it answers."""
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [*collab_bot_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"collab-bot serve did not start:\n{log_path.read_text()}")
        time.sleep(0.1)


def stop_serve(process: subprocess.Popen) -> None:
    """Ask the server to stop, and kill it if it won't."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session", params=BACKENDS)
def bot_server(request, fake_slack, tmp_path_factory) -> Iterator[BotServer]:
    """`collab-bot serve` on a free port with only the three Slack settings and a database URL."""
    workdir = tmp_path_factory.mktemp(f"serve-{request.param}")
    database_url, drop = fresh_database_url(request.param, workdir)
    port, env, log_path = free_port(), serve_env(fake_slack, database_url), workdir / "serve.log"
    process = start_serve(env, workdir, port, log_path)
    engine = make_engine(database_url)
    server = BotServer(f"http://127.0.0.1:{port}", database_url, fake_slack, log_path,
                       Database(*session_factories(engine), audit_key=bytes.fromhex(AUDIT_KEY),
                                effects=effects_of), env)
    yield server
    stop_serve(process)
    engine.dispose()
    assert TOKEN not in log_path.read_text(), "the bot token reached the log"
    drop()


@pytest.fixture
def team() -> str:
    """A fresh Slack team id, so tests sharing one server never see each other's boards."""
    return "T" + uuid.uuid4().hex[:10].upper()


@pytest.fixture
def channel() -> str:
    return "C" + uuid.uuid4().hex[:10].upper()
