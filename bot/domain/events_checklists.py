"""Events the audit log keeps about checklist rounds, actions and governance reviews (events.py: how an event is
audited; a round's opening, which reaches Slack, lives there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from bot.domain.events import AuditEntry, Event


@dataclass(frozen=True)
class ChecklistAnswered(Event):
    """A member answered a question of an attributed round (unattributed rounds are counted when they close)."""

    ACTION: ClassVar[str] = "checklist.answered"
    user: str
    round_id: int
    question_id: str
    value: str | None
    note: str | None
    evidence: str | None

    def audit(self) -> AuditEntry:
        """The member's answer, note and evidence link."""
        return AuditEntry(self.user, self.ACTION, {
            "round_id": self.round_id, "user": self.user, "question_id": self.question_id,
            "value": self.value or None, "note": self.note, "evidence": self.evidence})


@dataclass(frozen=True)
class ChecklistClosed(Event):
    """A round closed (`by` someone, or on time); an unattributed round's `counts` are kept, never who gave them."""

    ACTION: ClassVar[str] = "checklist.closed"
    by: str | None
    board_id: int
    round_id: int
    template: str
    answered: int | None = None
    counts: dict | None = None  # question -> answer -> how many gave it, for an unattributed round

    def audit(self) -> AuditEntry:
        """The round, with how many finished it and its counts when it is unattributed."""
        pooled = {"answered": self.answered, "counts": self.counts} if self.counts is not None else {}
        return AuditEntry(self.by or "scheduler", self.ACTION,
                          {"board_id": self.board_id, "round_id": self.round_id, "template": self.template, **pooled})


@dataclass(frozen=True)
class ChecklistLoaded(Event):
    """A checklist template's version became a board's own."""

    ACTION: ClassVar[str] = "checklist.loaded"
    actor: str
    board_id: int
    template: str
    version: int

    def audit(self) -> AuditEntry:
        """The template and its version."""
        return AuditEntry(self.actor, self.ACTION,
                          {"board_id": self.board_id, "template": self.template, "version": self.version})


@dataclass(frozen=True)
class ActionCreated(Event):
    """An action was given to `owner`, due on `due_on` (from a round's question, or on its own)."""

    ACTION: ClassVar[str] = "action.created"
    actor: str
    board_id: int
    action_id: int
    round_id: int | None
    question_id: str | None
    title: str
    owner: str
    due_on: date

    def audit(self) -> AuditEntry:
        """The action, its owner and due day."""
        return AuditEntry(self.actor, self.ACTION, {
            "board_id": self.board_id, "action_id": self.action_id, "round_id": self.round_id,
            "question_id": self.question_id, "title": self.title, "owner": self.owner,
            "due_on": self.due_on.isoformat()})


@dataclass(frozen=True)
class ActionDone(Event):
    """An action was marked done."""

    ACTION: ClassVar[str] = "action.done"
    actor: str
    board_id: int
    action_id: int
    title: str
    owner: str

    def audit(self) -> AuditEntry:
        """The action and its owner."""
        return AuditEntry(self.actor, self.ACTION, {"board_id": self.board_id, "action_id": self.action_id,
                                                    "title": self.title, "owner": self.owner})


@dataclass(frozen=True)
class ReviewAdded(Event):
    """A recurring governance review was started."""

    ACTION: ClassVar[str] = "review.added"
    actor: str
    board_id: int
    review_id: int
    kind: str
    title: str
    starts_on: date
    recurrence: str
    tell: str | None
    ends_on: date | None
    template: str | None

    def audit(self) -> AuditEntry:
        """The review, when it recurs and whom it tells."""
        return AuditEntry(self.actor, self.ACTION, {
            "board_id": self.board_id, "review_id": self.review_id, "kind": self.kind, "title": self.title,
            "starts_on": self.starts_on.isoformat(), "recurrence": self.recurrence, "tell": self.tell,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None, "template": self.template})


@dataclass(frozen=True)
class ReviewMarked(Event):
    """Something was done to a review (a subclass says what)."""

    ACTION: ClassVar[str]
    actor: str
    review_id: int
    title: str

    def audit(self) -> AuditEntry:
        """Which review."""
        return AuditEntry(self.actor, self.ACTION, {"review_id": self.review_id, "title": self.title})


@dataclass(frozen=True)
class ReviewRemoved(ReviewMarked):
    """A review and its reminders were stopped."""

    ACTION: ClassVar[str] = "review.removed"


@dataclass(frozen=True)
class ReviewDone(ReviewMarked):
    """This occurrence of a review was carried out."""

    ACTION: ClassVar[str] = "review.done"


@dataclass(frozen=True)
class ReviewSnoozed(Event):
    """A review's reminder comes again at `until`, without moving the series."""

    ACTION: ClassVar[str] = "review.snoozed"
    actor: str
    review_id: int
    until: datetime

    def audit(self) -> AuditEntry:
        """Which review, and when it reminds again."""
        return AuditEntry(self.actor, self.ACTION, {"review_id": self.review_id, "until": self.until.isoformat()})
