"""Start and stop the servers under test: `collab-bot serve` and the floor, on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import fresh_database_url
from tests.e2e.conftest import AUDIT_KEY, SECRET, TOKEN, collab_bot_command, free_port

REPO = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


@dataclass
class Server:
    """A server process and where to reach it."""

    process: subprocess.Popen
    url: str
    log_path: Path
    env: dict


def server_env(api_url: str, database_url: str | None = None) -> dict:
    """The environment both servers get: this one's, less any Slack or bot settings, plus the fake's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "COLLAB_"))}
    env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=api_url,
               COLLAB_CLOSE_CHECK_SECONDS="1", COLLAB_AUDIT_KEY=AUDIT_KEY)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start(kind: str, env: dict, workdir: Path, *, workers: int, threads: int) -> Server:
    """`collab-bot serve` (kind "bot") or the floor (kind "floor"), waited for through GET /healthz."""
    port = free_port()
    options = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if kind == "bot":
        command, cwd = [*collab_bot_command(), "serve", *options], workdir
    else:
        command, cwd = [sys.executable, "-m", "bench.floor", *options], REPO
    log_path = workdir / f"{kind}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return Server(process, url, log_path, env)
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise SystemExit(f"the {kind} server did not start:\n{log_path.read_text()}")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    """Stop a server: gunicorn's arbiter takes its workers down with it."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fresh_database(url: str | None, workdir: Path) -> tuple[str, str, Callable[[], None]]:
    """(url, backend, drop): a fresh SQLite file, or a fresh schema in the given PostgreSQL database."""
    if url is None:
        fresh, drop = fresh_database_url("sqlite", workdir)
        return fresh, "sqlite", drop
    backend = make_url(url).get_backend_name()
    if backend != "postgresql":
        return url, backend, lambda: None
    fresh, drop = fresh_database_url("postgresql", workdir, pg_url=url)
    return fresh, backend, drop
