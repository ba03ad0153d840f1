"""Hostile and malformed requests against the real `serve`: refused at the gate, and nothing else happens.

Each one must get its 4xx, make no Web API call, write no row, and add exactly one short line to the
serve log that says why, with nothing of the body in it.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy import text

from prompts.ids.polls import PollAction
from storage.models import AuditEventRow, BoardRow, MemberRow, ProcessedRequest, ProposalRow, VoteRow
from tests.e2e import payloads
from tests.e2e.conftest import SECRET, BotServer
from tests.e2e.flows import CHAIR, board_with_members
from tests.e2e.polls_flow import latest_render, submit_proposal, wait_for_poll
from tests.e2e.signer import sign, sign_with_timestamp

TABLES = (ProcessedRequest, AuditEventRow, BoardRow, MemberRow, VoteRow, ProposalRow)
MARKER = "HOSTILE-BODY-MARKER"
QUIET_SECONDS = 0.5
FIVE_MB = 5 * 1024 * 1024
LONGEST_LOG_LINE = 200
REDRAW_SECONDS = 1.2  # a poll is redrawn at most once a second: quiet for longer means it is done
# The scheduler's once-a-second ticks are logged by APScheduler at INFO: not caused by any request.
BACKGROUND = " INFO apscheduler."


@dataclass(frozen=True)
class Snapshot:
    """Everything a request could change: Web API calls made, rows per table, bytes of log."""

    calls: int
    rows: tuple
    log_size: int


def snapshot(server: BotServer) -> Snapshot:
    """What the server has done so far."""
    return Snapshot(len(server.fake.calls()), tuple(server.count(t) for t in TABLES), server.log_path.stat().st_size)


def outbox_busy(server: BotServer) -> int:
    """Jobs running, or due within the next few seconds, in the outbox (a poll's deadline days away is not)."""
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=5)
    with server.db.read() as uow:
        return uow.session.execute(text(
            "SELECT count(*) FROM outbox WHERE state = 'running' OR (state = 'pending' AND due_at < :soon)"),
            {"soon": soon}).scalar_one()


def settled(server: BotServer, quiet: float = 0.25, timeout: float = 15.0) -> Snapshot:
    """A snapshot taken once earlier work is done: nothing due in the outbox, nothing changed for `quiet` s."""
    deadline = time.monotonic() + timeout
    last = snapshot(server)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = snapshot(server)
        if (now.calls, now.rows) == (last.calls, last.rows) and not outbox_busy(server):
            return now
        last = now
    raise AssertionError("the server never went quiet")


def assert_refused_and_nothing_else(server: BotServer, before: Snapshot, status: int,
                                    request: str = "POST /slack/events") -> str:
    """No Web API call, no row, and exactly one short log line about the refusal; returns that line."""
    time.sleep(QUIET_SECONDS)
    after = snapshot(server)
    assert after.calls == before.calls, [c.method for c in server.fake.calls()[before.calls:]]
    assert after.rows == before.rows
    with open(server.log_path, "rb") as log:
        log.seek(before.log_size)
        grown = log.read().decode("utf-8", "replace")
    lines = [line for line in grown.splitlines() if BACKGROUND not in line]
    assert len(lines) == 1, grown[:3000]
    line = lines[0]
    assert f"rejected {request}: {status} " in line and len(line) < LONGEST_LOG_LINE, line
    assert MARKER not in line and "Invalid request signature" not in line
    return line


def command_body(team: str, channel: str, server: BotServer) -> tuple[bytes, str]:
    """A `members add` a chair might type, carrying the marker that must never reach the log."""
    return payloads.slash_command(f"members add <@U9|{MARKER}> Gateshead Council member", user_id=CHAIR,
                                  channel_id=channel, team_id=team, response_url=server.fake.new_response_url())


def _form_payload(data) -> bytes:
    return urlencode({"payload": data if isinstance(data, str) else json.dumps(data)}).encode()


def _timestamp(value):
    """Sign the command correctly, but over this timestamp (a string, or a function of now)."""
    def build(body, ctype):
        stamp = str(value(int(time.time()))) if callable(value) else value
        return body, ctype, sign_with_timestamp(body, SECRET, stamp, content_type=ctype)
    return build


def _signature(transform):
    """Sign the command, then change its signature header."""
    def build(body, ctype):
        headers = sign(body, SECRET, content_type=ctype)
        headers["X-Slack-Signature"] = transform(headers["X-Slack-Signature"])
        return body, ctype, headers
    return build


def _other_body(body: bytes, ctype: str, *, signed: bool):
    """Send this body instead of the command, signed or not."""
    return lambda _body, _ctype: (body, ctype, sign(body, SECRET, content_type=ctype) if signed else
                                  {"Content-Type": ctype})


# name, expected status, and how to make (body, content type, headers) from a `members add` command
HOSTILE = [
    ("wrong secret", 401, lambda body, ctype: (body, ctype, sign(body, "not-the-secret", content_type=ctype))),
    ("missing headers", 401, lambda body, ctype: (body, ctype, {"Content-Type": ctype})),
    ("timestamp x", 401, _timestamp("x")),
    ("empty timestamp", 401, _timestamp("")),
    ("timestamp of 5000 digits", 401, _timestamp("9" * 5000)),
    ("negative timestamp", 401, _timestamp(lambda now: -now)),
    ("stale timestamp", 401, _timestamp(lambda now: now - 6 * 60)),
    ("future timestamp", 401, _timestamp(lambda now: now + 6 * 60)),
    ("signature without v0=", 401, _signature(lambda s: s.removeprefix("v0="))),
    ("signature of the wrong length", 401, _signature(lambda s: s[:-1])),
    ("unsigned non-UTF-8 body", 401, _other_body(b"\xff\xfe" + MARKER.encode(), payloads.FORM, signed=False)),
    ("signed non-UTF-8 body", 400,
     _other_body(b"command=%2Fcollab&text=\xff\xfe" + MARKER.encode(), payloads.FORM, signed=True)),
    ("unsigned invalid JSON", 401, _other_body(b'{"type": "' + MARKER.encode(), payloads.JSON, signed=False)),
    ("signed invalid JSON", 400, _other_body(b'{"type": "' + MARKER.encode(), payloads.JSON, signed=True)),
    ("signed form body sent as JSON", 400,
     lambda body, ctype: (body, payloads.JSON, sign(body, SECRET, content_type=payloads.JSON))),
    ("signed actions: []", 400,
     _other_body(_form_payload({"type": "block_actions", "actions": [], "user": {"id": MARKER}}), payloads.FORM,
                 signed=True)),
    ("signed payload= garbage", 400, _other_body(_form_payload(MARKER), payloads.FORM, signed=True)),
    ("signed JSON nested 100,000 lists deep", 400,
     _other_body(b'{"type": "event_callback", "event": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", payloads.JSON,
                 signed=True)),
    ("signed payload= nested 100,000 lists deep", 400,
     _other_body(_form_payload("[" * 100_000 + "]" * 100_000), payloads.FORM, signed=True)),
]


@pytest.mark.parametrize(("status", "build"), [(status, build) for _, status, build in HOSTILE],
                         ids=[name for name, _, _ in HOSTILE])
def test_a_hostile_request_is_refused_and_reaches_nothing(bot_server, team, channel, status, build):
    board_with_members(bot_server, team=team, channel=channel, members={})
    body, ctype, headers = build(*command_body(team, channel, bot_server))
    before = settled(bot_server)
    assert bot_server.post(body, ctype, signed=False, headers=headers).status == status
    assert_refused_and_nothing_else(bot_server, before, status)


def raw_post(server: BotServer, headers: dict, body: Iterator[bytes], *, chunked: bool) -> int:
    """POST over a bare socket, sending the body only until the server answers; its status."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = ["POST /slack/events HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for piece in body:
            if select.select([sock], [], [], 0)[0]:
                break  # answered before the body was all sent, which is the point
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            except OSError:
                break
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split()[1])


def _pieces(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    return (body[i:i + size] for i in range(0, len(body), size))


@pytest.mark.parametrize("chunked", [False, True], ids=["with Content-Length", "chunked"])
def test_a_five_megabyte_body_gets_413_before_it_is_read_in_full(bot_server, chunked):
    body = b"command=%2Fcollab&text=" + MARKER.encode() * (FIVE_MB // len(MARKER))
    headers = sign(body, SECRET)
    headers.update({"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(len(body))})
    before = settled(bot_server)
    started = time.perf_counter()
    assert raw_post(bot_server, headers, _pieces(body), chunked=chunked) == 413
    assert time.perf_counter() - started < 5
    line = assert_refused_and_nothing_else(bot_server, before, 413)
    assert "413 body over 1048576 bytes" in line


def test_other_paths_get_404_and_other_methods_405(bot_server):
    parts = urlsplit(bot_server.url)
    for method, path, status in (("GET", "/", 404), ("POST", "/wp-login.php", 404), ("GET", "/slack/events", 405)):
        before = settled(bot_server)
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
            assert int(sock.recv(4096).split()[1]) == status
        assert_refused_and_nothing_else(bot_server, before, status, request=f"{method} {path}")


def _keys(server: BotServer) -> list[str]:
    with server.db.read() as uow:
        return sorted(uow.session.execute(sql_select(ProcessedRequest.key)).scalars())


def _replays(body: bytes, ctype: str) -> list[dict]:
    """The captured request's headers re-signed with timestamp `x`, and with a forged signature."""
    forged = dict(sign(body, SECRET, content_type=ctype), **{"X-Slack-Signature": "v0=" + "0" * 64})
    return [sign_with_timestamp(body, SECRET, "x", content_type=ctype), forged]


def test_a_replayed_members_add_with_a_bad_timestamp_or_signature_changes_nothing_and_keeps_its_key(
        bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={})
    body, ctype = command_body(team, channel, bot_server)
    settled(bot_server)
    earlier = _keys(bot_server)
    assert bot_server.post(body, ctype).status == 200
    settled(bot_server)
    keys = _keys(bot_server)
    assert len(keys) == len(earlier) + 1, "the genuine request should have recorded its key"
    for headers in _replays(body, ctype):
        before = settled(bot_server)
        assert bot_server.post(body, ctype, signed=False, headers=headers).status == 401
        assert_refused_and_nothing_else(bot_server, before, 401)
    assert _keys(bot_server) == keys
    members = bot_server.count(MemberRow)
    assert bot_server.post(body, ctype, headers={"X-Slack-Retry-Num": "1"}).status == 200
    assert bot_server.count(MemberRow) == members
    assert "Invalid request signature" not in bot_server.log_path.read_text()


def test_a_replayed_vote_with_a_bad_timestamp_or_signature_changes_nothing_and_keeps_its_key(
        bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "member"})
    submit_proposal(bot_server, team=team, channel=channel)
    ts, pid = wait_for_poll(bot_server, channel)
    body, ctype = payloads.block_action(PollAction.VOTE_AGREE.value, str(pid), user_id="U2", channel_id=channel,
                                        team_id=team, message_ts=ts, response_url=bot_server.fake.new_response_url())
    settled(bot_server, quiet=REDRAW_SECONDS)
    votes, earlier = bot_server.count(VoteRow), _keys(bot_server)
    assert bot_server.post(body, ctype).status == 200
    latest_render(bot_server, channel, ts, until=lambda text: "Agree: *1*" in text)
    settled(bot_server, quiet=REDRAW_SECONDS)
    assert bot_server.count(VoteRow) == votes + 1
    keys = _keys(bot_server)
    assert len(keys) == len(earlier) + 1, "the genuine vote should have recorded its key"
    for headers in _replays(body, ctype):
        before = settled(bot_server)
        assert bot_server.post(body, ctype, signed=False, headers=headers).status == 401
        assert_refused_and_nothing_else(bot_server, before, 401)
    assert _keys(bot_server) == keys
