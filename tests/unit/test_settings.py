"""Settings: read from the environment and .env, with a one-line error naming any bad setting."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings

ALL = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL",
       "COLLAB_TIMEZONE", "LOG_LEVEL"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No inherited settings and no stray .env: each test starts from the defaults."""
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def load_error(monkeypatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_defaults_load_with_nothing_set():
    settings = load_settings()
    assert settings.SLACK_BOT_TOKEN is None
    assert settings.SLACK_API_URL == "https://slack.com/api/"
    assert settings.DATABASE_URL.startswith("sqlite:///")
    assert settings.COLLAB_TIMEZONE == "Europe/London"
    assert settings.secrets() == []


def test_a_missing_bot_token_is_named_by_require():
    with pytest.raises(SettingsError) as caught:
        load_settings().require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    assert str(caught.value).startswith("SLACK_BOT_TOKEN is not set")
    assert "\n" not in str(caught.value)


def test_require_names_the_first_missing_setting(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    with pytest.raises(SettingsError, match="^SLACK_SIGNING_SECRET is not set"):
        load_settings().require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


def test_require_passes_when_everything_is_set(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")
    assert load_settings().require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") is None


@pytest.mark.parametrize("token", ["abc", "xoxp-1-2-abc", "xapp-1-A-2", "XOXB-1-2"])
def test_a_bot_token_without_the_xoxb_prefix_is_malformed(monkeypatch, token):
    message = load_error(monkeypatch, "SLACK_BOT_TOKEN", token)
    assert message.startswith("SLACK_BOT_TOKEN is malformed")
    assert "xoxb-" in message


def test_a_malformed_token_is_not_echoed_in_the_error(monkeypatch):
    message = load_error(monkeypatch, "SLACK_BOT_TOKEN", "xoxp-secret-value-123")
    assert "secret-value" not in message


def test_an_app_token_without_the_xapp_prefix_is_malformed(monkeypatch):
    assert load_error(monkeypatch, "SLACK_APP_TOKEN", "xoxb-1-2").startswith("SLACK_APP_TOKEN is malformed")


@pytest.mark.parametrize("url", ["nonsense", "ftp://slack.com/api/", "https://", "slack.com/api"])
def test_a_bad_slack_api_url_is_malformed(monkeypatch, url):
    assert load_error(monkeypatch, "SLACK_API_URL", url).startswith("SLACK_API_URL is malformed")


@pytest.mark.parametrize(("url", "expected"), [
    ("http://localhost:8888/api", "http://localhost:8888/api/"),
    ("https://slack.com/api/", "https://slack.com/api/"),
])
def test_the_slack_api_url_gains_a_trailing_slash(monkeypatch, url, expected):
    monkeypatch.setenv("SLACK_API_URL", url)
    assert load_settings().SLACK_API_URL == expected


@pytest.mark.parametrize("url", ["mysql://x", "nonsense", "", "oracle://u:p@h/db"])
def test_a_bad_database_url_is_malformed(monkeypatch, url):
    assert load_error(monkeypatch, "DATABASE_URL", url).startswith("DATABASE_URL is malformed")


@pytest.mark.parametrize("url", ["sqlite:///x.db", "sqlite://", "postgresql+psycopg://u:p@localhost/collab"])
def test_sqlite_and_postgresql_database_urls_are_accepted(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings().DATABASE_URL == url


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://u:p@db:5432/collab", "postgresql+psycopg://u:p@db:5432/collab"),
    ("postgres://u:p@db/collab?sslmode=require", "postgresql+psycopg://u:p@db/collab?sslmode=require"),
    ("sqlite+pysqlite:///x.db", "sqlite+pysqlite:///x.db"),
])
def test_plain_postgresql_urls_mean_psycopg_3_the_driver_the_bot_ships(monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings().DATABASE_URL == expected


@pytest.mark.parametrize(("url", "advice"), [
    ("postgresql+psycopg2://u:p@db/collab", "postgresql+psycopg://"),
    ("postgresql+asyncpg://u:p@db/collab", "postgresql+psycopg://"),
    ("postgresql+pg8000://u:p@db/collab", "postgresql+psycopg://"),
    ("sqlite+aiosqlite:///x.db", "sqlite:///"),
])
def test_a_database_driver_the_bot_lacks_is_refused_saying_what_to_write(monkeypatch, url, advice):
    message = load_error(monkeypatch, "DATABASE_URL", url)
    assert message.startswith(f"DATABASE_URL is malformed: {url.split(':')[0]} is not supported")
    assert advice in message
    assert "u:p@" not in message


@pytest.mark.parametrize("zone", ["Mars/Olympus", "London", "Europe/London.", ""])
def test_a_bad_time_zone_is_malformed(monkeypatch, zone):
    assert load_error(monkeypatch, "COLLAB_TIMEZONE", zone).startswith("COLLAB_TIMEZONE is malformed")


def test_a_bad_log_level_is_malformed(monkeypatch):
    message = load_error(monkeypatch, "LOG_LEVEL", "LOUD")
    assert message == "LOG_LEVEL is malformed: must be one of DEBUG, INFO, WARNING, ERROR (any case)"


@pytest.mark.parametrize(("level", "expected"), [("debug", "DEBUG"), ("Warning", "WARNING"), (" info ", "INFO")])
def test_a_log_level_in_any_case_is_accepted_and_upper_cased(monkeypatch, level, expected):
    monkeypatch.setenv("LOG_LEVEL", level)
    assert load_settings().LOG_LEVEL == expected


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path):
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\nSLACK_SIGNING_SECRET=dotenv-signing-secret\n"
        "COLLAB_TIMEZONE=Europe/Dublin\n", encoding="utf-8")
    settings = load_settings()
    assert settings.SLACK_BOT_TOKEN.get_secret_value() == "xoxb-from-dotenv"
    assert settings.COLLAB_TIMEZONE == "Europe/Dublin"
    assert sorted(settings.secrets()) == ["dotenv-signing-secret", "xoxb-from-dotenv"]


def test_the_environment_wins_over_the_dotenv_file(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("COLLAB_TIMEZONE=Europe/Dublin\n", encoding="utf-8")
    monkeypatch.setenv("COLLAB_TIMEZONE", "Europe/Paris")
    assert load_settings().COLLAB_TIMEZONE == "Europe/Paris"


def test_a_malformed_setting_in_dotenv_is_named(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=mysql://x\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="^DATABASE_URL is malformed"):
        load_settings()


def test_secrets_are_hidden_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    assert "xoxb-very-secret" not in repr(Settings())
