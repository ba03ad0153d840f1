"""Checks `collab-bot` makes before it starts: the database exists, and Slack accepts the tokens."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from bot.cli.errors import hide_password, slack_unreachable_line
from bot.settings import Settings, SettingsError
from storage.db import sqlite_file

log = logging.getLogger("collab-bot")
# The checks say what went wrong in one line; slack_sdk's own log of each failed attempt would repeat it.
_quiet = logging.getLogger("collab-bot.slack-check")
_quiet.propagate = False
_quiet.addHandler(logging.NullHandler())


class CommandError(Exception):
    """The command cannot go on; the message is one line and `status` the exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def require_database(url: str) -> None:
    """Raise CommandError unless `url` holds a collab-bot database already (it has an alembic_version table)."""
    missing = (f"there is no collab-bot database at {hide_password(url)} (DATABASE_URL)",
               "run `collab-bot db upgrade` to create one, or set DATABASE_URL to the bot's database")
    if make_url(url).get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is None or not path.is_file():
            where = f"no file {path}" if path else "an in-memory database is always empty"
            raise CommandError(f"{missing[0]}: {where}; {missing[1]}")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            migrated = inspect(connection).has_table("alembic_version")
    finally:
        engine.dispose()
    if not migrated:
        raise CommandError(f"{missing[0]}: it has no collab-bot tables; {missing[1]}")


def read_only_database(settings: Settings):
    """The Database for a command that only reads: it must exist at this collab-bot's schema (nothing is migrated)
    and its audit key must exist (none is made); CommandError or SettingsError, one line, otherwise."""
    from bot.keys import audit_key
    from storage.db import make_engine, session_factories
    from storage.uow import Database

    require_database(settings.DATABASE_URL)
    engine = make_engine(settings.DATABASE_URL, pool_size=settings.COLLAB_DB_POOL_SIZE)
    try:
        require_schema(engine)
        key = audit_key(settings, create=False)
    except BaseException:
        engine.dispose()
        raise
    return Database(*session_factories(engine), audit_key=key)


def require_schema(engine) -> None:
    """Raise CommandError unless the database is at the newest migration this collab-bot ships."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == set(script.get_heads()):
        return
    known = {revision.revision for revision in script.walk_revisions()}
    where = f"the database at {hide_password(str(engine.url))} (DATABASE_URL)"
    if current - known:
        raise CommandError(f"cannot use {where}: the database was migrated by a newer collab-bot (unknown revision "
                           f"{', '.join(sorted(current - known))}); upgrade collab-bot")
    raise CommandError(f"{where} is at an older schema than this collab-bot; run `collab-bot db upgrade` first "
                       "(this command only reads, so it changes nothing)")


def _client(settings: Settings) -> WebClient:
    return WebClient(base_url=settings.SLACK_API_URL, timeout=10, logger=_quiet, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=1)])


def _call_slack(settings: Settings, setting: str, method: str) -> dict:
    """One Web API call with `setting`'s token: a refusal is a SettingsError naming it; no Slack a CommandError."""
    token = getattr(settings, setting).get_secret_value()
    try:
        answer = _client(settings).api_call(method, params={"token": token}).data
        assert isinstance(answer, dict)  # Web API methods answer JSON
        return answer
    except SlackApiError as exc:
        status, error = exc.response.status_code, exc.response.get("error")
        if status != 200:
            raise CommandError(f"Slack at {settings.SLACK_API_URL} (SLACK_API_URL) answered HTTP {status} "
                               f"({error}); is SLACK_API_URL right?") from None
        raise SettingsError(f"{setting} was refused by Slack ({error})") from None
    except OSError as exc:
        raise CommandError(slack_unreachable_line(exc, settings.SLACK_API_URL)) from None


def check_bot_token(settings: Settings, *, must_reach: bool) -> dict | None:
    """Ask Slack (auth.test) whether it accepts SLACK_BOT_TOKEN; Slack's answer, or None if unreachable and allowed."""
    try:
        return _call_slack(settings, "SLACK_BOT_TOKEN", "auth.test")
    except CommandError as exc:
        if must_reach:
            raise
        log.warning("%s; starting anyway, the bot will call Slack when it answers", exc)
        return None


def check_app_token(settings: Settings) -> str:
    """Ask Slack (apps.connections.open) whether it accepts SLACK_APP_TOKEN; the WebSocket URL it offers."""
    return _call_slack(settings, "SLACK_APP_TOKEN", "apps.connections.open")["url"]
