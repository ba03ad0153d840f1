"""Governance reviews (an MoU or terms of reference, the scheme of delegation, a notice period...) and a
board's scheduling settings: when its digest goes out and how long before a poll closes non-voters hear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.domain.errors import InvalidValue
from bot.domain.schedule import Frequency, Recurrence
from bot.domain.text import clean


class ReviewKind(StrEnum):
    """What a review is of."""

    MOU = "mou"
    DELEGATION = "delegation"
    DELEGATED = "delegated"  # the retrospective review of decisions taken under delegation
    NOTICE = "notice"
    REASSESSMENT = "reassessment"
    OTHER = "other"


REVIEW_LABELS = {
    ReviewKind.MOU: "MoU or terms of reference review",
    ReviewKind.DELEGATION: "Scheme of delegation review",
    ReviewKind.DELEGATED: "Review of decisions taken under delegation",
    ReviewKind.NOTICE: "Notice period",
    ReviewKind.REASSESSMENT: "Checklist re-assessment",
    ReviewKind.OTHER: "Other review",
}
RECURRENCE_CHOICES = {
    "once": Recurrence(Frequency.ONCE), "weekly": Recurrence(Frequency.WEEKLY),
    "monthly": Recurrence(Frequency.MONTHLY), "quarterly": Recurrence(Frequency.QUARTERLY),
    "half_yearly": Recurrence(Frequency.HALF_YEARLY), "yearly": Recurrence(Frequency.YEARLY),
    "first_monday": Recurrence(Frequency.NTH_WEEKDAY, nth=1, weekday=0),
}
CHANNEL = "channel"  # a review told to the board's channel rather than to one person
TITLE_LIMIT = 120
DEFAULT_AT = time(9, 0)
LEAD_CHOICES = (0, 2, 6, 12, 24, 48, 72)  # hours before a poll closes; 0 is off


@dataclass
class Review:
    """A recurring governance reminder of one board."""

    id: int | None
    board_id: int
    kind: ReviewKind
    title: str
    starts_on: date
    recurrence: str  # a schedule.Recurrence, encoded
    tell: str  # CHANNEL, or the Slack user id of its owner
    next_due: datetime | None  # naive UTC; None once a one-off has been sent or a notice period has ended
    ends_on: date | None = None  # a notice period's end date
    created_by: str = ""
    last_done_at: datetime | None = None
    last_done_by: str | None = None
    template_id: str | None = None  # a re-assessment: the checklist whose round it opens


@dataclass(frozen=True)
class BoardSettings:
    """When a board hears from the bot (in its time zone): weekly digest, reminder lead, working days."""

    digest_weekday: int | None = 0  # 0 = Monday; None = no digest
    digest_at: time = DEFAULT_AT
    reminder_hours: int = 24  # 0 = no closing reminders
    skip_holidays: bool = True


def review_title(kind: ReviewKind, raw: str) -> str:
    """A cleaned title, or the kind's label when none was given."""
    title = clean(raw or "")
    if len(title) > TITLE_LIMIT:
        raise InvalidValue(f"The title can be at most {TITLE_LIMIT} characters.", field="title")
    return title or REVIEW_LABELS[kind]


def check_first_due(first: date, *, today: date, ends_on: date | None) -> None:
    """A review starts today or later, and a notice period ends after it starts."""
    if first < today:
        raise InvalidValue("Choose today or a later date for the first reminder.", field="starts_on")
    if ends_on is not None and ends_on <= first:
        raise InvalidValue("The notice period must end after its first reminder.", field="ends_on")


def parse_clock(raw: str, *, field_name: str) -> time:
    """A time of day typed or picked as HH:MM."""
    try:
        hours, minutes = (int(part) for part in raw.strip().split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        raise InvalidValue("Give the time as HH:MM, for example 09:00.", field=field_name) from None


def check_lead(hours: int) -> int:
    """One of the offered reminder leads."""
    if hours not in LEAD_CHOICES:
        raise InvalidValue("Choose one of the reminder times offered.", field="reminder_hours")
    return hours
