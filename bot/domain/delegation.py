"""Delegated authority: when an organisation's members cannot commit it, whom to ask, and how that changes a result.

Pure rules only. Datetimes are naive UTC; dates are calendar dates in the board's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction

from bot.domain.boards import Board, CollaborationType, DecisionRule, Role
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.money import format_amount
from bot.domain.scheme import Authority, Grant
from bot.domain.text import and_list, clean


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
        below = checked[-1].limit_pence if checked else None
        if checked and below is None:
            raise InvalidValue(f"Only the last level can be unlimited, but level {n} comes after an unlimited one.",
                               field=f"level_{n - 1}")
        if below is not None and level.limit_pence is not None and level.limit_pence <= below:
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
class SignOffScope:
    """What a workspace's scheme records: the categories someone holds a limit in, and whether any chain exists."""

    limited: frozenset[str] = frozenset()
    chained: bool = False

    def checks(self, category: str, *, money: bool) -> bool:
        """Whether a category's proposals need sign-off: once it has a limit, or (money only) once a chain exists.

        Chains have money limits, so they switch checking on for money categories; a yes/no category is checked
        only once somebody holds a limit in it.
        """
        return category in self.limited or (money and self.chained)

    @property
    def empty(self) -> bool:
        """Nothing is recorded, so nothing is checked."""
        return not self.limited and not self.chained


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
                         "{category} decisions.", category=expected.category.replace("_", " "))
    return True


FORMAL_MARKS = {"transfers_funds": "a transfer of funds", "transfers_staff": "a transfer of staff",
                "transfers_services": "a transfer of services", "binding": "a binding commitment"}


def governance_flag(collaboration: CollaborationType, marks: set[str]) -> str | None:
    """A warning when a less than formal collaboration is asked to do what needs formal arrangements."""
    unknown = set(marks) - FORMAL_MARKS.keys()
    if unknown:
        raise InvalidValue("Unknown marks: {marks}.", field="marks", marks=", ".join(sorted(unknown)))
    if collaboration is CollaborationType.FORMAL or not marks:
        return None
    what = and_list([label for mark, label in FORMAL_MARKS.items() if mark in marks])
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
