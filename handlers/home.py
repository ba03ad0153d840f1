"""App Home: each member's boards and roles."""

from __future__ import annotations

from slack_bolt import App

from bot.services.boards import home_opened as opened
from handlers import parse
from handlers.deps import deps_of


def home_opened(body: dict, event: dict, context) -> None:
    """The Home tab was opened: it is drawn afresh after the answer (once, however often Slack retries)."""
    if event.get("tab", "home") != "home":
        return
    deps = deps_of(context)
    team_id, user_id = parse.event_user(body, event)
    opened(deps.db, team_id=team_id, user_id=user_id, now=deps.clock.now())


def register(app: App) -> None:
    """Listen for the Home tab opening."""
    app.event("app_home_opened")(home_opened)
