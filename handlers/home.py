"""App Home: each member's boards and roles."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.services.boards import memberships
from handlers.errors import guarded
from prompts.blocks.home import home_view
from storage.uow import Database

log = logging.getLogger(__name__)


def refresh_home(client, *, db: Database, team_id: str, user_id: str) -> None:
    """Publish the user's home tab afresh; a failure is logged, never shown to whoever caused it."""
    try:
        client.views_publish(user_id=user_id, view=home_view(memberships(db, team_id=team_id, user_id=user_id)))
    except SlackApiError as exc:
        log.warning("could not refresh the home tab of %s: %s", user_id, exc.response.get("error"))


def register(app: App, *, db: Database) -> None:
    """Listen for the home tab opening."""

    @app.event("app_home_opened")
    @guarded(db)
    def home_opened(event: dict, body: dict, client):
        if event.get("tab", "home") == "home":
            refresh_home(client, db=db, team_id=body["team_id"], user_id=event["user"])
