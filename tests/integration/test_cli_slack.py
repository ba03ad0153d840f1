"""`collab-bot run` checks both tokens with Slack before it starts; a refusal or an unreachable Slack is one line."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cli.checks import CommandError, check_app_token, check_bot_token
from bot.settings import Settings, SettingsError
from tests.e2e.fake_slack import APP_TOKEN, FakeSlack
from tests.integration.test_cli import closed_port, one_error_line

BOT_TOKEN = "xoxb-test-token"


@pytest.fixture(scope="module")
def fake_slack():
    with FakeSlack() as fake:
        yield fake


def settings_for(api_url: str, **values) -> Settings:
    """Settings from `values` alone: no environment, no .env file."""
    return Settings(_env_file=None, SLACK_API_URL=api_url, **values)


# -- end to end, through the command ---------------------------------------------------------------------

def test_run_with_a_refused_app_token_is_one_line_naming_it_and_slacks_error(cli, fake_slack, tmp_path):
    wrong = "xapp-1-A0001-wrong-token-value"
    result = cli("run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=wrong, SLACK_API_URL=fake_slack.api_url)
    assert result.returncode == 2
    assert one_error_line(result) == "collab-bot: SLACK_APP_TOKEN was refused by Slack (invalid_auth)"
    assert wrong not in result.stderr
    assert list(tmp_path.iterdir()) == [], "a refused token should leave no database behind"


def test_run_with_a_refused_bot_token_is_one_line_naming_it(cli, fake_slack):
    result = cli("run", SLACK_BOT_TOKEN="xoxb-wrong", SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.api_url)
    assert result.returncode == 2
    assert one_error_line(result) == "collab-bot: SLACK_BOT_TOKEN was refused by Slack (invalid_auth)"


def test_run_when_slack_refuses_connections_is_one_line_naming_slack_api_url(cli):
    url = f"http://127.0.0.1:{closed_port()}/api/"
    result = cli("run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=url)
    assert result.returncode == 1
    assert one_error_line(result) == f"collab-bot: cannot reach Slack at {url} (SLACK_API_URL): connection refused"


def test_run_when_slacks_host_is_unknown_is_one_line_naming_slack_api_url(cli):
    url = "http://slack.invalid/api/"
    result = cli("run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=url)
    assert result.returncode == 1
    assert one_error_line(result) == f"collab-bot: cannot reach Slack at {url} (SLACK_API_URL): unknown host"


# -- the pre-flight checks against the fake Slack --------------------------------------------------------

def test_a_valid_app_token_gets_a_socket_mode_url_without_opening_it(fake_slack):
    url = check_app_token(settings_for(fake_slack.api_url, SLACK_APP_TOKEN=APP_TOKEN))
    assert url.startswith("wss://")
    calls = fake_slack.calls("apps.connections.open")
    assert calls[-1].ok and calls[-1].headers["authorization"] == f"Bearer {APP_TOKEN}"


def test_the_app_token_is_checked_with_the_app_token_not_the_bot_token(fake_slack):
    settings = settings_for(fake_slack.api_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-unknown")
    with pytest.raises(SettingsError, match=r"^SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)$"):
        check_app_token(settings)


def test_the_fake_slack_refuses_a_bot_token_where_an_app_token_belongs(fake_slack):
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=fake_slack.api_url).apps_connections_open(app_token=BOT_TOKEN)
    assert caught.value.response["error"] == "not_allowed_token_type"


def test_the_fake_slack_refuses_an_app_token_for_bot_methods(fake_slack):
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=fake_slack.api_url, token=APP_TOKEN).auth_test()
    assert caught.value.response["error"] == "not_allowed_token_type"


def test_serve_may_start_while_slack_is_unreachable_but_run_may_not():
    settings = settings_for(f"http://127.0.0.1:{closed_port()}/api/", SLACK_BOT_TOKEN=BOT_TOKEN)
    assert check_bot_token(settings, must_reach=False) is None
    with pytest.raises(CommandError, match="SLACK_API_URL"):
        check_bot_token(settings, must_reach=True)


def test_slack_answering_with_an_http_error_names_slack_api_url(fake_slack):
    settings = settings_for(fake_slack.url + "/not-the-api/", SLACK_BOT_TOKEN=BOT_TOKEN)
    with pytest.raises(CommandError, match=r"answered HTTP 404 .*is SLACK_API_URL right\?$"):
        check_bot_token(settings, must_reach=True)
