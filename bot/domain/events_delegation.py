"""Events the audit log keeps about the scheme of delegation: authority, escalation chains, deputies, and the
board's review of what was decided under delegation (events.py: how an event is audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from bot.domain.events import AuditEntry, Event

if TYPE_CHECKING:
    from bot.domain.delegation import Level


@dataclass(frozen=True)
class AuthoritySet(Event):
    """A new version of a member's authority in one category, set in Slack (on `board_id`) or imported (for
    `team`); `actor` granted it."""

    ACTION: ClassVar[str] = "authority.set"
    actor: str
    user: str
    organisation: str
    organisation_id: int
    category: str
    limit: str
    valid_from: date
    valid_until: date | None
    version: int
    source: str  # "slack" | "import"
    board_id: int | None = None
    team: str | None = None

    def audit(self) -> AuditEntry:
        """The version: its limit and dates, and where it was set."""
        where = {"board_id": self.board_id} if self.board_id is not None else {"team": self.team}
        return AuditEntry(self.actor, self.ACTION, {
            **where, "user": self.user, "organisation": self.organisation, "organisation_id": self.organisation_id,
            "category": self.category, "limit": self.limit, "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None, "version": self.version,
            "source": self.source})


@dataclass(frozen=True)
class ChainSet(Event):
    """An organisation's escalation chain was replaced by `levels`."""

    ACTION: ClassVar[str] = "chain.set"
    actor: str
    organisation: str
    organisation_id: int
    levels: tuple[Level, ...]

    def audit(self) -> AuditEntry:
        """Every level, in order."""
        return AuditEntry(self.actor, self.ACTION, {
            "organisation": self.organisation, "organisation_id": self.organisation_id, "levels": [
                {"title": lv.title, "approvers": list(lv.approvers), "channel": lv.channel_id,
                 "limit_pence": lv.limit_pence, "response_days": lv.response_days,
                 "approves_other": lv.approves_other} for lv in self.levels]})


@dataclass(frozen=True)
class DeputyAdded(Event):
    """A deputy answers an approver's requests from `starts` to `until`."""

    ACTION: ClassVar[str] = "deputy.added"
    actor: str
    organisation: str
    approver: str
    deputy: str
    starts: date
    until: date

    def audit(self) -> AuditEntry:
        """The approver, their deputy and the period."""
        return AuditEntry(self.actor, self.ACTION, {
            "organisation": self.organisation, "approver": self.approver, "deputy": self.deputy,
            "from": self.starts.isoformat(), "until": self.until.isoformat()})


@dataclass(frozen=True)
class DelegatedReviewed(Event):
    """The board reviewed a decision taken under delegation, with a note."""

    ACTION: ClassVar[str] = "delegated.reviewed"
    actor: str
    proposal_id: int
    number: str | None
    note: str

    def audit(self) -> AuditEntry:
        """The decision and the note."""
        return AuditEntry(self.actor, self.ACTION,
                          {"proposal_id": self.proposal_id, "number": self.number, "note": self.note})
