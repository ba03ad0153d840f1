"""The production HTTP server: gunicorn threads serving Bolt's WSGI adapter plus /healthz."""

from __future__ import annotations

import json
import logging

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.app import create_app, make_database
from bot.settings import Settings

log = logging.getLogger(__name__)


def make_wsgi_app(settings: Settings):
    """A WSGI app: `GET /healthz` checks the database, everything else goes to Bolt."""
    db = make_database(settings)
    bolt = SlackRequestHandler(create_app(settings, db=db))

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
        return bolt(environ, start_response)

    return wsgi


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings, self.options = settings, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Built in each worker after the fork, so no database connection is shared between processes.
        return make_wsgi_app(self.settings)


def serve(settings: Settings, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn with threaded workers until interrupted."""
    _Gunicorn(settings, {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": 30, "graceful_timeout": 10, "accesslog": None, "loglevel": settings.LOG_LEVEL.lower(),
    }).run()
