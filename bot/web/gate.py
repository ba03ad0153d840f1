"""An ASGI gate in front of Bolt: only signed, well-formed `POST /slack/events` requests get through.

Bolt parses a body before it verifies it and raises on a timestamp that is not a number, so its
error handler and its logs would see unverified input. The gate checks, in this order, without
parsing anything it has not yet authenticated: path and method (404/405), declared size (413),
signature headers (401), the body read up to the limit (413) and within a deadline (408), the HMAC
(401), and finally a small shape check of the signed body (400). Each rejection is one short log
line and closes the connection; nothing else happens.

It all runs in the event loop: a client that trickles its body holds no thread, and is cut off when
its body is not complete `body_seconds` after its headers. Only a verified request is handed to the
(blocking) handler, on a bounded thread pool.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)

# Slack's payloads are far below this. The largest is a click in a 100-block view (or a 50-block
# message), which Slack sends whole: measured at 415 KB URL-encoded with all 100 sections at the
# 3,000-character limit and some non-ASCII text; the bot's own views are a small fraction of that.
# 1 MiB leaves 2.5x headroom over even that case and bounds what one request can make the gate hold
# and hash, whatever Content-Length claims.
MAX_BODY_BYTES = 1024 * 1024
# Slack sends its whole request at once from a data centre; a client still sending after 2 s is slow or hostile.
BODY_SECONDS = 2.0
MAX_SKEW_SECONDS = 300  # Slack's rule: a timestamp more than five minutes either way is a replay
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only; 12 digits reach the year 33658
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
JSON_TYPE, FORM_TYPE = "application/json", "application/x-www-form-urlencoded"
FORM_KINDS = ("payload", "command", "ssl_check")  # interactivity, slash commands, Slack's SSL probe

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


@dataclass
class Answer:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class Verified:
    """A request that passed the gate: its signed body, query string and headers (lower-case names)."""

    body: bytes
    query: str
    headers: dict[str, list[str]]


def _is_object(value) -> bool:
    return isinstance(value, dict)


def _is_action_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(action, dict) and isinstance(action.get("action_id"), str) for action in value)


def _is_event(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("type"), str)


# What Bolt indexes into without checking, per payload type: a body without it makes Bolt raise.
REQUIRED_FIELDS: dict[str, tuple[tuple[str, Callable[[object], bool]], ...]] = {
    "block_actions": (("actions", _is_action_list),),
    "view_submission": (("view", _is_object),),
    "view_closed": (("view", _is_object),),
    "event_callback": (("event", _is_event),),
}


class Rejected(Exception):
    """A request the gate refuses: the HTTP status, a short reason and what is known of its size."""

    def __init__(self, status: int, reason: str, size: int | str | None = None):
        super().__init__(reason)
        self.status, self.reason, self.size = status, reason, size


def json_object(text: str, what: str) -> dict:
    """`text` parsed as a JSON object; Rejected(400) when it is not JSON, not an object, or nested too deep."""
    try:
        value = json.loads(text)
    except ValueError:
        raise Rejected(400, f"{what} is not JSON") from None
    except RecursionError:  # the parser recurses per level: [[[[...]]]] 100,000 deep exhausts the stack
        raise Rejected(400, f"{what} is nested too deep") from None
    if not isinstance(value, dict):
        raise Rejected(400, f"{what} is not a JSON object")
    return value


def check_shape(body: bytes, content_type: str) -> None:
    """Raise Rejected(400) unless Bolt can parse `body` and route it without raising."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    media = content_type.split(";")[0]
    if media.strip().lower() not in (JSON_TYPE, FORM_TYPE):
        raise Rejected(400, "unsupported content type")
    if media == JSON_TYPE or text.startswith("{"):  # the same test Bolt's parse_body makes
        payload = json_object(text, "body")
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if not any(kind in form for kind in FORM_KINDS):
            raise Rejected(400, "form body without payload or command")
        if "payload" not in form:
            return
        payload = json_object(form["payload"], "form payload")
    for name, valid in REQUIRED_FIELDS.get(payload.get("type", ""), ()):
        if not valid(payload.get(name)):
            raise Rejected(400, f"{payload['type']} with a malformed {name}")


def check_headers(timestamp: str | None, signature: str | None, now: float) -> tuple[str, str]:
    """The timestamp and signature headers; Rejected(401) unless they are present, well formed and fresh."""
    if timestamp is None or signature is None:
        raise Rejected(401, "missing signature headers")
    if not TIMESTAMP.fullmatch(timestamp):
        raise Rejected(401, "malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Rejected(401, "stale or future timestamp")
    if not SIGNATURE.fullmatch(signature):
        raise Rejected(401, "malformed signature")
    return timestamp, signature


def check_signature(secret: bytes, timestamp: str, signature: str, body: bytes) -> None:
    """Raise Rejected(401) unless `signature` is Slack's v0 HMAC-SHA256 of the timestamp and body."""
    expected = hmac.new(secret, b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature[3:]):
        raise Rejected(401, "bad signature")


def header_fields(scope: dict) -> dict[str, list[str]]:
    """The request's headers by lower-case name, each with all its values."""
    fields: dict[str, list[str]] = {}
    for name, value in scope.get("headers", ()):
        fields.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return fields


def one(fields: dict[str, list[str]], name: str) -> str | None:
    """A header's value; a repeated header's values joined by commas (which no well-formed value survives)."""
    values = fields.get(name)
    return None if values is None else ",".join(values)


def declared_length(fields: dict[str, list[str]]) -> int | None:
    """The request's Content-Length, None when it has none (chunked); Rejected(400) when malformed."""
    value = one(fields, "content-length") or ""
    chunked = "chunked" in (one(fields, "transfer-encoding") or "").lower()
    if chunked or not value:
        return None
    if not CONTENT_LENGTH.fullmatch(value):
        raise Rejected(400, "malformed Content-Length")
    return int(value)


async def read_body(receive: Receive, length: int | None, limit: int, parts: list[bytes]) -> bytes:
    """The body into `parts`: exactly `length` bytes, or with no length at most `limit` (Rejected(413) past it)."""
    want = limit + 1 if length is None else length
    got, more = 0, True
    while more and got < want:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Rejected(400, "client left before its body was complete", size=got)
        parts.append(message.get("body", b""))
        got += len(parts[-1])
        more = message.get("more_body", False)
    if length is not None and got < length:
        raise Rejected(400, "body shorter than Content-Length")
    if got > limit:
        raise Rejected(413, f"body over {limit} bytes", size=f"over {limit}")
    return b"".join(parts)


class SlackGate:
    """ASGI app that passes only verified, well-formed Slack requests to `handler`, in a thread pool."""

    def __init__(self, handler: Callable[[Verified], Answer], signing_secret: str, *, path: str = "/slack/events",
                 max_body: int = MAX_BODY_BYTES, body_seconds: float = BODY_SECONDS,
                 clock: Callable[[], float] = time.time, pool: Executor | None = None):
        if not signing_secret:
            raise ValueError("the gate needs the signing secret")
        self.handler, self.secret, self.path = handler, signing_secret.encode(), path
        self.max_body, self.body_seconds, self.clock = max_body, body_seconds, clock
        self.pool = pool  # None: the event loop's default executor (the server sizes it by --threads)

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        fields = header_fields(scope)
        try:
            body = await self.admit(scope, fields, receive)
        except Rejected as rejection:
            await respond(send, refusal(scope, fields, rejection))
            return
        verified = Verified(body, scope.get("query_string", b"").decode("latin-1"), fields)
        answer = await asyncio.get_running_loop().run_in_executor(self.pool, self.handler, verified)
        if answer.status == 401:  # Bolt's own check disagreed (a timestamp on the 300 s edge)
            _log(scope, 401, "rejected by Bolt's signature check", f"{len(body)} bytes")
        await respond(send, answer)

    async def admit(self, scope: dict, fields: dict[str, list[str]], receive: Receive) -> bytes:
        """The verified, well-formed body of an acceptable request; Rejected otherwise."""
        if scope.get("path") != self.path:
            raise Rejected(404, "unknown path")
        if scope.get("method") != "POST":
            raise Rejected(405, "method not allowed")
        length = declared_length(fields)
        if length is not None and length > self.max_body:
            raise Rejected(413, f"body over {self.max_body} bytes")
        timestamp, signature = check_headers(one(fields, "x-slack-request-timestamp"), one(fields, "x-slack-signature"),
                                             self.clock())
        parts: list[bytes] = []
        try:
            async with asyncio.timeout(self.body_seconds):
                body = await read_body(receive, length, self.max_body, parts)
        except TimeoutError:
            raise Rejected(408, f"body not complete within {self.body_seconds:g} s",
                           size=sum(map(len, parts))) from None
        try:
            check_signature(self.secret, timestamp, signature, body)
            check_shape(body, one(fields, "content-type") or "")
        except Rejected as rejection:
            rejection.size = len(body)
            raise
        return body


def refusal(scope: dict, fields: dict[str, list[str]], rejection: Rejected) -> Answer:
    """The rejection's answer, after one short log line; the connection is closed after it."""
    size = rejection.size if rejection.size is not None else one(fields, "content-length")
    _log(scope, rejection.status, rejection.reason, f"{size} bytes" if size is not None else "no length")
    status = HTTPStatus(rejection.status)
    headers = [("content-type", "text/plain; charset=utf-8"), ("connection", "close")]
    if rejection.status == 405:
        headers.append(("allow", "POST"))
    return Answer(status.value, headers, f"{status.phrase}\n".encode())


async def respond(send: Send, answer: Answer) -> None:
    """Send `answer` as the ASGI response, with its Content-Length."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers if k.lower() != "content-length"]
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _clip(value: str, most: int = 40) -> str:
    """A client-supplied string made safe for one log line: escaped and cut short."""
    text = ascii(value[:most])[1:-1]
    return text + "..." if len(value) > most else text


def _log(scope: dict, status: int, reason: str, size: str) -> None:
    client = scope.get("client")
    log.warning("rejected %s %s: %d %s (%s, %s)", _clip(str(scope.get("method", "?")), 10),
                _clip(str(scope.get("path", ""))), status, reason, client[0] if client else "?", _clip(size))
