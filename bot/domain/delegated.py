"""Decisions taken under delegation: agreed with no escalation, and queued for the board's retrospective review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import InvalidValue
from bot.domain.text import clean

NOTE_LIMIT = 1000


@dataclass(frozen=True)
class Delegated:
    """A decision taken under delegation and where it stands in the board's retrospective review."""

    proposal_id: int
    number: str | None
    title: str
    queued_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str = ""


def review_note(raw: str) -> str:
    """The chair's note on a reviewed decision, cleaned and within its limit."""
    note = clean(raw or "")
    if len(note) > NOTE_LIMIT:
        raise InvalidValue(f"The note can be at most {NOTE_LIMIT:,} characters.", field="note")
    return note
