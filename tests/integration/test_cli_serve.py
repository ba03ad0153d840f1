"""What a new user sees in the log of `collab-bot serve`: no noise at start or every tick, one warning when
Slack cannot be reached (serve starts anyway, because Slack calls it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.e2e.fake_slack import FakeSlack
from tests.integration.test_cli import cli_env

STARTUP_SECONDS = 30


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_log(tmp_path, *, linger: float, **settings: str) -> str:
    """Start `collab-bot serve`, wait until /healthz answers, let it run `linger` seconds; its whole log."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = cli_env(SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET="signing-secret-0123456789",
                  DATABASE_URL=f"sqlite:///{tmp_path}/serve.db", **settings)
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port",
                                    str(port), "--workers", "1", "--threads", "2"],
                                   env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"collab-bot serve did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        time.sleep(linger)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return log_path.read_text()


def test_serve_at_debug_level_logs_neither_bolts_token_notice_nor_scheduler_ticks(tmp_path):
    with FakeSlack() as fake:
        log = serve_log(tmp_path, linger=2.5, SLACK_API_URL=fake.api_url, LOG_LEVEL="debug",
                        COLLAB_CLOSE_CHECK_SECONDS="1")
    assert "Slack accepts the bot token" in log, log
    assert "will be unused" not in log
    assert "Running job" not in log and "executed successfully" not in log
    assert "Traceback" not in log


def test_serve_starts_with_one_warning_line_when_slack_is_unreachable(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/"
    log = serve_log(tmp_path, linger=0, SLACK_API_URL=url, LOG_LEVEL="INFO")
    about_slack = [line for line in log.splitlines() if "Slack" in line or "slack_sdk" in line]
    assert len(about_slack) == 1, log
    assert " WARNING collab-bot " in about_slack[0]
    assert f"cannot reach Slack at {url} (SLACK_API_URL): connection refused" in about_slack[0]
    assert "Traceback" not in log
