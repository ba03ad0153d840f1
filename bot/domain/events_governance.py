"""Events the audit log keeps about proposals, votes, interests and escalations (events.py: how an event is
audited; the poll events that reach Slack live there; the scheme of delegation's in events_delegation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from bot.domain.events import BOT, AuditEntry, Event

if TYPE_CHECKING:
    from bot.domain.proposals import Proposal


@dataclass(frozen=True)
class ProposalOpened(Event):
    """A proposal was put to a board: what it is about and every rule its poll runs by."""

    ACTION: ClassVar[str] = "proposal.opened"
    actor: str
    proposal_id: int
    board_id: int
    title: str
    category: str
    amount_pence: int | None
    rule: str
    quorum: str
    threshold: str
    secret: bool
    hide_results: bool
    per_organisation: bool
    closes_at: datetime
    marks: frozenset[str]
    org_amounts: dict[int, int]
    rule_overridden_by: str | None

    @classmethod
    def of(cls, p: Proposal, *, actor: str, at: datetime) -> ProposalOpened:
        """The event of a saved proposal."""
        assert p.id is not None and p.board_id is not None  # saved
        return cls(at, actor, p.id, p.board_id, p.title, p.category, p.amount_pence, p.rule.value, p.quorum.encode(),
                   f"{p.threshold.numerator}/{p.threshold.denominator}", p.secret, p.hide_results,
                   p.per_organisation, p.closes_at, p.marks, p.org_amounts, p.rule_overridden_by)

    def audit(self) -> AuditEntry:
        """The proposal and its poll's rules."""
        return AuditEntry(self.actor, self.ACTION, {
            "proposal_id": self.proposal_id, "board_id": self.board_id, "title": self.title,
            "category": self.category, "amount_pence": self.amount_pence, "rule": self.rule, "quorum": self.quorum,
            "threshold": self.threshold, "secret": self.secret, "hide_results": self.hide_results,
            "per_organisation": self.per_organisation, "closes_at": self.closes_at.isoformat(),
            "marks": sorted(self.marks), "org_amounts": {str(k): v for k, v in self.org_amounts.items()},
            "rule_overridden_by": self.rule_overridden_by})


@dataclass(frozen=True)
class VoteRecorded(Event):
    """A position was recorded or changed (`proxy_for`: by the chair for an absent member): the poll is redrawn.

    On a secret ballot `voter` is the voter's keyed pseudonym, and the log names no one: only the pseudonym.
    """

    ACTION: ClassVar[str] = "vote.recorded"
    actor: str
    proposal_id: int
    position: str
    user: str
    reason: str
    proxy_for: str | None
    voter: str | None = None

    def audit(self) -> AuditEntry:
        """The position, with who took it, or only the pseudonym on a secret ballot."""
        if self.voter is not None:
            return AuditEntry("secret ballot", self.ACTION,
                              {"proposal_id": self.proposal_id, "position": self.position, "voter": self.voter})
        return AuditEntry(self.actor, self.ACTION, {
            "proposal_id": self.proposal_id, "position": self.position, "user": self.user, "reason": self.reason,
            "proxy_for": self.proxy_for})


@dataclass(frozen=True)
class InterestDecisionChanged(Event):
    """The chair recused a member with a declared interest, or let them vote."""

    ACTION: ClassVar[str] = "interest.decided"
    actor: str
    proposal_id: int
    user: str
    decision: str

    def audit(self) -> AuditEntry:
        """The member and the decision."""
        return AuditEntry(self.actor, self.ACTION,
                          {"proposal_id": self.proposal_id, "user": self.user, "decision": self.decision})


@dataclass(frozen=True)
class ProposalExtended(Event):
    """A poll's deadline moved later, from `was` to `closes_at`."""

    ACTION: ClassVar[str] = "proposal.extended"
    actor: str
    proposal_id: int
    was: datetime
    closes_at: datetime

    def audit(self) -> AuditEntry:
        """The old and new deadlines."""
        return AuditEntry(self.actor, self.ACTION, {"proposal_id": self.proposal_id, "from": self.was.isoformat(),
                                                    "to": self.closes_at.isoformat()})


@dataclass(frozen=True)
class EscalationStarted(Event):
    """An organisation's endorsement was requested for a proposal (a subclass says whether anyone could be asked)."""

    ACTION: ClassVar[str]
    proposal_id: int
    escalation_id: int
    organisation: str
    amount_pence: int | None
    level: str
    position: int
    approvers: tuple[str, ...]
    problem: str | None
    skipped: tuple[str, ...]

    def audit(self) -> AuditEntry:
        """The request: whose endorsement, of what amount, at which level of the chain."""
        return AuditEntry(BOT, self.ACTION, {
            "proposal_id": self.proposal_id, "escalation_id": self.escalation_id, "organisation": self.organisation,
            "amount_pence": self.amount_pence, "level": self.level, "position": self.position,
            "approvers": list(self.approvers), "problem": self.problem, "skipped": list(self.skipped)})


@dataclass(frozen=True)
class EscalationOpened(EscalationStarted):
    """A request for endorsement went to a level of the organisation's chain."""

    ACTION: ClassVar[str] = "escalation.open"


@dataclass(frozen=True)
class EscalationUnrouted(EscalationStarted):
    """A request for endorsement found no one in the organisation's chain who may answer it (`problem` says why)."""

    ACTION: ClassVar[str] = "escalation.no_route"


@dataclass(frozen=True)
class EscalationAnswered(Event):
    """An approver (or their deputy, or a member in a level's `channel`) answered for `answered_for`."""

    ACTION: ClassVar[str]
    actor: str
    proposal_id: int
    escalation_id: int
    organisation: str
    level: str
    answered_for: str | None
    channel: str | None
    comment: str

    def audit(self) -> AuditEntry:
        """Who answered, for whom, where, and their comment."""
        return AuditEntry(self.actor, self.ACTION, {
            "proposal_id": self.proposal_id, "escalation_id": self.escalation_id, "organisation": self.organisation,
            "level": self.level, "answered_by": self.actor, "for": self.answered_for, "channel": self.channel,
            "comment": self.comment})


@dataclass(frozen=True)
class EscalationEndorsed(EscalationAnswered):
    """The organisation endorsed the proposal."""

    ACTION: ClassVar[str] = "escalation.endorsed"


@dataclass(frozen=True)
class EscalationDeclined(EscalationAnswered):
    """The organisation declined to endorse the proposal."""

    ACTION: ClassVar[str] = "escalation.declined"


@dataclass(frozen=True)
class EscalationStepped(Event):
    """A request's answer was overdue (a subclass says what followed); `level` is where it now stands."""

    ACTION: ClassVar[str]
    proposal_id: int
    escalation_id: int
    level: str
    position: int
    approvers: tuple[str, ...]
    skipped: tuple[str, ...]

    def audit(self) -> AuditEntry:
        """The level the request now stands at."""
        return AuditEntry(BOT, self.ACTION, {
            "proposal_id": self.proposal_id, "escalation_id": self.escalation_id, "level": self.level,
            "position": self.position, "approvers": list(self.approvers), "skipped": list(self.skipped)})


@dataclass(frozen=True)
class EscalationReminded(EscalationStepped):
    """The level was reminded once."""

    ACTION: ClassVar[str] = "escalation.remind"


@dataclass(frozen=True)
class EscalationMovedUp(EscalationStepped):
    """The request moved up to the next level that may answer it."""

    ACTION: ClassVar[str] = "escalation.move_up"


@dataclass(frozen=True)
class EscalationToppedOut(EscalationStepped):
    """No level above may answer: the chair is told."""

    ACTION: ClassVar[str] = "escalation.topped_out"


@dataclass(frozen=True)
class EscalationWithdrawn(Event):
    """A request needs no answer any more: its poll was withdrawn, or closed without needing it."""

    ACTION: ClassVar[str] = "escalation.withdrawn"
    proposal_id: int
    escalation_id: int

    def audit(self) -> AuditEntry:
        """Which request."""
        return AuditEntry(BOT, self.ACTION, {"proposal_id": self.proposal_id, "escalation_id": self.escalation_id})
