"""A new user can find out what each command does and needs, which version they run, and how to use /collab."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli import main
from tests.integration.test_cli import run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
# command -> (words from what it does, the settings it must name)
COMMANDS = {
    "run": ("Socket Mode", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL"]),
    "serve": ("/slack/events", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"]),
    "db upgrade": ("newest schema", ["DATABASE_URL"]),
    "audit verify": ("audit chain", ["DATABASE_URL"]),
    "export decisions": ("decision register", ["DATABASE_URL"]),
}
SLASH_COMMANDS = ["help", "setup", "propose", "decisions", "history", "org", "members"]


def help_text(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as finished:
        main([*args, "--help"])
    assert finished.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_version_prints_the_installed_package_version(tmp_path):
    result = run_cli(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"collab-bot {version('collab-bot')}"
    assert version("collab-bot") == "0.1.0"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_says_what_it_does_and_which_settings_it_reads(capsys, command):
    does, settings = COMMANDS[command]
    text = help_text(capsys, *command.split())
    assert does in text
    assert "Settings, from the environment or a .env file" in text
    for name in settings:
        assert name in text, f"{command} --help does not name {name}"


def leaf_commands(capsys, *path: str) -> list[tuple[str, ...]]:
    """Every command reachable from `path`, found by reading each usage line's {a,b} choices."""
    choices = re.search(r"^usage: [^{]*\{([a-z,]+)\} \.\.\.", help_text(capsys, *path))
    if not choices:
        return [path]
    return [leaf for choice in choices.group(1).split(",") for leaf in leaf_commands(capsys, *path, choice)]


def test_every_command_there_is_names_the_settings_it_reads(capsys):
    leaves = leaf_commands(capsys)
    assert {" ".join(leaf) for leaf in leaves} >= set(COMMANDS)
    for leaf in leaves:
        assert "Settings, from the environment or a .env file" in help_text(capsys, *leaf), " ".join(leaf)


def test_the_top_level_help_lists_every_command_and_the_version_option(capsys):
    text = help_text(capsys)
    for command in ("run", "serve", "db", "audit", "export", "--version"):
        assert command in text


def manifest_value(key: str) -> str:
    found = re.search(rf"^\s*{key}:\s*(.+)$", (REPO_ROOT / "manifest.yml").read_text(), re.MULTILINE)
    assert found, f"manifest.yml has no {key}"
    return found.group(1).strip()


def test_the_collab_usage_hint_names_every_subcommand_briefly():
    hint = manifest_value("usage_hint")
    assert len(hint) <= 100
    for word in SLASH_COMMANDS:
        assert re.search(rf"\b{word}\b", hint), f"usage_hint does not mention {word}"


def test_the_manifest_asks_for_the_users_read_scope():
    scopes = (REPO_ROOT / "manifest.yml").read_text().split("bot:", 1)[1].split("settings:", 1)[0]
    assert re.findall(r"^\s*- (\S+)$", scopes, re.MULTILINE) == ["commands", "chat:write", "channels:join",
                                                                  "users:read", "channels:read", "groups:read",
                                                                  "files:write", "channels:history", "groups:history",
                                                                  "im:history", "im:write"]


def test_the_licence_is_the_mit_licence_pyproject_declares():
    licence = (REPO_ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 The collab-bot contributors\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence
    assert 'license = "MIT"' in (REPO_ROOT / "pyproject.toml").read_text()
