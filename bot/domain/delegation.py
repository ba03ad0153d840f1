"""Delegated authority: when an organisation's members cannot commit it, whom to ask, and how that changes a result.

Pure rules only. Datetimes are naive UTC; dates are calendar dates in the board's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.domain.boards import Board, CollaborationType, DecisionRule, Role
from bot.domain.decisions import Outcome, Result
from bot.domain.errors import Conflict, InvalidValue, NotAllowed
from bot.domain.money import format_amount
from bot.domain.schedule import WorkingCalendar
from bot.domain.scheme import Authority, Grant
from bot.domain.text import clean, escape


class OrgType(StrEnum):
    """The kind of organisation, as its scheme of delegation comes from it."""

    NHS_TRUST = "nhs_trust"
    FOUNDATION_TRUST = "foundation_trust"
    LOCAL_AUTHORITY = "local_authority"
    VOLUNTARY = "voluntary"
    INDEPENDENT = "independent"
    OTHER = "other"


ORG_TYPE_LABELS: dict[OrgType, str] = {
    OrgType.NHS_TRUST: "NHS trust", OrgType.FOUNDATION_TRUST: "Foundation trust",
    OrgType.LOCAL_AUTHORITY: "Local authority", OrgType.VOLUNTARY: "Voluntary sector",
    OrgType.INDEPENDENT: "Independent sector", OrgType.OTHER: "Other",
}
MAX_LEVELS = 8
MAX_TITLE_LENGTH = 80
MAX_COMMENT_LENGTH = 1000
RESPONSE_DAYS = range(1, 31)
DEFAULT_RESPONSE_DAYS = 5


@dataclass(frozen=True)
class Level:
    """One rung of an organisation's escalation chain: who is asked, and what they may approve."""

    position: int  # 1-based
    title: str
    approvers: tuple[str, ...]  # may be empty when the level asks a channel
    channel_id: str | None
    limit_pence: int | None  # None: unlimited
    approves_other: bool = True  # may say yes to categories that are not about money
    response_days: int = DEFAULT_RESPONSE_DAYS

    def covers(self, amount_pence: int | None, *, money: bool) -> bool:
        """Whether this level may approve `amount_pence` (a money category) or say yes (any other)."""
        if not money:
            return self.approves_other
        return self.limit_pence is None or (amount_pence or 0) <= self.limit_pence

    def describe_limit(self) -> str:
        """The level's money limit in words: "unlimited" or "up to £100,000"."""
        return "unlimited" if self.limit_pence is None else f"up to {format_amount(self.limit_pence)}"


@dataclass(frozen=True)
class Chain:
    """An organisation's escalation chain, lowest level first."""

    organisation_id: int
    levels: tuple[Level, ...]


def check_chain(levels: Iterable[Level]) -> tuple[Level, ...]:
    """The levels as typed, cleaned and renumbered 1..n; InvalidValue naming the first level that is wrong."""
    levels = list(levels)
    if not levels:
        raise InvalidValue("Add at least one level to the escalation chain.", field="level_1")
    if len(levels) > MAX_LEVELS:
        raise InvalidValue(f"An escalation chain can have at most {MAX_LEVELS} levels.",
                           field=f"level_{MAX_LEVELS + 1}")
    checked: list[Level] = []
    for n, level in enumerate(levels, start=1):
        field_name, title = f"level_{n}", clean(level.title)
        if not title:
            raise InvalidValue(f"Give level {n} a title, such as Chief Finance Officer.", field=field_name)
        if len(title) > MAX_TITLE_LENGTH:
            raise InvalidValue(f"The title of level {n} can be at most {MAX_TITLE_LENGTH} characters.",
                               field=field_name)
        approvers = tuple(dict.fromkeys(a.strip() for a in level.approvers if a.strip()))
        channel_id = (level.channel_id or "").strip() or None
        if not approvers and channel_id is None:
            raise InvalidValue(f"Level {n} needs at least one approver, or a channel to ask.", field=field_name)
        if level.response_days not in RESPONSE_DAYS:
            raise InvalidValue(f"Level {n} must allow from 1 to 30 working days for an answer.", field=field_name)
        if level.limit_pence is not None and level.limit_pence <= 0:
            raise InvalidValue(f"The limit of level {n} must be more than £0, or unlimited.", field=field_name)
        if checked and checked[-1].limit_pence is None:
            raise InvalidValue(f"Only the last level can be unlimited, but level {n} comes after an unlimited one.",
                               field=f"level_{n - 1}")
        if checked and level.limit_pence is not None and level.limit_pence <= checked[-1].limit_pence:
            raise InvalidValue(f"The limit of level {n} must be higher than that of level {n - 1} "
                               f"({checked[-1].describe_limit()}).", field=field_name)
        checked.append(replace(level, position=n, title=title, approvers=approvers, channel_id=channel_id))
    return tuple(checked)


def first_level(chain: Chain | None, amount_pence: int | None, *, money: bool, above: int = 0) -> Level | None:
    """The lowest level above position `above` that may approve the amount (or say yes), if any."""
    levels = chain.levels if chain else ()
    return next((lv for lv in levels if lv.position > above and lv.covers(amount_pence, money=money)), None)


@dataclass(frozen=True)
class Deputy:
    """Someone who answers for an approver between two dates (both inclusive)."""

    approver: str
    deputy: str
    from_date: date
    until_date: date

    def acting_on(self, day: date) -> bool:
        """Whether the deputy is acting on `day`."""
        return self.from_date <= day <= self.until_date


def answerers(level: Level, deputies: list[Deputy], on: date) -> list[tuple[str, str | None]]:
    """Who answers for each approver on `on`: (deputy, approver) while a deputy acts, else (approver, None)."""
    found: list[tuple[str, str | None]] = []
    for approver in level.approvers:
        acting = [d for d in deputies if d.approver == approver and d.acting_on(on)]
        # Overlapping periods: the arrangement that started last wins.
        found.append((max(acting, key=lambda d: d.from_date).deputy, approver) if acting else (approver, None))
    return found


def check_deputy(approver: str, deputy: str, from_date: date, until_date: date) -> Deputy:
    """A deputy arrangement, once it is known to name someone else and to end on or after it starts."""
    if approver == deputy:
        raise InvalidValue("Nobody can deputise for themselves; choose someone else.", field="deputy")
    if until_date < from_date:
        raise InvalidValue("The cover must end on or after the day it starts.", field="until_date")
    return Deputy(approver, deputy, from_date, until_date)


@dataclass(frozen=True)
class Need:
    """An organisation none of whose voting members may commit it, and the level to ask (None: no route)."""

    organisation_id: int
    amount_pence: int | None
    level: Level | None
    problem: str = ""  # why there is no route, to follow the organisation's name


def holds_authority(user_id: str, organisation_id: int, authorities: list[Authority], *, category: str,
                    amount_pence: int | None, money: bool, on: date) -> bool:
    """Whether the member has authority in force on `on` for the organisation and category covering the amount."""
    return any(a.user_id == user_id and a.organisation_id == organisation_id and a.category == category
               and a.covers(amount_pence, money=money, on=on) for a in authorities)


def needs(*, amounts: dict[int, int | None], voters: dict[int, list[str]], authorities: list[Authority],
          category: str, money: bool, chains: dict[int, Chain], on: date, label: str | None = None) -> list[Need]:
    """The organisations (by id) whose voting members cannot commit them, each with the level to ask."""
    found = []
    for org_id in sorted(amounts):
        amount = amounts[org_id]
        if any(holds_authority(user, org_id, authorities, category=category, amount_pence=amount, money=money,
                               on=on) for user in voters.get(org_id) or ()):
            continue
        chain = chains.get(org_id)
        level = first_level(chain, amount, money=money)
        problem = ""
        if level is None:
            if chain is None or not chain.levels:
                problem = "has no escalation chain"
            elif money:
                problem = f"its escalation chain tops out at {format_amount(chain.levels[-1].limit_pence)}"
            else:
                problem = f"no level of its chain can approve {label or category.replace('_', ' ')} decisions"
        found.append(Need(org_id, amount, level, problem))
    return found


class EscalationState(StrEnum):
    """Where a request for an organisation's endorsement stands."""

    OPEN = "open"
    ENDORSED = "endorsed"
    DECLINED = "declined"
    NO_ROUTE = "no_route"
    WITHDRAWN = "withdrawn"


@dataclass
class Escalation:
    """A request that someone with enough authority endorse a proposal for their organisation."""

    id: int | None
    proposal_id: int
    organisation_id: int
    organisation: str
    amount_pence: int | None
    brought_by: str  # the proposer
    level_position: int  # 0 when there is no route
    level_title: str
    approvers: tuple[str, ...]  # who is asked now, deputies already in place of those they cover
    acting_for: tuple[tuple[str, str], ...]  # (deputy, approver) for each deputy acting
    channel_id: str | None
    state: EscalationState
    opened_at: datetime
    due_at: datetime | None
    reminded: bool = False
    answered_by: str | None = None
    answered_for: str | None = None  # the approver an acting deputy answered for
    answered_at: datetime | None = None
    comment: str = ""
    problem: str = ""

    def may_answer(self, user_id: str) -> bool:
        """Whether the user may answer: an approver asked or covered, anyone on a channel level, never the proposer."""
        if user_id == self.brought_by:
            return False
        covered = {approver for _, approver in self.acting_for}
        return user_id in self.approvers or user_id in covered or self.channel_id is not None

    def answer(self, *, user_id: str, endorse: bool, comment: str, now: datetime) -> None:
        """Record an endorsement or a decline (which needs a reason)."""
        if self.state is not EscalationState.OPEN:
            raise Conflict(self._closed_message())
        if user_id == self.brought_by:
            verb = "endorse" if endorse else "decline"
            raise NotAllowed(f"You brought this proposal, so you can't {verb} it for your organisation.")
        if not self.may_answer(user_id):
            people = _and([f"<@{u}>" for u in self.approvers])
            raise NotAllowed(f"Only {people} ({escape(self.level_title)}) can answer this "
                             f"request for {escape(self.organisation)}.")
        text = clean(comment)
        if not endorse and not text:
            raise InvalidValue("Please say why you are declining, so the board knows what would need to change.",
                               field="comment")
        if len(text) > MAX_COMMENT_LENGTH:
            raise InvalidValue(f"The comment can be at most {MAX_COMMENT_LENGTH:,} characters.", field="comment")
        self.state = EscalationState.ENDORSED if endorse else EscalationState.DECLINED
        self.answered_by, self.answered_at, self.comment = user_id, now, text
        self.answered_for = next((a for d, a in self.acting_for if d == user_id and a != user_id), None)

    def record_line(self) -> str:
        """One mrkdwn line for the record: who answered and when, or what it is waiting on."""
        if self.state in (EscalationState.ENDORSED, EscalationState.DECLINED):
            verb = "Endorsed" if self.state is EscalationState.ENDORSED else "Declined"
            who = f"<@{self.answered_by}>" + (f" for <@{self.answered_for}>" if self.answered_for else "")
            line = f"{verb} by {who} ({escape(self.level_title)}), {_when(self.answered_at)}"
            return line + (f": {escape(self.comment)}" if self.comment else "")
        if self.state is EscalationState.OPEN:
            return f"Waiting on {escape(self.level_title)}"
        if self.state is EscalationState.NO_ROUTE:
            return f"No route: {escape(self.organisation)} {escape(self.problem)}"
        return "Withdrawn"

    def _closed_message(self) -> str:
        if self.state is EscalationState.WITHDRAWN:
            return "This request was withdrawn, so it no longer needs an answer."
        if self.state is EscalationState.NO_ROUTE:
            return f"This request has nobody to answer it: {escape(self.organisation)} {escape(self.problem)}."
        return (f"This request has already been answered: {self.state.value} by <@{self.answered_by}> "
                f"on {_when(self.answered_at)}.")


def _and(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _when(moment: datetime | None) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M} UTC" if moment else ""


class Step(StrEnum):
    """What happened when an escalation's answer was overdue."""

    REMIND = "remind"
    MOVE_UP = "move_up"
    TOPPED_OUT = "topped_out"


def due_after(start: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """The moment `days` working days after start's local date, at start's local time of day."""
    local_time = start.replace(tzinfo=UTC).astimezone(ZoneInfo(calendar.timezone)).time()
    day = calendar.next_working_day(calendar.local_date(start))  # a start on a day off counts from the next
    for _ in range(days):
        day = calendar.next_working_day(day + timedelta(days=1))
    return calendar.moment(day, local_time)


def _ask(escalation: Escalation, level: Level, *, deputies: list[Deputy], now: datetime,
         calendar: WorkingCalendar) -> None:
    pairs = answerers(level, deputies, calendar.local_date(now))
    escalation.level_position, escalation.level_title = level.position, level.title
    escalation.approvers = tuple(dict.fromkeys(who for who, _ in pairs))
    escalation.acting_for = tuple((who, approver) for who, approver in pairs if approver is not None)
    escalation.channel_id = level.channel_id
    escalation.due_at = due_after(now, level.response_days, calendar)


def on_due(escalation: Escalation, chain: Chain | None, *, deputies: list[Deputy], now: datetime,
           calendar: WorkingCalendar, money: bool) -> Step:
    """Move an overdue escalation on: remind its level once, then ask the next level up that can approve."""
    if escalation.state is not EscalationState.OPEN:
        raise Conflict("This request is no longer waiting on an answer.")
    if not escalation.reminded:
        current = next((lv for lv in (chain.levels if chain else ()) if lv.position == escalation.level_position),
                       None)
        escalation.reminded = True
        escalation.due_at = due_after(now, current.response_days if current else DEFAULT_RESPONSE_DAYS, calendar)
        return Step.REMIND
    higher = first_level(chain, escalation.amount_pence, money=money, above=escalation.level_position)
    if higher is None:
        escalation.due_at = None
        return Step.TOPPED_OUT
    _ask(escalation, higher, deputies=deputies, now=now, calendar=calendar)
    escalation.reminded = False
    return Step.MOVE_UP


def open_escalation(*, need: Need, proposal_id: int, organisation: str, brought_by: str, deputies: list[Deputy],
                    now: datetime, calendar: WorkingCalendar, money: bool) -> Escalation:
    """A new escalation asking need.level (or recording that there is no route, when it has none)."""
    # `money` is not needed here (need.level already fits the amount); it is taken to match on_due.
    escalation = Escalation(
        id=None, proposal_id=proposal_id, organisation_id=need.organisation_id, organisation=organisation,
        amount_pence=need.amount_pence, brought_by=brought_by, level_position=0, level_title="", approvers=(),
        acting_for=(), channel_id=None, state=EscalationState.NO_ROUTE, opened_at=now, due_at=None,
        problem=need.problem)
    if need.level is not None:
        escalation.state, escalation.problem = EscalationState.OPEN, ""
        _ask(escalation, need.level, deputies=deputies, now=now, calendar=calendar)
    return escalation


def combine(result: Result, escalations: list[Escalation]) -> Result:
    """An agreed result made not agreed by a decline, or agreed subject to endorsements still awaited."""
    if result.outcome is not Outcome.AGREED:
        return result
    live = [e for e in escalations if e.state is not EscalationState.WITHDRAWN]
    declined = [e for e in live if e.state is EscalationState.DECLINED]
    if declined:
        return Result(Outcome.NOT_AGREED, result.reasons + tuple(
            # Reasons are shown as plain text (escaped), so who declined is named by their role, not a mention.
            f"Declined for {e.organisation} by the {e.level_title}: {e.comment}" for e in declined))
    waiting = [e.organisation for e in live if e.state in (EscalationState.OPEN, EscalationState.NO_ROUTE)]
    if waiting:
        return Result(Outcome.AGREED_SUBJECT,
                      result.reasons + (f"Waiting for endorsement by {_and(list(dict.fromkeys(waiting)))}.",))
    if live:
        return Result(Outcome.AGREED, result.reasons + ("Endorsed by every organisation that needed it.",))
    return result


def agree_note(organisation: str) -> str:
    """The words added to an agreement that still awaits an organisation's endorsement."""
    return f"subject to endorsement by {organisation}"


@dataclass(frozen=True)
class CategoryRule:
    """The decision rule a board uses for one category of decision."""

    category: str
    rule: DecisionRule
    threshold: Fraction | None = None


def rule_for(category: str, rules: dict[str, CategoryRule], *, default: DecisionRule) -> CategoryRule:
    """The board's rule for the category, or its default rule when the category has none of its own."""
    return rules.get(category) or CategoryRule(category, default)


def check_override(board: Board, user_id: str, *, chosen: DecisionRule, expected: CategoryRule) -> bool:
    """Whether the chosen rule overrides the category's; only the chair may override."""
    if chosen is expected.rule:
        return False
    member = board.member(user_id)
    if member is None or member.role is not Role.CHAIR:
        raise NotAllowed("Only the chair can choose a different decision rule from the one this board uses for "
                         f"{escape(expected.category.replace('_', ' '))} decisions.")
    return True


FORMAL_MARKS = {"transfers_funds": "a transfer of funds", "transfers_staff": "a transfer of staff",
                "transfers_services": "a transfer of services", "binding": "a binding commitment"}


def governance_flag(collaboration: CollaborationType, marks: set[str]) -> str | None:
    """A warning when a less than formal collaboration is asked to do what needs formal arrangements."""
    unknown = set(marks) - FORMAL_MARKS.keys()
    if unknown:
        raise InvalidValue(f"Unknown marks: {escape(', '.join(sorted(unknown)))}.", field="marks")
    if collaboration is CollaborationType.FORMAL or not marks:
        return None
    what = _and([label for mark, label in FORMAL_MARKS.items() if mark in marks])
    return f"This involves {what}, which needs formal arrangements; take advice from your trust secretary."


def _width(amount_pence: int | None, unlimited: bool, allowed: bool, *, money: bool) -> tuple[int, int]:
    if not money:
        return (int(allowed), 0)
    if unlimited:
        return (2, 0)
    return (1, amount_pence) if amount_pence and amount_pence > 0 else (0, 0)


def ensure_may_grant(*, actor_id: str, target_id: str, current: Authority | None, new: Grant, money: bool) -> None:
    """Refuse a member who tries to widen their own delegated authority; lowering or keeping it is fine."""
    if actor_id != target_id:
        return
    before = _width(current.amount_pence, current.unlimited, current.allowed, money=money) if current else (0, 0)
    if _width(new.amount_pence, new.unlimited, new.allowed, money=money) > before:
        raise NotAllowed("You can't raise your own delegated authority; ask another chair or secretary.")
