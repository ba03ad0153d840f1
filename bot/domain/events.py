"""Domain events: what happened, recorded by services. When a unit of work commits, each event's audit entry (if
the log keeps it) is chained to the audit log, then the outbox jobs it causes are added.

An audited event names its action in `ACTION` and projects itself with `audit()`; `audit verify`'s replay
(bot/domain/audit_replay.py) dispatches on the same `ACTION`s. The events the log keeps that cause no Slack
message (and the vote) live in events_boards, events_governance, events_delegation and events_checklists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

BOT = "collab-bot"  # the actor of what the bot does by itself


@dataclass(frozen=True)
class Route:
    """Where to answer one person: their workspace, themselves, the channel they acted in, and a response_url."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """What an event writes to the audit log: who did it, the action's name, and its details."""

    actor: str
    action: str
    payload: dict


@dataclass(frozen=True)
class Event:
    """Something that happened at a moment."""

    at: datetime

    def audit(self) -> AuditEntry | None:
        """The entry this event adds to the audit log when it commits; None when the log does not keep it."""
        return None


@dataclass(frozen=True)
class BoardCreated(Event):
    """A channel now hosts a board; it is announced there."""

    ACTION: ClassVar[str] = "board.created"
    board_id: int
    founder: Route
    name: str
    kind: str
    collaboration_type: str
    timezone: str
    default_rule: str

    def audit(self) -> AuditEntry:
        """The founder created the board in their channel."""
        return AuditEntry(self.founder.user_id, self.ACTION, {
            "team": self.founder.team_id, "board_id": self.board_id, "name": self.name, "kind": self.kind,
            "collaboration_type": self.collaboration_type, "channel": self.founder.channel_id,
            "timezone": self.timezone, "default_rule": self.default_rule})


@dataclass(frozen=True)
class MembershipChanged(Event):
    """Someone joined, left or changed role on a board: their App Home is redrawn."""

    team_id: str
    user_id: str


@dataclass(frozen=True)
class PollChanged(Event):
    """A poll's message must be drawn (again): it opened, a vote, an interest, a new deadline."""

    proposal_id: int
    channel_id: str


@dataclass(frozen=True)
class DeadlineSet(Event):
    """An open poll closes at `closes_at` unless something closes it first; non-voters hear at `remind_at`."""

    proposal_id: int
    closes_at: datetime
    remind_at: datetime | None = None


@dataclass(frozen=True)
class ReviewScheduled(Event):
    """A governance review's next reminder is due at `due_at` (a snooze is an extra one)."""

    review_id: int
    due_at: datetime
    snooze: bool = False


@dataclass(frozen=True)
class PollClosed(Event):
    """A poll closed (`by` someone, or at its deadline): its outcome goes in its thread, and its deadline needs no
    job."""

    ACTION: ClassVar[str] = "proposal.closed"
    proposal_id: int
    channel_id: str
    proposer: str
    by: str | None
    number: str | None
    outcome: str
    reasons: tuple[str, ...]
    counts: dict[str, int]

    def audit(self) -> AuditEntry:
        """The closing, its register number, outcome and counts."""
        return AuditEntry(self.by or "scheduler", self.ACTION, {
            "proposal_id": self.proposal_id, "number": self.number, "outcome": self.outcome,
            "reasons": list(self.reasons), "counts": self.counts})


@dataclass(frozen=True)
class Notice(Event):
    """A private message to one person: `what` names the message, `data` fills it in when it is sent.

    `key` makes it idempotent: the same notice for the same request is sent once.
    """

    to: Route
    what: str
    data: dict
    key: str


@dataclass(frozen=True)
class Replaced(Event):
    """The message whose button `to` clicked is redrawn (through its response_url) as `what` with `data`."""

    to: Route
    what: str
    data: dict
    key: str


@dataclass(frozen=True)
class InterestDeclared(Event):
    """A member declared an interest: the chair is asked in the poll's thread."""

    ACTION: ClassVar[str] = "interest.declared"
    proposal_id: int
    channel_id: str
    user_id: str
    reason: str

    def audit(self) -> AuditEntry:
        """The member and the nature of their interest."""
        return AuditEntry(self.user_id, self.ACTION,
                          {"proposal_id": self.proposal_id, "user": self.user_id, "reason": self.reason})


@dataclass(frozen=True)
class InterestDecided(Event):
    """The chair decided on an interest: the thread message they clicked shows the decision."""

    proposal_id: int
    user_id: str
    decision: str
    chair: Route


@dataclass(frozen=True)
class EscalationAsked(Event):
    """An approver (or a level's channel) is asked to endorse; `reminder` when it is the second asking."""

    escalation_id: int
    level: int
    recipients: tuple[str, ...]  # Slack user ids (a DM each) or one channel id
    due_at: datetime | None
    reminder: bool = False


@dataclass(frozen=True)
class OutcomeSettled(Event):
    """A closed poll's outcome changed when its last endorsement (or a decline) came in: it is posted again."""

    ACTION: ClassVar[str] = "proposal.settled"
    proposal_id: int
    channel_id: str
    number: str | None
    outcome: str
    reasons: tuple[str, ...]

    def audit(self) -> AuditEntry:
        """The outcome the poll now has."""
        return AuditEntry(BOT, self.ACTION, {"proposal_id": self.proposal_id, "number": self.number,
                                             "outcome": self.outcome, "reasons": list(self.reasons)})


@dataclass(frozen=True)
class EscalationEnded(Event):
    """An escalation was answered or withdrawn: its pending timer is not needed."""

    escalation_id: int
    due_at: datetime | None


@dataclass(frozen=True)
class RoundOpened(Event):
    """A board's checklist round opened: it closes at `closes_at`, and those not finished hear at `remind_at`."""

    ACTION: ClassVar[str] = "checklist.opened"
    round_id: int
    closes_at: datetime | None
    remind_at: datetime | None
    by: str
    board_id: int
    template: str
    version: int

    def audit(self) -> AuditEntry:
        """The round, its checklist's version, and that its answers are logged (rounds opened since then are)."""
        return AuditEntry(self.by, self.ACTION, {
            "board_id": self.board_id, "round_id": self.round_id, "template": self.template, "version": self.version,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None, "answers_logged": True})


@dataclass(frozen=True)
class ReportRequested(Event):
    """A round's report is posted in the board's channel: the message, then its chart."""

    round_id: int
    channel_id: str


@dataclass(frozen=True)
class ActionScheduled(Event):
    """An action's owner hears the day before it is due (`remind_at`) and once it is overdue (`overdue_at`)."""

    action_id: int
    remind_at: datetime | None
    overdue_at: datetime


@dataclass(frozen=True)
class SendFailed(Event):
    """Slack refused an outbox job for good: the log keeps which job, which method and why."""

    ACTION: ClassVar[str] = "slack.failed"
    kind: str
    key: str
    error: str
    method: str | None

    def audit(self) -> AuditEntry:
        """The job's kind and key, Slack's error code and the method that returned it."""
        return AuditEntry(BOT, self.ACTION, {"kind": self.kind, "key": self.key, "error": self.error,
                                             "method": self.method})


@dataclass(frozen=True)
class DigestDue(Event):
    """A board's weekly digest goes out at `due_at`, if its digest settings are still these then."""

    board_id: int
    due_at: datetime
    weekday: int
    time: str  # "HH:MM", the board's local time
    timezone: str
    channel_id: str


@dataclass(frozen=True)
class LogKeyed(Event):
    """The log was keyed: this keyed event anchors the `unkeyed_events` hashed before, the last of them `anchors`."""

    ACTION: ClassVar[str] = "audit.keyed"
    unkeyed_events: int
    anchors: str

    def audit(self) -> AuditEntry:
        """How many events it anchors, and the last one's hash."""
        return AuditEntry(BOT, self.ACTION, {"unkeyed_events": self.unkeyed_events, "anchors": self.anchors})
