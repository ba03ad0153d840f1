"""Where the audit key comes from: COLLAB_AUDIT_KEY, or a key file made once beside a SQLite database."""

from __future__ import annotations

import logging
import stat

import pytest

from bot.keys import audit_key
from bot.settings import Settings, SettingsError, load_settings
from tests.integration.test_audit_cli import collab_bot

WARNING = "created the audit key file"


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_cli_creates_the_key_file_once_with_mode_0600_and_says_so(tmp_path):
    url = f"sqlite:///{tmp_path}/collab-bot.db"
    first = collab_bot(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "collab-bot.key"
    assert f"{WARNING} {key_file}; keep a copy somewhere safe" in first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    again = collab_bot(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert again.returncode == 0 and WARNING not in again.stderr
    assert key_file.read_text() == key
    verified = collab_bot(tmp_path, "audit", "verify", DATABASE_URL=url)
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout


def test_the_key_file_is_named_after_the_database_file(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    key = audit_key(settings(DATABASE_URL=f"sqlite:///{tmp_path}/board.sqlite3"))
    assert (tmp_path / "board.key").read_text().strip() == key.hex()
    assert len(key) == 32
    assert audit_key(settings(DATABASE_URL=f"sqlite:///{tmp_path}/board.sqlite3")) == key
    assert [r.getMessage().startswith(WARNING) for r in caplog.records] == [True]


def test_the_setting_wins_over_any_key_file(tmp_path):
    (tmp_path / "x.key").write_text("cd" * 32)
    chosen = settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.db", COLLAB_AUDIT_KEY="ab" * 32)
    assert audit_key(chosen) == bytes.fromhex("ab" * 32)


def test_a_malformed_key_file_is_a_settings_error_naming_it(tmp_path):
    (tmp_path / "x.key").write_text("not a key")
    with pytest.raises(SettingsError, match="audit key file .*x.key is malformed"):
        audit_key(settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.db"))


def test_postgresql_needs_the_setting():
    with pytest.raises(SettingsError, match="^COLLAB_AUDIT_KEY is not set; every instance sharing a PostgreSQL"):
        audit_key(settings(DATABASE_URL="postgresql+psycopg://u@localhost/db"))


@pytest.mark.parametrize(("value", "says"), [("ab" * 8, "8 bytes"), ("not hex, not base64", "hex")])
def test_a_malformed_setting_is_one_line_naming_it_and_never_the_value(monkeypatch, value, says):
    monkeypatch.setenv("COLLAB_AUDIT_KEY", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("COLLAB_AUDIT_KEY is malformed") and says in message and value not in message


def test_the_key_is_redacted_from_logs():
    assert "ab" * 32 in settings(COLLAB_AUDIT_KEY="ab" * 32).secrets()


def test_a_blank_setting_counts_as_unset():
    assert settings(COLLAB_AUDIT_KEY="  ").COLLAB_AUDIT_KEY is None
