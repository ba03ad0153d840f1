"""Telling one person something privately, through the outbox."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.domain.events import Notice, Route
from bot.services.uow import AbstractDatabase


def tell(db: AbstractDatabase, *, to: Route, content: dict, now: datetime) -> None:
    """Queue a private message (already drawn) to `to`; it is sent after this returns."""
    with db.uow() as uow:
        uow.record(Notice(now, to, "message", content, key=f"tell:{uuid.uuid4().hex}"))
        uow.commit()
