"""A WSGI gate in front of Bolt: only signed, well-formed `POST /slack/events` requests get through.

Bolt parses a body before it verifies it and raises on a timestamp that is not a number, so its
error handler and its logs would see unverified input. The gate checks, in this order, without
parsing anything it has not yet authenticated: path and method (404/405), declared size (413),
signature headers (401), the body read up to the limit (413), the HMAC (401), and finally a small
shape check of the signed body (400). Each rejection is one short log line; nothing else happens.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)

# Slack's payloads are far below this. The largest is a click in a 100-block view (or a 50-block
# message), which Slack sends whole: measured at 415 KB URL-encoded with all 100 sections at the
# 3,000-character limit and some non-ASCII text; the bot's own views are a small fraction of that.
# 1 MiB leaves 2.5x headroom over even that case and bounds what one request can make a worker
# thread hold and hash (8 threads x 1 MiB), whatever Content-Length claims.
MAX_BODY_BYTES = 1024 * 1024
MAX_SKEW_SECONDS = 300  # Slack's rule: a timestamp more than five minutes either way is a replay
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only; 12 digits reach the year 33658
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
JSON_TYPE, FORM_TYPE = "application/json", "application/x-www-form-urlencoded"
FORM_KINDS = ("payload", "command", "ssl_check")  # interactivity, slash commands, Slack's SSL probe
READ_CHUNK = 64 * 1024


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


def _json_object(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        raise Rejected(400, f"{what} is not JSON") from None
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
        payload = _json_object(text, "body")
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if not any(kind in form for kind in FORM_KINDS):
            raise Rejected(400, "form body without payload or command")
        if "payload" not in form:
            return
        payload = _json_object(form["payload"], "form payload")
    for field, valid in REQUIRED_FIELDS.get(payload.get("type"), ()):
        if not valid(payload.get(field)):
            raise Rejected(400, f"{payload['type']} with a malformed {field}")


def check_headers(timestamp: str | None, signature: str | None, now: float) -> None:
    """Raise Rejected(401) unless the signature headers are present, well formed and fresh."""
    if timestamp is None or signature is None:
        raise Rejected(401, "missing signature headers")
    if not TIMESTAMP.fullmatch(timestamp):
        raise Rejected(401, "malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Rejected(401, "stale or future timestamp")
    if not SIGNATURE.fullmatch(signature):
        raise Rejected(401, "malformed signature")


def check_signature(secret: bytes, timestamp: str, signature: str, body: bytes) -> None:
    """Raise Rejected(401) unless `signature` is Slack's v0 HMAC-SHA256 of the timestamp and body."""
    expected = hmac.new(secret, b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature[3:]):
        raise Rejected(401, "bad signature")


def declared_length(environ: dict) -> int | None:
    """The request's Content-Length, None when it has none (chunked); Rejected(400) when malformed."""
    value = environ.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if chunked or not value:
        return None
    if not CONTENT_LENGTH.fullmatch(value):
        raise Rejected(400, "malformed Content-Length")
    return int(value)


def read_body(stream, length: int | None, limit: int) -> bytes:
    """The body: exactly `length` bytes, or with no length at most `limit` (Rejected(413) past it)."""
    want = limit + 1 if length is None else length
    parts, got = [], 0
    while got < want:
        part = stream.read(min(READ_CHUNK, want - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    if length is not None and got < length:
        raise Rejected(400, "body shorter than Content-Length")
    if got > limit:
        raise Rejected(413, f"body over {limit} bytes", size=f"over {limit}")
    return b"".join(parts)


class SlackGate:
    """WSGI middleware that passes only verified, well-formed Slack requests on to `app`."""

    def __init__(self, app, signing_secret: str, *, path: str = "/slack/events",
                 max_body: int = MAX_BODY_BYTES, clock: Callable[[], float] = time.time):
        if not signing_secret:
            raise ValueError("the gate needs the signing secret")
        self.app, self.secret, self.path = app, signing_secret.encode(), path
        self.max_body, self.clock = max_body, clock

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        try:
            body = self.admit(environ)
        except Rejected as rejection:
            return self.refuse(environ, start_response, rejection)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))

        def answered(status: str, headers, exc_info=None):
            if status.startswith("401"):  # Bolt's own check disagreed (a timestamp on the 300 s edge)
                _log(environ, 401, "rejected by Bolt's signature check", f"{len(body)} bytes")
            return start_response(status, headers, exc_info)

        return self.app(environ, answered)

    def admit(self, environ: dict) -> bytes:
        """The verified, well-formed body of an acceptable request; Rejected otherwise."""
        if environ.get("PATH_INFO") != self.path:
            raise Rejected(404, "unknown path")
        if environ.get("REQUEST_METHOD") != "POST":
            raise Rejected(405, "method not allowed")
        length = declared_length(environ)
        if length is not None and length > self.max_body:
            raise Rejected(413, f"body over {self.max_body} bytes")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        check_headers(timestamp, signature, self.clock())
        body = read_body(environ["wsgi.input"], length, self.max_body)
        try:
            check_signature(self.secret, timestamp, signature, body)
            check_shape(body, environ.get("CONTENT_TYPE") or "")
        except Rejected as rejection:
            rejection.size = len(body)
            raise
        return body

    def refuse(self, environ: dict, start_response, rejection: Rejected) -> list[bytes]:
        """Answer with the rejection's status, after one short log line."""
        size = rejection.size if rejection.size is not None else environ.get("CONTENT_LENGTH")
        _log(environ, rejection.status, rejection.reason, f"{size} bytes" if size is not None else "no length")
        status = HTTPStatus(rejection.status)
        payload = f"{status.phrase}\n".encode()
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(payload)))]
        if rejection.status == 405:
            headers.append(("Allow", "POST"))
        start_response(f"{status.value} {status.phrase}", headers)
        return [payload]


def _clip(value: str, most: int = 40) -> str:
    """A client-supplied string made safe for one log line: escaped and cut short."""
    text = ascii(value[:most])[1:-1]
    return text + "..." if len(value) > most else text


def _log(environ: dict, status: int, reason: str, size: str) -> None:
    log.warning("rejected %s %s: %d %s (%s, %s)", _clip(environ.get("REQUEST_METHOD", "?"), 10),
                _clip(environ.get("PATH_INFO", "")), status, reason, environ.get("REMOTE_ADDR", "?"), _clip(size))
