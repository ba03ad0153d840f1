"""Bolt listeners, one module per surface, each with register(app)."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    actions,
    chains,
    checklists,
    commands,
    deps,
    errors,
    escalations,
    home,
    poll_admin,
    proposals,
    schedules,
    scheme,
    setup,
    votes,
)
from handlers.deps import Deps


def register_all(app: App, base: Deps) -> None:
    """Attach the dependencies, the error handler and every listener to the app."""
    deps.register(app, base)
    errors.register(app)
    for surface in (commands, setup, home, proposals, votes, poll_admin, schedules, escalations,
                    chains, scheme, checklists, actions):
        surface.register(app)
