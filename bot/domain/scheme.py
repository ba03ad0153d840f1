"""A scheme of delegation as people type it: "250k", "unlimited", "none", "yes", "no", and the dates between
which a grant is in force."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.domain.errors import InvalidValue
from bot.domain.money import format_amount, parse_amount
from bot.domain.proposals import Category

UNLIMITED_WORDS = frozenset({"unlimited", "any", "no limit"})
NONE_WORDS = frozenset({"none", "0", "£0", "nothing"})
YES_WORDS = frozenset({"yes", "y", "true", "allowed"})
NO_WORDS = frozenset({"no", "n", "false", "not allowed"})


@dataclass(frozen=True)
class Grant:
    """What a limit says: an amount, unlimited or none for money; allowed or not for a yes/no category."""

    amount_pence: int | None = None
    unlimited: bool = False
    allowed: bool = False


@dataclass(frozen=True)
class Authority:
    """One member's delegated authority in one category, from their organisation's scheme of delegation."""

    user_id: str
    organisation_id: int
    category: str
    valid_from: date
    valid_until: date | None = None
    amount_pence: int | None = None
    unlimited: bool = False
    allowed: bool = False
    granted_by: str = ""
    version: int = 0

    def in_force(self, on: date) -> bool:
        """Whether the authority has started and not yet ended on `on` (both days inclusive)."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def covers(self, amount_pence: int | None, *, money: bool, on: date) -> bool:
        """Whether it lets its holder commit `amount_pence` (a money category) or say yes (any other) on `on`."""
        if not self.in_force(on):
            return False
        if not money:
            return self.allowed
        if self.unlimited:
            return True
        return self.amount_pence is not None and self.amount_pence > 0 and (amount_pence or 0) <= self.amount_pence

    def describe(self, *, money: bool) -> str:
        """The limit in words."""
        return describe_grant(self.amount_pence, self.unlimited, self.allowed, money=money)


def overlaps(a: Authority, b: Authority) -> bool:
    """Whether two grants' periods share a day."""
    return a.valid_from <= (b.valid_until or date.max) and b.valid_from <= (a.valid_until or date.max)


def remainders(old: Authority, new: Authority) -> list[Authority]:
    """What is left of `old` outside `new`'s period: a limit raised from next month keeps today's until then."""
    pieces = []
    if old.valid_from < new.valid_from:
        pieces.append(replace(old, valid_until=new.valid_from - timedelta(days=1)))
    if new.valid_until is not None and (old.valid_until is None or old.valid_until > new.valid_until):
        pieces.append(replace(old, valid_from=new.valid_until + timedelta(days=1)))
    return pieces


def parse_grant(raw: str, *, money: bool, field_name: str = "limit") -> Grant:
    """A limit as typed for a money or a yes/no category; InvalidValue saying what to type otherwise."""
    text = " ".join(raw.lower().split())
    if money:
        if text in UNLIMITED_WORDS:
            return Grant(unlimited=True)
        if text in NONE_WORDS:
            return Grant()
        amount = parse_amount(text, field_name=field_name)
        if amount is None:
            raise InvalidValue("Give the limit in pounds (250k, £1.2m), or unlimited, or none.", field=field_name)
        return Grant(amount_pence=amount)
    if text in YES_WORDS:
        return Grant(allowed=True)
    if text in NO_WORDS:
        return Grant()
    raise InvalidValue("For this category, say yes or no.", field=field_name)


def describe_grant(amount_pence: int | None, unlimited: bool, allowed: bool, *, money: bool) -> str:
    """A limit in words: "up to £250,000", "unlimited", "none", "yes", "no"."""
    if not money:
        return "yes" if allowed else "no"
    if unlimited:
        return "unlimited"
    return f"up to {format_amount(amount_pence)}" if amount_pence else "none"


def parse_day(raw: str, *, field_name: str) -> date:
    """A date typed as YYYY-MM-DD."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidValue("Give dates as YYYY-MM-DD, for example 2027-04-01.", field=field_name) from None


def check_period(valid_from: date, valid_until: date | None) -> None:
    """A grant ends on or after the day it starts."""
    if valid_until is not None and valid_until < valid_from:
        raise InvalidValue("A limit must end on or after the day it starts.", field="valid_until")


@dataclass(frozen=True)
class Limit:
    """One line of someone's scheme: organisation, category and the authority."""

    organisation: str
    category: Category
    authority: Authority


@dataclass(frozen=True)
class Scheme:
    """A member's limits as they stand, for `/collab authority`."""

    user_id: str
    limits: list[Limit]
    today: date
    checked: tuple[str, ...] = ()  # the labels of the categories whose proposals go through sign-off
