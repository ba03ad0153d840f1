"""A fake Slack Web API server on loopback for end-to-end tests (standard library only)."""

from __future__ import annotations

import email
import json
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

JSON_FIELDS = {"blocks", "attachments", "view", "files", "metadata"}
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}
VIEW_METHODS = {"views.open", "views.push", "views.update", "views.publish"}
# (block type, max length of its "text" object's text); walked recursively through every block.
APP_TOKEN = "xapp-1-A0001-test-app-token"
APP_TOKEN_METHODS = {"apps.connections.open"}
TEXT_LIMITS = {"section": 3000, "header": 150, "button": 75}
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
HISTORY_SCOPES = {"C": "channels:history", "G": "groups:history", "D": "im:history"}
READ_SCOPES = {"C": "channels:read", "G": "groups:read", "D": "im:read"}  # conversations.members
# The bot scope each Web API method needs (Slack's method pages); a method not listed needs none.
METHOD_SCOPES = {
    "chat.postMessage": "chat:write", "chat.update": "chat:write", "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write", "conversations.join": "channels:join", "conversations.open": "im:write",
    "users.info": "users:read", "reactions.add": "reactions:write", "files.upload": "files:write",
    "files.getUploadURLExternal": "files:write", "files.completeUploadExternal": "files:write",
}


def manifest_scopes(path: Path = MANIFEST) -> set[str]:
    """The bot scopes an app made from the manifest has: exactly those it lists."""
    return set(yaml.safe_load(path.read_text())["oauth_config"]["scopes"]["bot"])


class _Headers(dict):
    """Request headers with lower-cased keys and case-insensitive lookup."""

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key):
        return super().__contains__(str(key).lower())


@dataclass
class Call:
    """One request received by the fake, with the status and JSON body it was answered with."""

    method: str
    params: dict
    headers: dict
    status: int
    response: dict = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when the answer was ready (time.monotonic())
    late: float = 0.0  # seconds the answer was then held back (answer_slowly)

    @property
    def ok(self) -> bool:
        """True when the call was answered with HTTP 200 and ok=true."""
        return self.status == 200 and bool(self.response.get("ok"))


def _too_long(obj, limits) -> bool:
    """True if any block/element (searched recursively) has a text longer than Slack allows."""
    if isinstance(obj, list):
        return any(_too_long(o, limits) for o in obj)
    if not isinstance(obj, dict):
        return False
    text = obj.get("text")
    limit = limits.get(obj.get("type"))
    if limit and isinstance(text, dict) and len(str(text.get("text", ""))) > limit:
        return True
    return any(_too_long(v, limits) for v in obj.values() if isinstance(v, (list, dict)))


def _blocks_invalid(blocks, max_blocks: int) -> bool:
    """Validate a blocks array roughly the way Slack does."""
    if blocks is None:
        return False
    if not isinstance(blocks, list) or len(blocks) > max_blocks:
        return True
    if any(not isinstance(b, dict) or "type" not in b for b in blocks):
        return True
    return _too_long(blocks, TEXT_LIMITS)


class _Server(ThreadingHTTPServer):
    """The standard threading server with a listen backlog for many concurrent clients (bench/dispatch.py)."""

    request_queue_size = 256


class FakeSlack:
    """Loopback HTTP server speaking enough of the Slack Web API for a bot under test."""

    def __init__(self, valid_tokens=None, valid_app_tokens=None, scopes=None):
        self.valid_tokens = set(valid_tokens or {"xoxb-test-token"})
        self.scopes = set(manifest_scopes() if scopes is None else scopes)  # the bot token's, as installed
        self.valid_app_tokens = set(valid_app_tokens or {APP_TOKEN})
        self.channel_members: dict[str, list[str]] = {}  # what conversations.members lists, set by tests
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._failures: dict[str, deque] = defaultdict(deque)
        self._random_failures: dict[str, list[tuple[float, int, int, str | None]]] = defaultdict(list)
        self._delays: dict[str, deque] = defaultdict(deque)
        self._random = random.Random()
        self._messages: dict[str, str] = {}  # ts -> channel
        self._history: dict[str, list[dict]] = defaultdict(list)  # conversation id -> its messages, oldest first
        self._ims: dict[str, str] = {}  # user id -> the id of the bot's DM channel with them
        self._slow: dict[str, tuple[float, float]] = {}  # method -> (share of calls, seconds their answer takes)
        self._views: dict[str, str] = {}  # view id -> hash
        self._counter = 0
        self._base = int(time.time()) * 1_000_000
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> FakeSlack:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._handle(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and release the port."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. http://127.0.0.1:PORT."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """Web API base URL (value for SLACK_API_URL / WebClient base_url)."""
        return self.url + "/api/"

    # -- test helpers ----------------------------------------------------
    def calls(self, method: str | None = None, ok_only: bool = False) -> list[Call]:
        """Recorded calls, optionally filtered by method and to successful ones."""
        with self._lock:
            return [c for c in self._calls if (method is None or c.method == method) and (c.ok or not ok_only)]

    def clear(self) -> None:
        """Forget recorded calls and pending failures."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least `count` successful calls of `method` exist; else AssertionError."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method, ok_only=True)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                got = [(c.method, c.status, c.response.get("error")) for c in self.calls()]
                raise AssertionError(f"expected {count} ok {method} call(s), got {len(found)}; received: {got}")
            time.sleep(0.02)

    def fail_next(self, method: str, *, status: int = 429, retry_after: int = 1, error: str | None = None,
                  times: int = 1, channel: str | None = None) -> None:
        """Make the next `times` calls of `method` (to `channel`, if given) fail (HTTP status, or ok=false `error`)."""
        with self._lock:
            self._failures[method].extend([(status, retry_after, error, channel)] * times)

    def slow_next(self, method: str, *, seconds: float, times: int = 1) -> None:
        """Make the next `times` calls of `method` wait `seconds` before they are answered (a slow Slack)."""
        with self._lock:
            self._delays[method].extend([seconds] * times)

    def fail_randomly(self, method: str, *, share: float, status: int = 429, retry_after: int = 1,
                      error: str | None = None, seed: int | None = None) -> None:
        """From now on, answer a random `share` of `method`'s calls with this failure (shares add up per call)."""
        with self._lock:
            self._random_failures[method].append((share, status, retry_after, error))
            if seed is not None:
                self._random.seed(seed)

    @contextmanager
    def without_scope(self, scope: str) -> Iterator[None]:
        """For the duration, the app is installed without `scope` (as if its manifest left it out)."""
        self.scopes.discard(scope)
        try:
            yield
        finally:
            self.scopes.add(scope)

    def answer_slowly(self, method: str, *, share: float, seconds: float, seed: int | None = None) -> None:
        """From now on, a random `share` of `method`'s calls take effect at once but are answered `seconds` late
        (as Slack sometimes does): a client that times out first cannot tell whether the call went through."""
        with self._lock:
            self._slow[method] = (share, seconds)
            if seed is not None:
                self._random.seed(seed)

    def history(self, conversation: str) -> list[dict]:
        """Every message posted in a conversation (a channel id, or a user id for the bot's DM with them)."""
        with self._lock:
            return [dict(m) for m in self._history.get(self._ims.get(conversation, conversation), [])]

    def new_response_url(self) -> str:
        """A fresh response_url served by this fake (posts recorded as method "response_url")."""
        return f"{self.url}/response/{uuid.uuid4()}"

    def seed_message(self, channel: str, ts: str | None = None) -> str:
        """Pretend a message exists (so chat.update/delete on it work); returns its ts."""
        ts = ts or self._next_ts()
        with self._lock:
            self._messages[ts] = channel
        return ts

    # -- request handling ------------------------------------------------
    def _next_ts(self) -> str:
        with self._lock:
            self._counter += 1
            micros = self._base + self._counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}{self._counter:06d}"

    def _parse(self, req: BaseHTTPRequestHandler, path: str, query: str) -> dict:
        raw = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        ctype = req.headers.get("Content-Type") or ""
        params: dict = dict(parse_qsl(query))
        if "json" in ctype or (path.startswith("/response/") and raw.startswith(b"{")):
            params.update(json.loads(raw or b"{}"))
        elif "multipart/form-data" in ctype:
            msg = email.message_from_bytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
            for part in msg.get_payload():
                data, fname = part.get_payload(decode=True), part.get_filename()
                value = {"filename": fname, "size": len(data)} if fname else data.decode()
                params[part.get_param("name", header="content-disposition")] = value
        elif path.startswith("/upload/"):
            params["size"] = len(raw)
            params["head"] = raw[:16].hex()  # enough to tell what kind of file it is (a PNG starts 89504e47)
        else:
            params.update(parse_qsl(raw.decode()))
        for key in JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass  # left as a string; validation rejects it
        return params

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        headers = _Headers((k.lower(), v) for k, v in req.headers.items())
        try:
            params = self._parse(req, parts.path, parts.query)
        except ValueError:
            params = {"_invalid_json": True}
        extra: dict = {}
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/"):]
        elif parts.path.startswith(("/response/", "/upload/")):
            method = "response_url" if parts.path.startswith("/response/") else "file_upload"
            params["_path"] = parts.path
        else:
            method = "unknown_path"
        with self._lock:
            failure = self._planned_failure(method, params.get("channel"))
            if failure is None and self._random_failures.get(method):
                failure = self._random_failure(method)
            delay = self._delays[method].popleft() if self._delays.get(method) else 0
        time.sleep(delay)
        if failure:
            status, retry_after, error = failure
            body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "internal_error")}
            if status == 429:
                extra["Retry-After"] = str(retry_after)
        elif params.get("_invalid_json"):
            status = 200 if method != "response_url" else 400
            body = {"ok": False, "error": "invalid_json" if status == 200 else "invalid_payload"}
        elif method == "unknown_path":
            status, body = 404, {"ok": False, "error": "not_found"}
        elif method in ("response_url", "file_upload"):
            status, body = 200, {"ok": True}
        else:
            auth = headers.get("authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else params.get("token")
            params.pop("token", None)
            token_error = self._token_error(method, token)
            needed = None if token_error else self._needed_scope(method, params)
            if token_error:
                status, body = 200, {"ok": False, "error": token_error}
            elif needed is not None:
                status, body = 200, {"ok": False, "error": "missing_scope", "needed": needed,
                                     "provided": ",".join(sorted(self.scopes))}
            else:
                try:
                    status, body = 200, self._answer(method, params)
                except Exception as exc:  # a bug in the fake: make it loud rather than hang the client
                    status, body = 500, {"ok": False, "error": f"fake_slack_bug: {exc!r}"}
        call = Call(method, params, headers, status, body)
        with self._lock:
            self._calls.append(call)
            share, seconds = self._slow.get(method, (0.0, 0.0))
            call.late = slow = seconds if share and self._random.random() < share else 0.0
        if slow:
            time.sleep(slow)  # the call has taken effect; only its answer is late
        if method in ("response_url", "file_upload") and body.get("ok"):
            payload = b"ok" if method == "response_url" else f"OK - {params['size']}".encode()
            ctype = "text/plain"
        elif method in ("response_url", "file_upload"):
            payload, ctype = str(body["error"]).encode(), "text/plain"
        else:
            payload, ctype = json.dumps(body).encode(), "application/json; charset=utf-8"
        try:
            req.send_response(status)
            for k, v in {"Content-Type": ctype, "Content-Length": str(len(payload)), **extra}.items():
                req.send_header(k, v)
            req.end_headers()
            req.wfile.write(payload)
        except OSError:
            pass  # the client stopped waiting (a slow answer past its timeout)

    def _planned_failure(self, method: str, channel: str | None) -> tuple[int, int, str | None] | None:
        """The first failure planned for this call, taken off the plan (call with the lock held)."""
        planned = self._failures.get(method)
        for index, (status, retry_after, error, only) in enumerate(planned or ()):
            if only is None or only == channel:
                del planned[index]
                return status, retry_after, error
        return None

    def _random_failure(self, method: str) -> tuple[int, int, str | None] | None:
        """One of `method`'s random failures, or None (call with the lock held)."""
        draw = self._random.random()
        for share, status, retry_after, error in self._random_failures[method]:
            if draw < share:
                return status, retry_after, error
            draw -= share
        return None

    def _token_error(self, method: str, token: str | None) -> str | None:
        """The error Slack gives for this token on this method: app-level tokens only open connections."""
        if not token:
            return "not_authed"
        wants_app_token = method in APP_TOKEN_METHODS
        if token in (self.valid_app_tokens if wants_app_token else self.valid_tokens):
            return None
        if token in (self.valid_tokens if wants_app_token else self.valid_app_tokens):
            return "not_allowed_token_type"
        return "invalid_auth"

    def _needed_scope(self, method: str, p: dict) -> str | None:
        """The scope a bot token call lacks, as Slack names it in a missing_scope error; None if it has them."""
        if method in APP_TOKEN_METHODS:
            return None
        if method in ("conversations.history", "conversations.replies"):
            needed = HISTORY_SCOPES.get(str(p.get("channel") or "C")[:1], "channels:history")
        elif method == "conversations.members":
            needed = READ_SCOPES.get(str(p.get("channel") or "C")[:1], "channels:read")
        else:
            needed = METHOD_SCOPES.get(method)
        return needed if needed is not None and needed not in self.scopes else None

    def _answer(self, method: str, p: dict) -> dict:
        """The JSON Slack would answer a successfully authenticated call with."""
        err = self._validate(method, p)
        if err:
            return {"ok": False, "error": err}
        ch = p.get("channel")
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "collab-bot",
                    "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}
        if method == "apps.connections.open":
            # An address that resolves nowhere: tests check the token, they never open the socket.
            return {"ok": True, "url": f"wss://fake-slack.invalid/link/?ticket={uuid.uuid4()}&app_id=A0001"}
        if method == "chat.postMessage":
            ts = self.seed_message(ch)
            msg = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": p.get("text", ""), "ts": ts}
            msg.update({k: p[k] for k in ("blocks", "attachments", "thread_ts", "metadata", "reply_broadcast")
                        if k in p})
            conversation = self._open(ch) if ch[:1] in "UW" else ch  # a post to a user lands in their DM
            with self._lock:
                self._history[conversation].append(msg)
            return {"ok": True, "channel": conversation, "ts": ts, "message": msg}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": self._open(str(p.get("users", "")).split(",")[0])}}
        if method in ("conversations.history", "conversations.replies"):
            return self._read_history(method, p)
        if method == "chat.update":
            return {"ok": True, "channel": ch, "ts": p["ts"], "text": p.get("text", ""),
                    "message": {"text": p.get("text", ""), "blocks": p.get("blocks", []), "user": "UBOT"}}
        if method == "chat.delete":
            with self._lock:
                self._messages.pop(p["ts"], None)
            return {"ok": True, "channel": ch, "ts": p["ts"]}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in VIEW_METHODS:
            view_id = p.get("view_id") or self._next_id("V")
            view_hash = uuid.uuid4().hex[:16]
            with self._lock:
                self._views[view_id] = view_hash
            view = {"state": {"values": {}}, "private_metadata": "", "callback_id": "", "external_id": "",
                    **p["view"], "id": view_id, "hash": view_hash, "team_id": "T0001", "app_id": "A0001",
                    "bot_id": "BBOT", "root_view_id": view_id, "previous_view_id": None}
            return {"ok": True, "view": view}
        if method in ("conversations.info", "conversations.join"):
            return {"ok": True, "channel": {"id": ch, "name": f"channel-{ch.lower()}", "is_member": True}}
        if method == "users.info":
            u = p["user"]
            return {"ok": True, "user": {"id": u, "team_id": "T0001", "name": f"user-{u.lower()}",
                                         "real_name": f"User {u}", "tz": "Europe/London", "is_bot": False}}
        if method == "conversations.members":
            with self._lock:
                members = self.channel_members.get(ch)
            if members is None:  # as Slack answers for a private channel the bot is not in
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "members": list(members), "response_metadata": {"next_cursor": ""}}
        if method == "reactions.add":
            return {"ok": True}
        if method == "files.getUploadURLExternal":
            file_id = self._next_id("F")
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in p["files"]]}
        if method == "files.upload":
            return {"ok": True, "file": {"id": self._next_id("F"), "title": p.get("title", ""),
                                         "name": p.get("filename", "")}}
        return {"ok": False, "error": "unknown_method"}

    def _open(self, user: str) -> str:
        """The id of the bot's DM channel with `user`, opening it on first use."""
        with self._lock:
            if user not in self._ims:
                self._counter += 1
                self._ims[user] = f"D{self._counter:08d}"
            return self._ims[user]

    def _read_history(self, method: str, p: dict) -> dict:
        """conversations.history (newest first, no thread replies) or .replies (oldest first), paged by cursor."""
        ch = p["channel"]
        with self._lock:
            known = ch[:1] in "CG" or ch in self._ims.values()
            messages = list(self._history.get(ch, []))
        if not known:
            return {"ok": False, "error": "channel_not_found"}
        oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
        if method == "conversations.history":
            found = [m for m in reversed(messages) if m.get("thread_ts") in (None, m["ts"]) or m.get("reply_broadcast")]
        else:
            found = [m for m in messages if p.get("ts") in (m["ts"], m.get("thread_ts"))]
            if not found:
                return {"ok": False, "error": "thread_not_found"}
        found = [m for m in found if oldest < float(m["ts"]) < latest]
        if str(p.get("include_all_metadata", "")).lower() not in ("true", "1"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        start, limit = int(p.get("cursor") or 0), min(int(p.get("limit") or 100), 999)
        page, more = found[start:start + limit], start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _validate(self, method: str, p: dict) -> str | None:
        """The error Slack would give for bad arguments, or None."""
        ch = p.get("channel")
        if method in MESSAGE_METHODS | {"chat.delete", "conversations.info", "conversations.join",
                                        "reactions.add"} and not ch:
            return "channel_not_found"
        if method in ("chat.update", "chat.delete") and self._messages.get(p.get("ts")) != ch:
            return "message_not_found"
        if method in MESSAGE_METHODS:
            if method != "chat.update" and not (p.get("text") or p.get("blocks") or p.get("attachments")):
                return "no_text"
            if method == "chat.postEphemeral" and not p.get("user"):
                return "user_not_found"
            if len(str(p.get("text", ""))) > 40000:
                return "msg_too_long"
            if _blocks_invalid(p.get("blocks"), 50):
                return "invalid_blocks"
        if method in VIEW_METHODS:
            view = p.get("view")
            if not isinstance(view, dict) or _blocks_invalid(view.get("blocks", []), 100):
                return "invalid_arguments"
            if method in ("views.open", "views.push") and not p.get("trigger_id"):
                return "invalid_arguments"
            if method == "views.publish" and not p.get("user_id"):
                return "invalid_arguments"
            if method == "views.update" and not (p.get("view_id") or p.get("external_id")):
                return "invalid_arguments"
            if p.get("hash") and p.get("view_id") in self._views and self._views[p["view_id"]] != p["hash"]:
                return "hash_conflict"
            if len(view.get("private_metadata", "")) > 3000:
                return "invalid_arguments"
            if view.get("type") == "modal":
                titles = [view.get(k) for k in ("title", "submit", "close") if view.get(k) is not None]
                if "title" not in view or any(len(str((t or {}).get("text", ""))) > 24 for t in titles):
                    return "invalid_arguments"
        if method in MESSAGE_METHODS and "metadata" in p:
            meta = p["metadata"]
            if not (isinstance(meta, dict) and isinstance(meta.get("event_type"), str)
                    and isinstance(meta.get("event_payload"), dict)):
                return "invalid_metadata_format"
        if method in ("conversations.history", "conversations.replies") and not ch:
            return "channel_not_found"
        if method == "conversations.replies" and not p.get("ts"):
            return "thread_not_found"
        if method == "conversations.open" and not p.get("users"):
            return "user_not_found"
        if method == "users.info" and not p.get("user"):
            return "user_not_found"
        if method == "files.completeUploadExternal" and not isinstance(p.get("files"), list):
            return "invalid_arguments"
        return None
