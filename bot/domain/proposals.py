"""Proposals: drafting rules, who may vote or steer a poll, interests, proxies and register numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.domain.boards import Board, DecisionRule, Role
from bot.domain.decisions import (
    DEFAULT_SUPERMAJORITY,
    POSITIONS_NEEDING_REASON,
    Position,
    Quorum,
    Result,
    Vote,
    Voter,
    parse_fraction,
    parse_quorum,
)
from bot.domain.errors import Conflict, InvalidValue, Name, NotAllowed
from bot.domain.text import clean

VOTING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY, Role.MEMBER})
TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 2500
REASON_LIMIT = 1000
DEFAULT_POLL_DAYS = 7
DEFAULT_CLOSING_HOUR = time(17, 0)
MAX_POLL_DAYS = 366
SECRET_RULES = frozenset({DecisionRule.MAJORITY, DecisionRule.SUPERMAJORITY})


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Ability(StrEnum):
    """What someone asks to do with an open poll before a modal for it opens."""

    VOTE = "vote"
    DECLARE = "declare"
    STEER = "steer"
    PROXY = "proxy"


class InterestDecision(StrEnum):
    PENDING = "pending"
    RECUSED = "recused"
    ALLOWED = "allowed"


class CategoryKind(StrEnum):
    """Whether a category's decisions carry an amount in GBP or are a plain yes or no."""

    MONEY = "money"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Category:
    """A kind of decision; money categories carry an amount in GBP."""

    key: str
    label: str
    kind: CategoryKind

    @property
    def is_money(self) -> bool:
        """Whether its decisions carry an amount, and its limits are sums of money."""
        return self.kind == CategoryKind.MONEY


DEFAULT_CATEGORIES = (
    Category("finance", "Finance", CategoryKind.MONEY),
    Category("service_change", "Service change", CategoryKind.YES_NO),
    Category("data_sharing", "Data sharing", CategoryKind.YES_NO),
    Category("workforce", "Workforce", CategoryKind.YES_NO),
    Category("procurement", "Procurement", CategoryKind.YES_NO),
    Category("estates", "Estates", CategoryKind.YES_NO),
)


@dataclass(frozen=True)
class Interest:
    """A member's declared conflict of interest and the chair's decision."""

    user_id: str
    reason: str
    decision: InterestDecision


@dataclass
class Proposal:
    """A question put to a board, with its rule, options and the positions recorded so far."""

    id: int | None
    title: str
    description: str
    category: str
    amount_pence: int | None
    rule: DecisionRule
    threshold: Fraction
    quorum: Quorum
    secret: bool
    hide_results: bool
    per_organisation: bool
    proposer: str
    closes_at: datetime
    status: Status = Status.OPEN
    votes: list[Vote] = field(default_factory=list)
    interests: list[Interest] = field(default_factory=list)
    board_id: int | None = None
    channel_id: str = ""
    opened_at: datetime | None = None
    number: str | None = None  # its register number, once closed (advisory sense checks have none)
    result: Result | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    message_ts: str | None = None  # the poll message in the channel, once posted
    request_key: str = ""
    marks: frozenset[str] = frozenset()  # governance marks: transfers of funds, staff or services; binding
    org_amounts: dict[int, int] = field(default_factory=dict)  # organisation id -> its amount, when it differs
    rule_overridden_by: str | None = None  # the chair, when the rule is not the board's rule for the category

    def recused(self) -> set[str]:
        """Users the chair has recused from this proposal."""
        return {i.user_id for i in self.interests if i.decision is InterestDecision.RECUSED}

    def eligible(self, board: Board) -> list[Voter]:
        """The board's voting members (not observers) who are not recused."""
        recused = self.recused()
        return [Voter(m.user_id, m.organisation, m.org_voter, m.organisation_id) for m in board.members
                if m.role in VOTING_ROLES and m.user_id not in recused]


def clean_text(raw: str, *, limit: int, field_name: str, label: str, required: bool = True,
               multiline: bool = True) -> str:
    """Cleaned text within a length limit; InvalidValue when required and nothing visible is left, or too long."""
    text = clean(raw, multiline=multiline)
    if required and not text:
        raise InvalidValue(f"Please give the {label}.", field=field_name)
    if len(text) > limit:
        raise InvalidValue(f"The {label} can be at most {limit} characters (it has {len(text)}).", field=field_name)
    return text


def parse_threshold(raw: str) -> Fraction:
    """The supermajority threshold; blank means the default two thirds."""
    if not raw.strip():
        return DEFAULT_SUPERMAJORITY
    value = parse_fraction(raw, field_name="threshold", label="threshold")
    if value <= Fraction(1, 2):
        raise InvalidValue("A supermajority threshold must be more than half, e.g. 2/3 or 75%.", field="threshold")
    return value


OPTIONS = frozenset({"secret", "hide_results", "per_organisation"})


def check_options(*, rule: DecisionRule, options: set[str]) -> None:
    """Refuse unknown options, and combinations that make no sense for the rule."""
    if not options <= OPTIONS:
        raise InvalidValue("Choose only the options offered.", field="options")
    if "secret" in options and rule not in SECRET_RULES:
        raise InvalidValue("A secret ballot is only for majority or supermajority votes.", field="options")


def check_closing(closes_at: datetime, now: datetime) -> datetime:
    """A closing time in the future and within a year (both naive UTC)."""
    if closes_at <= now + timedelta(minutes=1):
        raise InvalidValue("The closing time must be in the future.", field="closes_at")
    if closes_at > now + timedelta(days=MAX_POLL_DAYS):
        raise InvalidValue("The closing time must be within a year.", field="closes_at")
    return closes_at


def remind_at(closes_at: datetime, hours: int, now: datetime) -> datetime | None:
    """When non-voters are reminded: `hours` before the close, if that is still to come (0 hours: never)."""
    moment = closes_at - timedelta(hours=hours)
    return moment if hours and moment > now else None


def default_closing(now: datetime, timezone: str) -> datetime:
    """A week ahead at 17:00 in the board's time zone, as naive UTC."""
    zone = ZoneInfo(timezone)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone) + timedelta(days=DEFAULT_POLL_DAYS)
    closing = datetime.combine(local.date(), DEFAULT_CLOSING_HOUR, tzinfo=zone)
    return closing.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def ensure_can_propose(board: Board, user_id: str) -> None:
    """Only the board's voting members may put a proposal."""
    member = board.member(user_id)
    if member is None or member.role not in VOTING_ROLES:
        raise NotAllowed("Only voting members of {board} can put a proposal to it.", board=Name(board.name))


def ensure_can_vote(board: Board, proposal: Proposal, user_id: str) -> Voter:
    """The voter, if they may vote on this open proposal now."""
    ensure_open(proposal)
    member = board.member(user_id)
    if member is None:
        raise NotAllowed("Only members of {board} can vote on its proposals.", board=Name(board.name))
    if member.role not in VOTING_ROLES:
        raise NotAllowed("Observers follow the discussion but do not vote.")
    if user_id in proposal.recused():
        raise NotAllowed("The chair has recused you from this proposal because of your declared interest.")
    return Voter(member.user_id, member.organisation, member.org_voter, member.organisation_id)


def ensure_open(proposal: Proposal) -> None:
    """Refuse anything but reading once a poll has closed."""
    if proposal.status is not Status.OPEN:
        raise Conflict("This poll has closed; positions can no longer be changed.")


def ensure_can_steer(board: Board, proposal: Proposal, user_id: str) -> None:
    """Close, extend or withdraw: the chair, the secretary or the proposer."""
    ensure_open(proposal)
    member = board.member(user_id)
    if member is None or (user_id != proposal.proposer and member.role not in (Role.CHAIR, Role.SECRETARY)):
        raise NotAllowed("Only the chair, the secretary or the proposer (while still on the board) can close, "
                         "extend or withdraw this poll.")


def ensure_chair(board: Board, user_id: str, *, doing: str) -> None:
    """Decisions reserved to the chair, such as recusals and proxy votes."""
    member = board.member(user_id)
    if member is None or member.role is not Role.CHAIR:
        raise NotAllowed(f"Only the chair can {doing}.")


def ensure_may(ability: Ability, board: Board, proposal: Proposal, user_id: str) -> None:
    """Refuse `ability` to someone whose current membership and role don't allow it."""
    if ability is Ability.VOTE:
        ensure_can_vote(board, proposal, user_id)
    elif ability is Ability.STEER:
        ensure_can_steer(board, proposal, user_id)
    elif ability is Ability.DECLARE:
        ensure_open(proposal)
        if board.member(user_id) is None:
            raise NotAllowed("Only members of the board declare interests on its proposals.")
    else:
        ensure_open(proposal)
        ensure_chair(board, user_id, doing="record a vote on someone's behalf")


def check_reason(position: Position, reason: str) -> str:
    """An objection or a reservation needs a reason; others may give one."""
    required = position in POSITIONS_NEEDING_REASON
    return clean_text(reason, limit=REASON_LIMIT, field_name="reason", label="reason", required=required)


def register_number(year: int, sequence: int) -> str:
    """The decision register number, e.g. CB-2026-014."""
    return f"{register_prefix(year)}{sequence:03d}"


def register_prefix(year: int) -> str:
    """What every register number of a year starts with."""
    return f"CB-{year}-"


def draft(*, board: Board, proposer: str, title: str, description: str, category: str,
          categories: list[Category], amount: int | None, closes_at: datetime, rule: DecisionRule,
          threshold: str, quorum: str, options: set[str], now: datetime) -> Proposal:
    """A new proposal from what the proposer typed, or the first InvalidValue found."""
    ensure_can_propose(board, proposer)
    chosen = next((c for c in categories if c.key == category), None)
    if chosen is None:
        raise InvalidValue("Choose a category.", field="category")
    if amount is not None and not chosen.is_money:
        raise InvalidValue(f"{chosen.label} decisions do not carry an amount; leave it blank or choose Finance.",
                           field="amount")
    check_options(rule=rule, options=options)
    secret = "secret" in options
    return Proposal(
        id=None, title=clean_text(title, limit=TITLE_LIMIT, field_name="title", label="title", multiline=False),
        description=clean_text(description, limit=DESCRIPTION_LIMIT, field_name="description",
                               label="description", required=False),
        category=chosen.key, amount_pence=amount, rule=rule,
        threshold=parse_threshold(threshold) if rule is DecisionRule.SUPERMAJORITY else DEFAULT_SUPERMAJORITY,
        quorum=parse_quorum(quorum or "1/2"), secret=secret, hide_results="hide_results" in options,
        per_organisation="per_organisation" in options, proposer=proposer,
        closes_at=check_closing(closes_at, now),
    )
