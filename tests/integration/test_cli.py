"""The `collab-bot` command in a clean process: one-line errors for missing settings, and working db tools."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def cli_env(**settings: str) -> dict:
    """An environment holding only `settings`, so nothing leaks in from the shell running the tests."""
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT), **settings}


def run_cli(cwd, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """Run `python -m bot.cli` in `cwd` with only `settings` in its environment."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=cli_env(**settings), cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The only line on stderr, which must start with `collab-bot: ` and hold no traceback."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("collab-bot: "), lines[0]
    return lines[0]


def test_run_without_a_bot_token_exits_2_with_one_line_naming_it(cli):
    result = cli("run")
    assert result.returncode == 2
    line = one_error_line(result)
    assert "SLACK_BOT_TOKEN" in line
    assert line.startswith("collab-bot: ")


def test_run_without_an_app_token_exits_2_naming_it(cli):
    result = cli("run", SLACK_BOT_TOKEN="xoxb-1-2-abc")
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in one_error_line(result)


def test_serve_without_a_signing_secret_exits_2_naming_it(cli):
    result = cli("serve", SLACK_BOT_TOKEN="xoxb-1-2-abc")
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in one_error_line(result)


def test_a_malformed_setting_exits_2_with_one_line_naming_it(cli):
    result = cli("run", SLACK_BOT_TOKEN="not-a-bot-token-secret")
    assert result.returncode == 2
    line = one_error_line(result)
    assert "SLACK_BOT_TOKEN" in line and "not-a-bot-token-secret" not in line


def test_help_lists_every_subcommand(cli):
    result = cli("--help")
    assert result.returncode == 0
    for command in ("run", "serve", "db", "audit", "export"):
        assert command in result.stdout


def test_db_upgrade_then_audit_verify_on_a_fresh_database(cli, tmp_path):
    url = f"sqlite:///{tmp_path}/x.db"
    upgraded = cli("db", "upgrade", DATABASE_URL=url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    assert (tmp_path / "x.db").exists()

    verified = cli("audit", "verify", DATABASE_URL=url)
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout
    assert "0 events" in verified.stdout


def test_db_upgrade_twice_is_harmless(cli, tmp_path):
    url = f"sqlite:///{tmp_path}/x.db"
    assert cli("db", "upgrade", DATABASE_URL=url).returncode == 0
    again = cli("db", "upgrade", DATABASE_URL=url)
    assert again.returncode == 0, again.stderr


def test_an_unusable_database_exits_1_with_one_line(cli, tmp_path):
    result = cli("db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path}/no/such/dir/x.db")
    assert result.returncode == 1
    assert "DATABASE_URL" in one_error_line(result)
