"""create_app(): WebClient with retries -> Bolt App -> middleware and listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.scheduler import start_scheduler
from bot.settings import Settings
from handlers import register_all
from handlers.publisher import PollPublisher
from storage.db import make_engine, session_factories
from storage.uow import Database

RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
LISTENER_THREADS = 64


def make_client(settings: Settings) -> WebClient:
    """The one WebClient: Slack's API base from settings, retrying connection errors, 429s and 5xx."""
    token = settings.SLACK_BOT_TOKEN.get_secret_value() if settings.SLACK_BOT_TOKEN else None
    return WebClient(
        token=token, base_url=settings.SLACK_API_URL, timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


def make_database(settings: Settings) -> Database:
    """The database the settings point at."""
    return Database(*session_factories(make_engine(settings.DATABASE_URL)))


def create_app(settings: Settings, *, db: Database | None = None, socket_mode: bool = False,
               background: bool = True) -> App:
    """A Bolt app wired to the database; HTTP mode verifies Slack's signatures.

    With `background`, it also starts the poll publisher and the scheduler that closes polls on time.
    """
    db = db or make_database(settings)
    client = make_client(settings)
    publisher = PollPublisher(db, client)
    secret = settings.SLACK_SIGNING_SECRET.get_secret_value() if settings.SLACK_SIGNING_SECRET else ""
    app = App(
        client=client,
        signing_secret=secret or None,
        request_verification_enabled=not socket_mode,
        # The CLI checks the token once with auth.test before starting, with a readable error.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        # Bolt's default of 5 listener threads delays acks once a burst of clicks waits on the database.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    register_all(app, db=db, settings=settings, publisher=publisher)
    if background:
        publisher.start()
        start_scheduler(db, publisher, close_every=settings.COLLAB_CLOSE_CHECK_SECONDS)
    return app
