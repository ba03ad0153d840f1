"""The fake Slack server behaves like Slack as seen through the real slack_sdk clients."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.e2e import payloads
from tests.e2e.fake_slack import FakeSlack
from tests.e2e.signer import sign

TOKEN = "xoxb-test-token"


@pytest.fixture
def fake():
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake):
    return WebClient(base_url=fake.api_url, token=TOKEN)


def test_auth_test_identity(client):
    resp = client.auth_test()
    assert (resp["user_id"], resp["bot_id"], resp["team_id"]) == ("UBOT", "BBOT", "T0001")


def test_post_message_gives_increasing_ts_and_echoes(fake, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="one")
    second = client.chat_postMessage(channel="C1", text="two", blocks=blocks)
    assert float(first["ts"]) < float(second["ts"]) and first["ts"] < second["ts"]
    assert second["message"]["blocks"] == blocks and second["channel"] == "C1"
    calls = fake.wait_for("chat.postMessage", count=2)
    assert calls[1].params["blocks"] == blocks
    assert calls[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_form_encoded_blocks_are_decoded(fake, client):
    blocks = [{"type": "divider"}]
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps(blocks)})
    assert fake.calls("chat.postMessage", ok_only=True)[0].params["blocks"] == blocks


def test_update_and_missing_arguments(client):
    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    assert client.chat_update(channel="C1", ts=ts, text="y")["text"] == "y"
    for call, error in [
        (lambda: client.chat_update(channel="C1", ts="1.000001", text="y"), "message_not_found"),
        (lambda: client.chat_postMessage(channel="", text="x"), "channel_not_found"),
        (lambda: client.api_call("chat.postMessage", json={"channel": "C1"}), "no_text"),
        (lambda: client.views_open(view={"type": "modal"}, trigger_id=""), "invalid_arguments"),
        (lambda: client.api_call("no.such.method"), "unknown_method"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            call()
        assert exc.value.response["error"] == error


def test_invalid_and_missing_token(fake):
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.api_url, token="xoxb-wrong").auth_test()
    assert exc.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.api_url).auth_test()
    assert exc.value.response["error"] == "not_authed"
    assert [c.status for c in fake.calls("auth.test")] == [200, 200]
    assert fake.calls("auth.test", ok_only=True) == []


def test_rate_limit_is_retried_after_retry_after(fake):
    client = WebClient(base_url=fake.api_url, token=TOKEN,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert time.monotonic() - started >= 1
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


def test_rate_limit_without_handler_raises(fake, client):
    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="hi")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "7"
    assert exc.value.response["error"] == "ratelimited"


def test_server_error_is_retried(fake):
    client = WebClient(base_url=fake.api_url, token=TOKEN,
                       retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("chat.postMessage", status=500)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [500, 200]


def test_injected_error_at_200(fake, client):
    fake.fail_next("conversations.info", status=200, error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.conversations_info(channel="C1")
    assert client.conversations_info(channel="C1")["channel"]["name"] == "channel-c1"


def test_block_limits(client):
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x", blocks=[section] * 51)
    assert exc.value.response["error"] == "invalid_blocks"
    assert client.chat_postMessage(channel="C1", text="x", blocks=[section] * 50)["ok"]
    long_button = {"type": "actions", "elements": [
        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 76}}]}
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x", blocks=[long_button])
    assert exc.value.response["error"] == "invalid_blocks"


def test_views(client):
    view = {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "Title"},
            "blocks": [{"type": "divider"}]}
    opened = client.views_open(trigger_id="1.2.abc", view=view)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "cb" and opened["hash"]
    updated = client.views_update(view_id=opened["id"], view=view)["view"]
    assert updated["id"] == opened["id"]
    long_title = {**view, "title": {"type": "plain_text", "text": "t" * 25}}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="1.2.abc", view=long_title)
    assert exc.value.response["error"] == "invalid_arguments"
    home = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view=home)


def test_file_upload_v2(fake, client):
    resp = client.files_upload_v2(channel="C1", content="hello", filename="a.txt", title="A")
    assert resp["ok"]
    assert fake.calls("file_upload")[0].params["size"] == 5


def test_response_url_post_recorded(fake):
    url = fake.new_response_url()
    resp = WebhookClient(url).send(text="done", replace_original=True)
    assert (resp.status_code, resp.body) == (200, "ok")
    call = fake.wait_for("response_url")[0]
    assert call.params["text"] == "done" and call.params["replace_original"] is True
    assert url.endswith(call.params["_path"])


def test_wait_for_reports_what_was_received(fake, client):
    client.auth_test()
    with pytest.raises(AssertionError, match="auth.test"):
        fake.wait_for("chat.postMessage", timeout=0.1)


def test_signer_matches_slack_sdk_verifier():
    body, ctype = payloads.slash_command("help", user_id="U1", channel_id="C1",
                                         response_url="http://x/response/1")
    headers = sign(body, "shh", content_type=ctype)
    verifier = SignatureVerifier("shh")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body, sign(body, "shh", timestamp=int(time.time()) - 600))
    assert parse_qs(body.decode())["command"] == ["/collab"]


def test_payload_builders_shape():
    body, _ = payloads.block_action("approve", "42", user_id="U1", channel_id="C1", message_ts="1.2",
                                    response_url="http://x")
    data = json.loads(parse_qs(body.decode())["payload"][0])
    assert data["type"] == "block_actions" and data["actions"][0]["value"] == "42"
    body, _ = payloads.view_submission("cb", {"b": {"a": payloads.plain_value("v")}}, user_id="U1")
    view = json.loads(parse_qs(body.decode())["payload"][0])["view"]
    assert view["state"]["values"]["b"]["a"]["value"] == "v"
    body, ctype = payloads.event({"type": "app_mention", "text": "hi"})
    assert ctype == "application/json" and json.loads(body)["event_id"].startswith("Ev")
