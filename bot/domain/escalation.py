"""Escalations: asking an organisation's chain to endorse a proposal, answers, the walk up the chain on time, and
how open or declined requests change a result. Pure rules; datetimes are naive UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.decisions import Outcome, Result
from bot.domain.delegation import (
    DEFAULT_RESPONSE_DAYS,
    MAX_COMMENT_LENGTH,
    Chain,
    Deputy,
    Level,
    Need,
    and_list,
    answerers,
    first_level,
)
from bot.domain.errors import Channel, Conflict, InvalidValue, NotAllowed, People, Person
from bot.domain.schedule import WorkingCalendar
from bot.domain.text import clean
from bot.domain.times import local_time


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
    skipped: tuple[str, ...] = ()  # not stored: the levels the last routing passed over, nobody there being free

    def named(self, user_id: str) -> bool:
        """Whether the user is an approver asked at this level, or one an acting deputy covers."""
        return user_id in self.approvers or user_id in {approver for _, approver in self.acting_for}

    def may_answer(self, user_id: str, *, in_channel: str | None = None, of_organisation: bool = False) -> bool:
        """Whether the user may answer: never the proposer; a named approver (or one covered); on a channel level,
        a member of that channel (`in_channel`, as Slack says) who sits for the organisation on a board."""
        if user_id == self.brought_by:
            return False
        if self.named(user_id):
            return True
        return self.channel_id is not None and in_channel == self.channel_id and of_organisation

    def answer(self, *, user_id: str, endorse: bool, comment: str, now: datetime, timezone: str = "Europe/London",
               in_channel: str | None = None, of_organisation: bool = False) -> None:
        """Record an endorsement or a decline (which needs a reason); `timezone` is the board's, for the refusal."""
        if self.state is not EscalationState.OPEN:
            raise self._closed(timezone)
        if user_id == self.brought_by:
            verb = "endorse" if endorse else "decline"
            raise NotAllowed(f"You brought this proposal, so you can't {verb} it for your organisation.")
        if not self.may_answer(user_id, in_channel=in_channel, of_organisation=of_organisation):
            raise self._not_theirs()
        text = clean(comment)
        if not endorse and not text:
            raise InvalidValue("Please say why you are declining, so the board knows what would need to change.",
                               field="comment")
        if len(text) > MAX_COMMENT_LENGTH:
            raise InvalidValue(f"The comment can be at most {MAX_COMMENT_LENGTH:,} characters.", field="comment")
        self.state = EscalationState.ENDORSED if endorse else EscalationState.DECLINED
        self.answered_by, self.answered_at, self.comment = user_id, now, text
        self.answered_for = next((a for d, a in self.acting_for if d == user_id and a != user_id), None)

    def _not_theirs(self) -> NotAllowed:
        people, org, level = People(self.approvers), self.organisation, self.level_title
        if self.channel_id is None:
            return NotAllowed("Only {people} ({level}) can answer this request for {org}.", people=people,
                              level=level, org=org)
        named = ", or {people}," if self.approvers else ""
        return NotAllowed(f"Only members of {{channel}} who sit for {{org}} on a board{named} can answer this request "
                          "for {org} ({level}). Nothing was recorded.", channel=Channel(self.channel_id),
                          people=people, level=level, org=org)

    def _closed(self, timezone: str) -> Conflict:
        if self.state is EscalationState.WITHDRAWN:
            return Conflict("This request was withdrawn, so it no longer needs an answer.")
        if self.state is EscalationState.NO_ROUTE:
            return Conflict("This request has nobody to answer it: {org} {problem}.", org=self.organisation,
                            problem=self.problem)
        assert self.answered_at is not None  # an answered request records when
        return Conflict(f"This request has already been answered: {self.state.value} by {{who}} "
                        f"on {local_time(self.answered_at, timezone)}.", who=Person(self.answered_by or ""))


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


BARRED = "everyone who could answer at each level that covers it brought the proposal or is recused"


def _free(level: Level, deputies: list[Deputy], on: date, barred: frozenset[str]) -> list[tuple[str, str | None]]:
    """Who may answer at a level, deputies followed: those barred (the proposer, the recused) left out."""
    return [(who, approver) for who, approver in answerers(level, deputies, on) if who not in barred]


def _ask(escalation: Escalation, level: Level, pairs: list[tuple[str, str | None]], *, now: datetime,
         calendar: WorkingCalendar) -> None:
    escalation.level_position, escalation.level_title = level.position, level.title
    escalation.approvers = tuple(dict.fromkeys(who for who, _ in pairs))
    escalation.acting_for = tuple((who, approver) for who, approver in pairs if approver is not None)
    escalation.channel_id = level.channel_id
    escalation.due_at = due_after(now, level.response_days, calendar)


def _route(escalation: Escalation, chain: Chain | None, level: Level | None, *, deputies: list[Deputy],
           barred: frozenset[str], now: datetime, calendar: WorkingCalendar, money: bool) -> bool:
    """Ask `level`, or the next level up that covers the amount when nobody at it is free; False if none is."""
    skipped: list[str] = []
    on = calendar.local_date(now)
    while level is not None:
        pairs = _free(level, deputies, on, barred)
        if pairs or level.channel_id is not None:
            _ask(escalation, level, pairs, now=now, calendar=calendar)
            escalation.skipped = tuple(skipped)
            return True
        skipped.append(level.title)
        level = first_level(chain, escalation.amount_pence, money=money, above=level.position)
    escalation.skipped = tuple(skipped)
    return False


def on_due(escalation: Escalation, chain: Chain | None, *, deputies: list[Deputy], now: datetime,
           calendar: WorkingCalendar, money: bool, barred: frozenset[str] = frozenset()) -> Step:
    """Move an overdue escalation on: remind its level once, then ask the next level up that can approve and has
    someone free to answer (not the proposer, nobody `barred`)."""
    if escalation.state is not EscalationState.OPEN:
        raise Conflict("This request is no longer waiting on an answer.")
    # Found by title, not position: a chain re-saved with a level inserted below keeps this level where it is.
    levels = chain.levels if chain else ()
    current = next((lv for lv in levels if lv.title.casefold() == escalation.level_title.casefold()), None)
    if not escalation.reminded:
        escalation.reminded = True
        escalation.due_at = due_after(now, current.response_days if current else DEFAULT_RESPONSE_DAYS, calendar)
        return Step.REMIND
    above = current.position if current else escalation.level_position
    higher = first_level(chain, escalation.amount_pence, money=money, above=above)
    kept = (escalation.level_position, escalation.level_title, escalation.approvers, escalation.acting_for,
            escalation.channel_id)
    if not _route(escalation, chain, higher, deputies=deputies, barred=barred | {escalation.brought_by}, now=now,
                  calendar=calendar, money=money):
        (escalation.level_position, escalation.level_title, escalation.approvers, escalation.acting_for,
         escalation.channel_id) = kept
        escalation.due_at = None
        return Step.TOPPED_OUT
    escalation.reminded = False
    return Step.MOVE_UP


def open_escalation(*, need: Need, proposal_id: int, organisation: str, brought_by: str, deputies: list[Deputy],
                    now: datetime, calendar: WorkingCalendar, money: bool, chain: Chain | None = None,
                    barred: frozenset[str] = frozenset()) -> Escalation:
    """A new escalation asking need.level, or the next level up when nobody there is free to answer (the proposer
    and anyone `barred` are not); recording that there is no route when no level is left."""
    escalation = Escalation(
        id=None, proposal_id=proposal_id, organisation_id=need.organisation_id, organisation=organisation,
        amount_pence=need.amount_pence, brought_by=brought_by, level_position=0, level_title="", approvers=(),
        acting_for=(), channel_id=None, state=EscalationState.NO_ROUTE, opened_at=now, due_at=None,
        problem=need.problem)
    if need.level is None:
        return escalation
    if _route(escalation, chain, need.level, deputies=deputies, barred=barred | {brought_by}, now=now,
              calendar=calendar, money=money):
        escalation.state, escalation.problem = EscalationState.OPEN, ""
    else:
        escalation.problem = BARRED
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
                      result.reasons + (f"Waiting for endorsement by {and_list(list(dict.fromkeys(waiting)))}.",))
    if live:
        return Result(Outcome.AGREED, result.reasons + ("Endorsed by every organisation that needed it.",))
    return result


def agree_note(organisation: str) -> str:
    """The words added to an agreement that still awaits an organisation's endorsement."""
    return f"subject to endorsement by {organisation}"


@dataclass(frozen=True)
class Waiting:
    """An open escalation with the proposal it belongs to, for `/collab escalations`."""

    escalation: Escalation
    title: str
    channel_id: str
    message_ts: str | None
    timezone: str = "Europe/London"  # the board's, in which its times are shown
