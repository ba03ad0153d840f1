"""Domain events: what happened, recorded by services; the unit of work turns them into outbox jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Route:
    """Where to answer one person: their workspace, themselves, the channel they acted in, and a response_url."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened at a moment."""

    at: datetime


@dataclass(frozen=True)
class BoardCreated(Event):
    """A channel now hosts a board; it is announced there."""

    board_id: int
    founder: Route


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
    """A poll closed: its outcome goes in its thread, and its deadline needs no job."""

    proposal_id: int
    channel_id: str
    proposer: str


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

    proposal_id: int
    channel_id: str
    user_id: str


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

    proposal_id: int
    channel_id: str


@dataclass(frozen=True)
class EscalationEnded(Event):
    """An escalation was answered or withdrawn: its pending timer is not needed."""

    escalation_id: int
    due_at: datetime | None


@dataclass(frozen=True)
class RoundOpened(Event):
    """A board's checklist round opened: it closes at `closes_at`, and those not finished hear at `remind_at`."""

    round_id: int
    closes_at: datetime | None
    remind_at: datetime | None


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
