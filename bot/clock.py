"""The one source of the current time; tests pass a clock they control."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time as naive UTC, as both databases store it."""

    def now(self) -> datetime:
        """The current moment, naive UTC."""


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current moment, naive UTC."""
        return datetime.now(UTC).replace(tzinfo=None)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        """The moment the clock was set to."""
        return self.moment
