"""The production HTTP server: gunicorn threads serving Bolt's WSGI adapter plus /healthz."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import build_context

from bot.gate import SlackGate

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)


class FormSafeHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, except that a form body is never lost for containing the word "payload"."""

    def dispatch(self, request) -> BoltResponse:
        """Build Bolt's request, parsing a slash command's form whole, and dispatch it."""
        req = BoltRequest(body=request.get_body(), query=request.query_string, headers=request.get_headers())
        # Bolt reads any form body containing "payload" as an interaction and finds none in, say,
        # "/collab propose payload policy": it parses the command to {} and leaves it unanswered.
        if not req.body and req.raw_body and not req.raw_body.startswith("{"):
            form = dict(parse_qsl(req.raw_body, keep_blank_values=True))
            if "payload" not in form:
                req.body = form
                req.context = build_context(BoltContext(), form)
        return self.app.dispatch(req)


def gated(app: App, signing_secret: str, **options) -> SlackGate:
    """Bolt's WSGI adapter for `app`, behind the verification gate."""
    # Bolt still verifies as a second check, but its rejection line carries the whole body: mute it
    # (after the App exists, as App() copies its base logger's level onto it); the gate logs instead.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    return SlackGate(FormSafeHandler(app), signing_secret, **options)


def make_wsgi_app(settings: Settings):
    """A WSGI app: `GET /healthz` checks the database; everything else passes the gate to reach Bolt."""
    # Imported here so that the server alone loads without the bot (the benchmark's bare floor runs on it).
    from sqlalchemy import text

    from bot.app import create_app, make_database

    db = make_database(settings)
    gate = gated(create_app(settings, db=db), settings.SLACK_SIGNING_SECRET.get_secret_value())

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                with db.read() as uow:
                    uow.session.execute(text("SELECT 1"))
                status, body = "200 OK", {"ok": True, "database": "ok"}
            except Exception as exc:  # any failure to reach the database means unhealthy
                log.warning("health check failed: %s", exc.__class__.__name__)
                status, body = "503 Service Unavailable", {"ok": False, "database": "unreachable"}
            payload = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        return gate(environ, start_response)

    return wsgi


class _Gunicorn(BaseApplication):
    def __init__(self, load: Callable[[], Callable], options: dict):
        self.load_wsgi, self.options = load, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Built in each worker after the fork, so no database connection is shared between processes.
        return self.load_wsgi()


def server_options(*, host: str, port: int, workers: int, threads: int, loglevel: str = "info") -> dict:
    """gunicorn's settings for `serve` (and for the benchmark's floor, which must run under the same)."""
    # Keep-alive must stay on. gthread in gunicorn 26 and 27 (not 23) gives each new connection a pool
    # thread that waits up to 5 s for its first bytes: with a connection per request from wrk (keepalive 0,
    # or "Connection: close"), the bare app's p99 went from about 30 ms to 4.6 s (README, Benchmarks).
    return {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "keepalive": 2, "timeout": 30, "graceful_timeout": 10, "accesslog": None, "loglevel": loglevel,
    }


def run_server(load: Callable[[], Callable], options: dict) -> None:
    """Serve the WSGI app that `load()` builds in each worker, until interrupted."""
    _Gunicorn(load, options).run()


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn with threaded workers until interrupted."""
    run_server(partial(make_wsgi_app, settings), server_options(
        host=host, port=port, workers=workers, threads=threads, loglevel=settings.LOG_LEVEL.lower()))
