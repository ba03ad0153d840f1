"""Bolt listeners, one module per surface, each with register(app, ...)."""

from __future__ import annotations

from slack_bolt import App

from bot.settings import Settings
from handlers import commands, errors, home, middleware, poll_admin, proposals, setup, votes
from handlers.publisher import PollPublisher
from storage.uow import Database


def register_all(app: App, *, db: Database, settings: Settings, publisher: PollPublisher) -> None:
    """Attach the middleware, error handler and every listener to the app."""
    middleware.register(app, db=db)
    errors.register(app, db=db)
    commands.register(app, db=db, settings=settings)
    setup.register(app, db=db)
    home.register(app, db=db)
    proposals.register(app, db=db, publisher=publisher)
    votes.register(app, db=db, publisher=publisher)
    poll_admin.register(app, db=db, publisher=publisher)
