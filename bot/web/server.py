"""The production HTTP server: gunicorn managing uvicorn workers, each an event loop in front of Bolt.

The event loop reads and verifies every request (bot/web/gate.py) without holding a thread, so slow or hostile
clients cost a socket, not a worker; only verified requests reach Bolt, on a pool of `threads` per worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.request.internals import build_context
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from bot.web.gate import Answer, SlackGate, Verified, respond

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
HEADER_SECONDS = 2.0  # from a request's first byte (or the connection's opening) to the end of its headers
KEEPALIVE_SECONDS = 5  # an idle keep-alive connection holds only a socket now, not a thread


def bolt_handler(app: App) -> Callable[[Verified], Answer]:
    """Bolt's `dispatch` for a verified request, as a blocking call the gate runs on its thread pool."""

    def handle(request: Verified) -> Answer:
        fields: dict[str, str | Sequence[str]] = dict(request.headers)  # Bolt's type for the same thing
        req = BoltRequest(body=request.body.decode("utf-8"), query=request.query, headers=fields)
        # Bolt reads any form body containing "payload" as an interaction and finds none in, say,
        # "/collab propose payload policy": it parses the command to {} and leaves it unanswered.
        if not req.body and req.raw_body and not req.raw_body.startswith("{"):
            form = dict(parse_qsl(req.raw_body, keep_blank_values=True))
            if "payload" not in form:
                req.body = form
                req.context = build_context(BoltContext(), form)
        response = app.dispatch(req)
        headers = [(name, value) for name, values in response.headers.items() for value in values]
        return Answer(response.status, headers, (response.body or "").encode("utf-8"))

    return handle


def gated(app: App, signing_secret: str, **options) -> SlackGate:
    """Bolt's `app` behind the verification gate, as an ASGI app."""
    # Bolt still verifies as a second check, but its rejection line carries the whole body: mute it
    # (after the App exists, as App() copies its base logger's level onto it); the gate logs instead.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    return SlackGate(bolt_handler(app), signing_secret, **options)


def with_health(gate: SlackGate, check: Callable[[], Answer]):
    """An ASGI app: `GET /healthz` answers `check()` (run on the thread pool); everything else goes to the gate."""

    async def asgi(scope, receive, send):
        if scope["type"] != "http":
            return
        if scope.get("path") == "/healthz" and scope.get("method") in ("GET", "HEAD"):
            await respond(send, await asyncio.get_running_loop().run_in_executor(None, check))
        else:
            await gate(scope, receive, send)

    return asgi


def make_asgi_app(settings: Settings, threads: int = 8):
    """The bot as an ASGI app: `GET /healthz` checks the database; everything else passes the gate to reach Bolt."""
    # Imported here so that the server alone loads without the bot (the benchmark's bare floor runs on it).
    from sqlalchemy import text

    from bot.app import create_app, make_database

    db = make_database(settings, request_threads=threads)
    gate = gated(create_app(settings, db=db), settings.secret("SLACK_SIGNING_SECRET"))

    def healthy() -> Answer:
        try:
            with db.read() as uow:
                uow.session.execute(text("SELECT 1"))
            status, body = 200, {"ok": True, "database": "ok"}
        except Exception as exc:  # any failure to reach the database means unhealthy
            log.warning("health check failed: %s", exc.__class__.__name__)
            status, body = 503, {"ok": False, "database": "unreachable"}
        return Answer(status, [("content-type", "application/json")], json.dumps(body).encode())

    return with_health(gate, healthy)


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, dropping a connection whose request headers take over HEADER_SECONDS."""

    header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        """Start the clock for the first request's headers."""
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        """Start the clock for this request's headers, unless the connection's own clock still runs."""
        super().on_message_begin()
        if self.header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        """Stop the clock: from here the gate's body deadline applies."""
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        """Stop the clock with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self.header_timer = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _too_slow(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            log.warning("dropped a connection from %s: headers not complete within %g s",
                        self.client[0] if self.client else "?", HEADER_SECONDS)
            self.transport.close()


class Worker(UvicornWorker):
    """A gunicorn worker running one uvicorn event loop, with a pool of `threads` threads for Bolt."""

    CONFIG_KWARGS = {"loop": "asyncio", "http": DeadlineProtocol, "lifespan": "off", "server_header": False}

    async def _serve(self) -> None:
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=self.cfg.threads, thread_name_prefix="bolt"))
        await super()._serve()


class _Gunicorn(BaseApplication):
    def __init__(self, load: Callable[[], Callable], options: dict):
        self.load_app, self.options = load, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Built in each worker after the fork, so no database connection is shared between processes.
        return self.load_app()


def server_options(*, host: str, port: int, workers: int, threads: int, loglevel: str = "info") -> dict:
    """gunicorn's settings for `serve` (and for the benchmark's floor, which must run under the same)."""
    return {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": f"{__name__}.Worker",
        "keepalive": KEEPALIVE_SECONDS, "timeout": 30, "graceful_timeout": 10, "accesslog": None,
        "loglevel": loglevel,
    }


def run_server(load: Callable[[], Callable], options: dict) -> None:
    """Serve the ASGI app that `load()` builds in each worker, until interrupted."""
    _Gunicorn(load, options).run()


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn with uvicorn workers until interrupted."""
    run_server(partial(make_asgi_app, settings, threads), server_options(
        host=host, port=port, workers=workers, threads=threads, loglevel=settings.LOG_LEVEL.lower()))
