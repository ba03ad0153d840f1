"""The verification gate, called in-process as an ASGI app with a tiny handler behind it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from bot.web.gate import MAX_BODY_BYTES, Answer, SlackGate, Verified
from bot.web.server import gated
from tests.e2e import payloads
from tests.e2e.signer import sign

SECRET = "unit-signing-secret"
NOW = 1_760_000_000
MARKER = "SECRET-BODY-MARKER"
CHUNK = 64 * 1024


class Stream:
    """A request body handed out in chunks as the server would, counting how many bytes were taken."""

    def __init__(self, data: bytes, *, trickle: float = 0.0, chunk: int = CHUNK):
        self.chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] or [b""]
        self.trickle, self.taken = trickle, 0

    async def receive(self) -> dict:
        if self.trickle:
            await asyncio.sleep(self.trickle)
        chunk = self.chunks.pop(0) if self.chunks else b""
        self.taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}


class Behind:
    """The handler behind the gate: records what reached it."""

    def __init__(self, status: int = 200):
        self.status, self.bodies = status, []

    def __call__(self, request: Verified) -> Answer:
        self.bodies.append(request.body)
        return Answer(self.status, [("content-type", "text/plain")], b"ok")


def call(gate: SlackGate, body: bytes = b"", headers: dict | None = None, *, method: str = "POST",
         path: str = "/slack/events", chunked: bool = False, stream: Stream | None = None) -> tuple[int, Stream]:
    """Send one request through the gate; the status it answered and the body stream it was given."""
    stream = stream or Stream(body)
    fields = {"transfer-encoding": "chunked"} if chunked else {"content-length": str(len(body))}
    fields.update({name.lower(): value for name, value in (headers or {}).items()})
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "client": ("127.0.0.1", 5000),
             "headers": [(k.encode("latin-1"), v.encode("utf-8")) for k, v in fields.items()]}
    answered = []

    async def send(message: dict) -> None:
        answered.append(message)

    asyncio.run(gate(scope, stream.receive, send))
    call.headers = dict(answered[0]["headers"])
    return answered[0]["status"], stream


def signed(body: bytes, content_type: str = payloads.FORM, *, timestamp: int = NOW, secret: str = SECRET) -> dict:
    """Headers Slack would send with `body`, signed at `timestamp`."""
    return sign(body, secret, timestamp, content_type=content_type)


@pytest.fixture
def behind() -> Behind:
    return Behind()


@pytest.fixture
def gate(behind) -> SlackGate:
    return SlackGate(behind, SECRET, clock=lambda: NOW)


COMMAND, _ = payloads.slash_command(f"help {MARKER}", user_id="U1", channel_id="C1", response_url="https://x/r")
CLICK, _ = payloads.block_action("vote_agree", "7", user_id="U1", channel_id="C1", message_ts="1.2",
                                 response_url=None)
SUBMISSION, _ = payloads.view_submission("setup_board", {}, user_id="U1")
EVENT, _ = payloads.event({"type": "app_home_opened", "user": "U1", "tab": "home"})


@pytest.mark.parametrize(("body", "content_type"), [
    (COMMAND, payloads.FORM), (CLICK, payloads.FORM), (SUBMISSION, payloads.FORM), (EVENT, payloads.JSON),
    (b'{"type": "url_verification", "challenge": "abc"}', "application/json; charset=utf-8"),
    (b"ssl_check=1&token=abc", payloads.FORM),
])
def test_a_signed_well_formed_request_reaches_the_app_with_its_whole_body(gate, behind, body, content_type):
    status, _ = call(gate, body, signed(body, content_type))
    assert status == 200 and behind.bodies == [body]


def test_a_chunked_request_reaches_the_app_with_a_content_length_it_can_read(gate, behind):
    status, _ = call(gate, COMMAND, signed(COMMAND), chunked=True)
    assert status == 200 and behind.bodies == [COMMAND]


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/", 404), ("POST", "/slack/event", 404), ("POST", "/slack/events/", 404), ("GET", "/slack/events", 405),
    ("PUT", "/slack/events", 405), ("HEAD", "/slack/events", 405),
])
def test_other_paths_get_404_and_other_methods_405_without_reading_the_body(gate, behind, method, path, expected):
    status, stream = call(gate, COMMAND, signed(COMMAND), method=method, path=path)
    assert status == expected and stream.taken == 0 and behind.bodies == []


def test_a_declared_length_over_the_limit_gets_413_before_any_byte_is_read(gate, behind):
    body = b"a" * (MAX_BODY_BYTES + 1)
    status, stream = call(gate, body, signed(body))
    assert status == 413 and stream.taken == 0 and behind.bodies == []


def test_an_undeclared_body_over_the_limit_gets_413_after_reading_at_most_one_chunk_past_it(gate, behind):
    body = b"a" * (5 * MAX_BODY_BYTES)
    status, stream = call(gate, body, signed(body), chunked=True)
    assert status == 413 and MAX_BODY_BYTES < stream.taken <= MAX_BODY_BYTES + CHUNK and behind.bodies == []


def test_a_body_of_exactly_the_limit_is_read_and_judged_on_its_signature(gate, behind):
    body = b"command=%2Fcollab&text=" + b"a" * (MAX_BODY_BYTES - 23)
    assert len(body) == MAX_BODY_BYTES
    assert call(gate, body, signed(body))[0] == 200
    assert call(gate, body, signed(body), chunked=True)[0] == 200


def _headers_with(**changes) -> dict:
    headers = signed(COMMAND)
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


SIGNATURE_OK = signed(COMMAND)["X-Slack-Signature"]


@pytest.mark.parametrize("headers", [
    pytest.param({"Content-Type": payloads.FORM}, id="no headers"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=None), id="no timestamp"),
    pytest.param(_headers_with(X_Slack_Signature=None), id="no signature"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp="x"), id="timestamp x"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=""), id="empty timestamp"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp="9" * 5000), id="5000 digits"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=f"-{NOW}"), id="negative"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=f"{NOW}.0"), id="decimal"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=f" {NOW}"), id="leading space"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=f"{NOW}\n"), id="trailing newline"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp="\uff11" * 10), id="unicode digits"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=str(NOW - 301)), id="stale"),
    pytest.param(_headers_with(X_Slack_Request_Timestamp=str(NOW + 301)), id="future"),
    pytest.param(_headers_with(X_Slack_Signature=SIGNATURE_OK[3:]), id="no v0="),
    pytest.param(_headers_with(X_Slack_Signature="v1=" + SIGNATURE_OK[3:]), id="v1="),
    pytest.param(_headers_with(X_Slack_Signature=SIGNATURE_OK[:-1]), id="too short"),
    pytest.param(_headers_with(X_Slack_Signature=SIGNATURE_OK + "0"), id="too long"),
    pytest.param(_headers_with(X_Slack_Signature=SIGNATURE_OK.upper().replace("V0=", "v0=")), id="upper case"),
])
def test_missing_or_malformed_signature_headers_get_401_without_reading_the_body(gate, behind, headers):
    status, stream = call(gate, COMMAND, headers)
    assert status == 401 and stream.taken == 0 and behind.bodies == []


@pytest.mark.parametrize("skew", [-300, 300])
def test_a_timestamp_exactly_five_minutes_either_way_is_still_accepted(gate, behind, skew):
    assert call(gate, COMMAND, signed(COMMAND, timestamp=NOW + skew))[0] == 200


@pytest.mark.parametrize("headers", [
    pytest.param(signed(COMMAND, secret="not-the-secret"), id="wrong secret"),
    pytest.param(signed(COMMAND, timestamp=NOW - 1) | {"X-Slack-Request-Timestamp": str(NOW)}, id="other time"),
    pytest.param(signed(COMMAND + b"&extra=1"), id="other body"),
])
def test_a_wrong_signature_gets_401_and_reaches_nothing(gate, behind, headers):
    assert call(gate, COMMAND, headers)[0] == 401 and behind.bodies == []


def _form(**fields) -> bytes:
    return urlencode(fields).encode()


def _payload(data) -> bytes:
    return _form(payload=json.dumps(data))


@pytest.mark.parametrize(("body", "content_type"), [
    pytest.param(b"\xff\xfe" + COMMAND, payloads.FORM, id="not utf-8"),
    pytest.param(b'{"type": "event_callback",', payloads.JSON, id="invalid json"),
    pytest.param(COMMAND, payloads.JSON, id="form sent as json"),
    pytest.param(b'["event_callback"]', payloads.JSON, id="json array"),
    pytest.param(b"", payloads.JSON, id="empty json"),
    pytest.param(b"", payloads.FORM, id="empty form"),
    pytest.param(b"{&command=%2Fcollab", payloads.FORM, id="form starting with a brace, which Bolt reads as JSON"),
    pytest.param(_form(team_id="T1", user_id="U1"), payloads.FORM, id="form without payload or command"),
    pytest.param(_form(payload="garbage"), payloads.FORM, id="payload garbage"),
    pytest.param(_form(payload="[1, 2]"), payloads.FORM, id="payload array"),
    pytest.param(COMMAND, "text/plain", id="other content type"),
    pytest.param(_payload({"type": "block_actions", "actions": []}), payloads.FORM, id="actions empty"),
    pytest.param(_payload({"type": "block_actions"}), payloads.FORM, id="actions missing"),
    pytest.param(_payload({"type": "block_actions", "actions": {"action_id": "a"}}), payloads.FORM,
                 id="actions not a list"),
    pytest.param(_payload({"type": "block_actions", "actions": [1]}), payloads.FORM, id="action not an object"),
    pytest.param(_payload({"type": "block_actions", "actions": [{"action_id": 5}]}), payloads.FORM,
                 id="action_id not a string"),
    pytest.param(_payload({"type": "block_actions", "actions": [{"action_id": "a"}, {}]}), payloads.FORM,
                 id="second action without action_id"),
    pytest.param(_payload({"type": "view_submission"}), payloads.FORM, id="submission without view"),
    pytest.param(_payload({"type": "view_submission", "view": "v"}), payloads.FORM, id="view not an object"),
    pytest.param(b'{"type": "event_callback", "event": "type"}', payloads.JSON, id="event not an object"),
])
def test_a_signed_but_malformed_body_gets_400_and_reaches_nothing(gate, behind, body, content_type):
    assert call(gate, body, signed(body, content_type))[0] == 400 and behind.bodies == []


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("body", "content_type"), [
    pytest.param(b'{"type": "event_callback", "event": ' + NESTED + b"}", payloads.JSON, id="json body"),
    pytest.param(b"payload=" + NESTED, payloads.FORM, id="form payload"),
    pytest.param(b"payload=" + b"%7B%22a%22%3A" * 50_000, payloads.FORM, id="objects in a form payload"),
])
def test_a_signed_body_nested_far_too_deep_gets_400_not_a_recursion_error(gate, behind, body, content_type, caplog):
    with caplog.at_level(logging.INFO):
        assert call(gate, body, signed(body, content_type))[0] == 400 and behind.bodies == []
    [record] = caplog.records
    assert "400 " in record.getMessage() and "nested too deep" in record.getMessage()


def test_a_body_trickled_past_the_deadline_gets_408_and_the_connection_is_closed(behind, caplog):
    gate = SlackGate(behind, SECRET, clock=lambda: NOW, body_seconds=0.3)
    stream = Stream(COMMAND, trickle=0.05, chunk=1)
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        status, _ = call(gate, COMMAND, signed(COMMAND, secret="not-the-secret"), stream=stream)
    assert status == 408 and time.monotonic() - started < 1 and behind.bodies == []
    assert call.headers[b"connection"] == b"close"
    assert 0 < stream.taken < len(COMMAND)
    [record] = caplog.records
    assert "408 body not complete within 0.3 s" in record.getMessage() and MARKER not in record.getMessage()


def test_a_body_of_many_small_pieces_within_the_deadline_is_read_whole(gate, behind):
    assert call(gate, COMMAND, signed(COMMAND), stream=Stream(COMMAND, chunk=7))[0] == 200
    assert behind.bodies == [COMMAND]


def test_a_body_shorter_than_its_content_length_gets_400(gate, behind):
    headers = signed(COMMAND) | {"Content-Length": str(len(COMMAND) + 10)}
    assert call(gate, COMMAND, headers)[0] == 400 and behind.bodies == []


REJECTIONS = {
    "404": dict(path="/wp-login.php"),
    "405": dict(method="GET"),
    "413": dict(body=MARKER.encode() * 100_000),
    "401 timestamp": dict(headers=_headers_with(X_Slack_Request_Timestamp=MARKER)),
    "401 signature": dict(headers=_headers_with(X_Slack_Signature="v0=" + "0" * 64)),
    "400": dict(body=b"payload=" + MARKER.encode()),
}


@pytest.mark.parametrize("case", REJECTIONS)
def test_each_rejection_is_one_short_warning_without_body_or_header_values(gate, caplog, case):
    request = dict(body=COMMAND, path="/slack/events", method="POST") | REJECTIONS[case]
    headers = request.pop("headers", None) or signed(request["body"])
    with caplog.at_level(logging.INFO):
        status, _ = call(gate, headers=headers, **request)
    assert str(status) == case.split()[0]
    [record] = caplog.records
    line = record.getMessage()
    assert record.levelno == logging.WARNING and len(line) < 200 and "\n" not in line
    assert line.startswith(f"rejected {request['method']} {request['path']}: {status} ")
    assert "127.0.0.1" in line and "bytes" in line
    assert MARKER not in line and "help" not in line and SIGNATURE_OK[3:13] not in line


def test_a_hostile_path_is_logged_escaped_and_cut_short(gate, caplog):
    with caplog.at_level(logging.INFO):
        call(gate, path="/\n" + "a" * 5000)
    [record] = caplog.records
    assert "\n" not in record.getMessage() and len(record.getMessage()) < 200


def test_a_401_from_the_app_behind_is_logged_as_one_line(caplog):
    gate = SlackGate(Behind(401), SECRET, clock=lambda: NOW)
    with caplog.at_level(logging.INFO):
        assert call(gate, COMMAND, signed(COMMAND))[0] == 401
    [record] = caplog.records
    assert "Bolt's signature check" in record.getMessage() and MARKER not in record.getMessage()


def bolt_app(commands: list) -> App:
    """A real Bolt app, logging as create_app's does, with one `/collab` listener that notes the command text."""
    app = App(signing_secret=SECRET, logger=logging.getLogger("slack_bolt"), authorize=lambda **_: AuthorizeResult(
        enterprise_id=None, team_id="T0001", bot_token="xoxb-unit", bot_user_id="UBOT", bot_id="BBOT"))

    @app.command("/collab")
    def collab(ack, command):
        commands.append(command["text"])
        ack()

    return app


@pytest.mark.parametrize("chunked", [False, True])
def test_a_verified_request_reaches_a_real_bolt_listener(chunked):
    commands = []
    gate = gated(bolt_app(commands), SECRET)
    now = int(time.time())
    assert call(gate, COMMAND, signed(COMMAND, timestamp=now), chunked=chunked)[0] == 200
    assert commands == [f"help {MARKER}"]


def test_a_request_bolt_still_refuses_is_one_gate_line_and_never_bolts_line_with_the_body(caplog):
    commands, then = [], int(time.time()) - 1000
    with caplog.at_level(logging.DEBUG):
        gate = gated(bolt_app(commands), SECRET, clock=lambda: then)  # the gate's clock is behind Bolt's
        assert call(gate, COMMAND, signed(COMMAND, timestamp=then))[0] == 401
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert commands == [] and len(lines) == 1
    assert "rejected by Bolt's signature check" in lines[0] and MARKER not in lines[0]


def test_the_gate_refuses_to_start_without_a_signing_secret(behind):
    with pytest.raises(ValueError):
        SlackGate(behind, "")
