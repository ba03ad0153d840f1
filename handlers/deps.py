"""What every listener needs, handed to it through Bolt's context."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from slack_bolt import App

from bot.clock import Clock
from bot.services.uow import AbstractDatabase
from bot.settings import Settings
from handlers.channel_members import MemberCache
from handlers.forms import Sealer


@dataclass(frozen=True)
class Deps:
    """The database (scoped to one request inside a listener), settings, clock and the modal sealer."""

    db: AbstractDatabase
    settings: Settings
    clock: Clock
    sealer: Sealer
    channel_members: MemberCache = field(default_factory=MemberCache)  # shared by requests: who is in a channel


def request_key(body: dict) -> str | None:
    """A key that is the same for Slack's retries of one request and different for every new one."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    kind = body.get("type") or ("command" if "command" in body else "request")
    if body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    actions = body.get("actions") or [{}]
    action_ts = actions[0].get("action_ts") if isinstance(actions[0], dict) else None
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    return f"{kind}:{user.get('id')}:{action_ts}" if action_ts else None


def deps_of(context) -> Deps:
    """The listener's Deps."""
    return context["deps"]


def register(app: App, deps: Deps) -> None:
    """Give each request its own Deps, whose database claims the request's key in the transaction that writes."""

    @app.use
    def provide_deps(body: dict, context, next):
        context["deps"] = replace(deps, db=deps.db.for_request(request_key(body)))
        next()
