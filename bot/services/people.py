"""People's display names for board papers: asked of Slack once, then cached."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.uow import AbstractDatabase

KEEP_NAMES = timedelta(days=7)


def display_names(db: AbstractDatabase, lookup, *, team_id: str, user_ids: set[str], now: datetime
                  ) -> tuple[dict[str, str], list[str]]:
    """Names for `user_ids` and the ids nobody could name; `lookup(user_id)` asks Slack and may raise."""
    wanted = sorted(user_ids)
    with db.read() as uow:
        names = uow.people.names(team_id, wanted, fresh_since=now - KEEP_NAMES)
    fetched, unnamed = {}, []
    for user_id in (u for u in wanted if u not in names):
        try:
            fetched[user_id] = lookup(user_id)
        except Exception:  # Slack unreachable or the user gone: the register falls back to the id
            unnamed.append(user_id)
    if fetched:
        with db.uow() as uow:
            uow.people.remember(team_id, fetched, at=now)
            uow.commit()
    return names | fetched, unnamed
