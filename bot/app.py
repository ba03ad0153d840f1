"""create_app(): WebClient with retries -> Bolt App -> middleware and listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.clock import Clock, SystemClock
from bot.keys import audit_key
from bot.outbound.client import dispatch_client
from bot.outbound.dispatcher import THREADS
from bot.outbound.registry import effects_of
from bot.outbound.scheduler import start_background
from bot.settings import Settings
from handlers import register_all
from handlers.deps import Deps
from handlers.forms import Sealer
from storage.db import make_engine, session_factories
from storage.uow import WRITER_QUEUE_SECONDS, Database

RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3


def bot_token(settings: Settings) -> str | None:
    """The bot token the settings hold, if any."""
    return settings.SLACK_BOT_TOKEN.get_secret_value() if settings.SLACK_BOT_TOKEN else None


def make_client(settings: Settings) -> WebClient:
    """The listeners' WebClient: Slack's API base from settings, retrying connection errors, 429s and 5xx."""
    return WebClient(
        token=bot_token(settings), base_url=settings.SLACK_API_URL, timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


# Besides request threads, a process's dispatcher sends on THREADS threads (each may read), records on its
# driver thread, and the scheduler adds recurring jobs on one more.
BACKGROUND_USERS = THREADS + 2


def make_database(settings: Settings, *, clock: Clock | None = None, request_threads: int = 10) -> Database:
    """The database the settings point at, with a connection for each thread that may use it at once."""
    engine = make_engine(settings.DATABASE_URL, pool_size=settings.COLLAB_DB_POOL_SIZE,
                         users=request_threads + BACKGROUND_USERS)
    return Database(*session_factories(engine), audit_key=audit_key(settings), clock=clock,
                    writer_wait=WRITER_QUEUE_SECONDS, effects=effects_of)


def create_app(settings: Settings, *, db: Database | None = None, socket_mode: bool = False,
               background: bool | None = None, clock: Clock | None = None) -> App:
    """A Bolt app wired to the database; HTTP mode verifies Slack's signatures.

    Listeners run in the request thread and answer only once their change is saved (200 means saved);
    what Slack must be told afterwards leaves through the outbox. With `background` (by default, unless
    COLLAB_SCHEDULER is off), this process also runs a dispatcher and the scheduler that ticks it.
    """
    clock = clock or SystemClock()
    db = db or make_database(settings, clock=clock)
    secret = settings.SLACK_SIGNING_SECRET.get_secret_value() if settings.SLACK_SIGNING_SECRET else ""
    app = App(
        client=make_client(settings),
        signing_secret=secret or None,
        request_verification_enabled=not socket_mode,
        # The CLI checks the token once with auth.test before starting, with a readable error.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        process_before_response=True,
        raise_error_for_unhandled_request=True,
    )
    register_all(app, Deps(db=db, settings=settings, clock=clock, sealer=Sealer(db.audit_key)))
    if settings.COLLAB_SCHEDULER if background is None else background:
        start_background(db, dispatch_client(token=bot_token(settings), base_url=settings.SLACK_API_URL), clock=clock)
    return app
