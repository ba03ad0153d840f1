"""Events the audit log keeps about boards, organisations and members (events.py: how an event is audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import ClassVar

from bot.domain.events import AuditEntry, Event


@dataclass(frozen=True)
class OrganisationAdded(Event):
    """An organisation was registered in a workspace."""

    ACTION: ClassVar[str] = "organisation.added"
    actor: str
    team: str
    organisation: str

    def audit(self) -> AuditEntry:
        """The workspace and the organisation's name."""
        return AuditEntry(self.actor, self.ACTION, {"team": self.team, "organisation": self.organisation})


@dataclass(frozen=True)
class OrganisationTyped(Event):
    """An organisation was given its type of body."""

    ACTION: ClassVar[str] = "organisation.typed"
    actor: str
    team: str
    organisation: str
    kind: str

    def audit(self) -> AuditEntry:
        """The organisation and its type."""
        return AuditEntry(self.actor, self.ACTION,
                          {"team": self.team, "organisation": self.organisation, "kind": self.kind})


@dataclass(frozen=True)
class OrganisationRenamed(Event):
    """An organisation took a new name; `boards` are those it sits on, whose members now show it."""

    ACTION: ClassVar[str] = "organisation.renamed"
    actor: str
    team: str
    organisation_id: int
    was: str
    name: str
    boards: tuple[int, ...]

    def audit(self) -> AuditEntry:
        """The old and new names, and the boards they change."""
        return AuditEntry(self.actor, self.ACTION, {
            "team": self.team, "organisation_id": self.organisation_id, "was": self.was, "name": self.name,
            "boards": list(self.boards)})


@dataclass(frozen=True)
class SeatEvent(Event):
    """A seat on a board, for an organisation, in a role, was taken or given up (a subclass says which)."""

    ACTION: ClassVar[str]
    actor: str
    board_id: int
    user: str
    organisation: str
    role: str

    def audit(self) -> AuditEntry:
        """The seat."""
        return AuditEntry(self.actor, self.ACTION, {"board_id": self.board_id, "user": self.user,
                                                    "organisation": self.organisation, "role": self.role})


@dataclass(frozen=True)
class MemberAdded(SeatEvent):
    """Someone took a seat on a board."""

    ACTION: ClassVar[str] = "member.added"


@dataclass(frozen=True)
class MemberUpdated(Event):
    """A member's organisation or role changed; `was_organisation` and `was_role` are what they were."""

    ACTION: ClassVar[str] = "member.updated"
    actor: str
    board_id: int
    user: str
    organisation: str
    role: str
    was_organisation: str
    was_role: str

    def audit(self) -> AuditEntry:
        """The seat as it is now and as it was."""
        return AuditEntry(self.actor, self.ACTION, {
            "board_id": self.board_id, "user": self.user, "organisation": self.organisation, "role": self.role,
            "was": {"organisation": self.was_organisation, "role": self.was_role}})


@dataclass(frozen=True)
class MemberRemoved(SeatEvent):
    """Someone was taken off a board: the seat is the one they held."""

    ACTION: ClassVar[str] = "member.removed"


@dataclass(frozen=True)
class MemberNominated(Event):
    """A member now casts their organisation's vote on polls taking one vote per organisation."""

    ACTION: ClassVar[str] = "member.nominated"
    actor: str
    board_id: int
    user: str
    organisation: str

    def audit(self) -> AuditEntry:
        """The nominee and their organisation."""
        return AuditEntry(self.actor, self.ACTION,
                          {"board_id": self.board_id, "user": self.user, "organisation": self.organisation})


@dataclass(frozen=True)
class BoardSettingsSaved(Event):
    """A board's time zone, digest, reminder lead and working days were changed."""

    ACTION: ClassVar[str] = "board.settings"
    actor: str
    board_id: int
    timezone: str
    digest_weekday: int | None
    digest_at: time
    reminder_hours: int
    skip_holidays: bool

    def audit(self) -> AuditEntry:
        """The settings as saved."""
        return AuditEntry(self.actor, self.ACTION, {
            "board_id": self.board_id, "timezone": self.timezone, "digest_weekday": self.digest_weekday,
            "digest_at": self.digest_at.strftime("%H:%M"), "reminder_hours": self.reminder_hours,
            "skip_holidays": self.skip_holidays})


@dataclass(frozen=True)
class CollaborationTypeChanged(Event):
    """The chair applied the collaboration-type selector's recommendation (`became`) from a round."""

    ACTION: ClassVar[str] = "board.collaboration_type"
    actor: str
    board_id: int
    was: str
    became: str
    round_id: int
    reasons: tuple[str, ...]

    def audit(self) -> AuditEntry:
        """The old and new types, and the selector's reasons."""
        return AuditEntry(self.actor, self.ACTION, {"board_id": self.board_id, "was": self.was, "now": self.became,
                                                    "round_id": self.round_id, "reasons": list(self.reasons)})


@dataclass(frozen=True)
class CategoryRuleSet(Event):
    """A board's decision rule for one category was set (`rule` None: the board's default applies again)."""

    ACTION: ClassVar[str] = "rule.set"
    actor: str
    board_id: int
    category: str
    rule: str | None
    threshold: str | None

    def audit(self) -> AuditEntry:
        """The category, its rule and any threshold."""
        return AuditEntry(self.actor, self.ACTION, {"board_id": self.board_id, "category": self.category,
                                                    "rule": self.rule, "threshold": self.threshold})
