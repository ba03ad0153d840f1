"""Slow clients against the real `serve`: 64 of them neither stall a signed command nor stay connected for long."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.e2e import payloads
from tests.e2e.conftest import BotServer, reply_text
from tests.e2e.signer import sign

SLOW_CLIENTS = 64
HELP_SECONDS = 1.0  # the bound for `/collab help` while the slow clients are connected
CUT_OFF_SECONDS = 4.0  # the gate's 2 s deadline, plus room for a busy test machine
DRIVE_SECONDS = 8.0  # the longest the slow clients are driven before the test gives up on them


@dataclass
class SlowClient:
    """One connection that sends its request a byte a second; when and how the server ended it."""

    sock: socket.socket
    pending: bytes
    opened: float = field(default_factory=time.monotonic)
    answer: bytes = b""
    closed_at: float | None = None

    def trickle(self) -> None:
        """Send the next byte, if the server still listens."""
        if self.pending and self.closed_at is None:
            try:
                self.sock.send(self.pending[:1])
                self.pending = self.pending[1:]
            except OSError:
                self.closed_at = time.monotonic()

    def read(self) -> None:
        """Take what the server sent; note when it closed the connection."""
        try:
            data = self.sock.recv(4096)
        except OSError:
            data = b""
        self.answer += data
        if not data:
            self.closed_at = time.monotonic()

    @property
    def status(self) -> int | None:
        """The HTTP status the server answered with, if any."""
        return int(self.answer.split()[1]) if self.answer.startswith(b"HTTP/") else None


def wrong_signature_request(server: BotServer, *, team: str) -> tuple[bytes, bytes]:
    """Headers that pass every header check but carry the wrong signature, and the body that goes with them."""
    body, ctype = payloads.slash_command("help", user_id="USLOW", channel_id="CSLOW", team_id=team,
                                         response_url=server.fake.new_response_url())
    headers = sign(body, "not-the-signing-secret", content_type=ctype)
    host = urlsplit(server.url).netloc
    head = ["POST /slack/events HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode(), body


def open_slow_clients(server: BotServer, *, team: str, slow_part: str) -> list[SlowClient]:
    """SLOW_CLIENTS connections: each sends its headers at once and trickles its body, or trickles its headers."""
    head, body = wrong_signature_request(server, team=team)
    parts = urlsplit(server.url)
    clients = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        if slow_part == "body":
            sock.sendall(head)
            clients.append(SlowClient(sock, body))
        else:
            clients.append(SlowClient(sock, head + body))
    return clients


def drive(clients: list[SlowClient], stop: threading.Event) -> None:
    """Send each client's next byte once a second and read what the server answers, until all are closed."""
    deadline, next_byte = time.monotonic() + DRIVE_SECONDS, 0.0
    while not stop.is_set() and time.monotonic() < deadline:
        if time.monotonic() >= next_byte:
            for client in clients:
                client.trickle()
            next_byte = time.monotonic() + 1.0
        open_ones = [c for c in clients if c.closed_at is None]
        if not open_ones:
            return
        readable, _, _ = select.select([c.sock for c in open_ones], [], [], 0.05)
        for client in open_ones:
            if client.sock in readable:
                client.read()


@pytest.mark.parametrize("slow_part", ["body", "headers"])
def test_64_slow_clients_leave_help_answered_within_a_second_and_are_each_cut_off(bot_server, team, channel,
                                                                                  slow_part):
    bot_server.command("help", user="U1", channel=channel, team=team)  # the worker has met Slack (auth.test)
    clients = open_slow_clients(bot_server, team=team, slow_part=slow_part)
    stop = threading.Event()
    driver = threading.Thread(target=drive, args=(clients, stop), daemon=True)
    driver.start()
    try:
        time.sleep(0.5)  # every slow client has sent its headers, or begun them, and a byte or so more
        reply, _ = bot_server.command("help", user="U1", channel=channel, team=team)
        assert reply.status == 200 and "/collab setup" in reply_text(json.loads(reply.body))
        assert reply.elapsed < HELP_SECONDS, f"/collab help took {reply.elapsed:.2f} s"
        driver.join(DRIVE_SECONDS + 1)
    finally:
        stop.set()
        for client in clients:
            client.sock.close()
    lasted = sorted(c.closed_at - c.opened for c in clients if c.closed_at is not None)
    assert len(lasted) == SLOW_CLIENTS, f"{SLOW_CLIENTS - len(lasted)} slow clients were never cut off"
    assert lasted[-1] < CUT_OFF_SECONDS, f"the slowest was cut off after {lasted[-1]:.1f} s"
    expected = {408} if slow_part == "body" else {None}  # a request without its headers gets no answer
    assert {c.status for c in clients} == expected
