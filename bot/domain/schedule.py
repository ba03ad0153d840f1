"""The board's working calendar: recurring series of dates, working days and local times.

Pure rules only. Datetimes in and out are naive UTC (as the project stores them); dates are calendar dates in
the board's time zone. A series date that is not a working day moves to the next working day, at the same
local time, so 09:00 stays 09:00 in the board's time zone across clock changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil import rrule


class Frequency(StrEnum):
    """How often a series repeats; the values are stored in the database."""

    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    NTH_WEEKDAY = "nth_weekday"  # e.g. the first Monday of each month


MAX_INTERVAL = 999  # keeps an encoded rule short (the database column holds 40 characters)
MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6}
UNITS = {Frequency.DAILY: "day", Frequency.WEEKLY: "week", Frequency.YEARLY: "year"}
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ENCODED = re.compile(r"(?P<frequency>[a-z_]+)(?:\((?P<nth>-?\d),(?P<weekday>\d)\))?(?:\*(?P<interval>[1-9]\d*))?")


@dataclass(frozen=True)
class Recurrence:
    """How a series of dates repeats: every `interval` units, or on the nth weekday of the month."""

    frequency: Frequency
    interval: int = 1  # every `interval` units (ignored for ONCE)
    nth: int | None = None  # NTH_WEEKDAY only: 1..4, or -1 for the last
    weekday: int | None = None  # NTH_WEEKDAY only: 0 = Monday .. 6 = Sunday

    def __post_init__(self) -> None:
        object.__setattr__(self, "frequency", Frequency(self.frequency))  # a ValueError for an unknown one
        if not _whole(self.interval, range(1, MAX_INTERVAL + 1)):
            raise ValueError(f"interval must be a whole number from 1 to {MAX_INTERVAL}")
        if self.frequency is Frequency.NTH_WEEKDAY:
            if not (_whole(self.nth, NTH_WORDS) and _whole(self.weekday, range(7))):
                raise ValueError("nth must be 1..4 or -1, and weekday 0..6")
        elif self.nth is not None or self.weekday is not None:
            raise ValueError("nth and weekday are for NTH_WEEKDAY only")

    def describe(self) -> str:
        """Plain English, such as "every 3 months" or "on the last Friday of each month"."""
        n = self.interval
        if self.frequency is Frequency.ONCE:
            return "once"
        if self.frequency is Frequency.NTH_WEEKDAY:
            assert self.nth is not None and self.weekday is not None  # __post_init__ requires both
            which = "each month" if n == 1 else f"every {_ordinal(n)} month"
            return f"on the {NTH_WORDS[self.nth]} {WEEKDAYS[self.weekday]} of {which}"
        if self.frequency in MONTHS:
            n, unit = MONTHS[self.frequency] * n, "month"
        else:
            unit = UNITS[self.frequency]
        return f"every {unit}" if n == 1 else f"every {n} {unit}s"

    def encode(self) -> str:
        """A compact text form for storage: "weekly", "monthly*2", "nth_weekday(-1,4)"."""
        text = self.frequency.value
        if self.frequency is Frequency.NTH_WEEKDAY:
            text += f"({self.nth},{self.weekday})"
        return text if self.interval == 1 else f"{text}*{self.interval}"

    @staticmethod
    def decode(text: str) -> Recurrence:
        """The rule `encode` wrote; a ValueError for any other text."""
        found = ENCODED.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"not an encoded recurrence: {text!r}")
        nth, weekday, interval = found["nth"], found["weekday"], found["interval"]
        rule = Recurrence(Frequency(found["frequency"]), int(interval or 1),
                          None if nth is None else int(nth), None if weekday is None else int(weekday))
        if rule.encode() != text:  # only the one spelling encode writes, such as "weekly" and not "weekly*1"
            raise ValueError(f"not an encoded recurrence: {text!r}")
        return rule


def _whole(value: object, allowed) -> bool:
    return type(value) is int and value in allowed


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _series(rule: Recurrence, start: date) -> rrule.rrule:
    """The dateutil rule of a repeating series that begins on `start` (not for ONCE)."""
    begin = datetime.combine(start, time())
    if rule.frequency is Frequency.DAILY:
        return rrule.rrule(rrule.DAILY, dtstart=begin, interval=rule.interval)
    if rule.frequency is Frequency.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=begin, interval=rule.interval)
    if rule.frequency is Frequency.NTH_WEEKDAY:
        assert rule.nth is not None and rule.weekday is not None  # Recurrence requires both
        return rrule.rrule(rrule.MONTHLY, dtstart=begin, interval=rule.interval,
                           byweekday=rrule.weekday(rule.weekday, rule.nth))
    # A series starting on the 29th, 30th or 31st (or on 29 February, for a yearly one) falls on the last day of
    # a shorter month rather than skipping it: of the days from the 28th to the start's day that the month has,
    # bysetpos=-1 takes the last. So the 31st gives 30 April and 28 (or 29) February, and still 31 May.
    days = list(range(28, start.day + 1)) if start.day > 28 else [start.day]
    if rule.frequency is Frequency.YEARLY:
        return rrule.rrule(rrule.YEARLY, dtstart=begin, interval=rule.interval, bymonth=start.month,
                           bymonthday=days, bysetpos=-1)
    return rrule.rrule(rrule.MONTHLY, dtstart=begin, interval=MONTHS[rule.frequency] * rule.interval,
                       bymonthday=days, bysetpos=-1)


def _dates(rule: Recurrence, *, start: date, after: date):
    """The series' dates strictly after `after`, in order."""
    if rule.frequency is Frequency.ONCE:
        if start > after:
            yield start
        return
    for found in _series(rule, start).xafter(datetime.combine(after, time()), inc=False):
        yield found.date()


def next_date(rule: Recurrence, *, start: date, after: date) -> date | None:
    """The first date of the series that begins on `start` strictly after `after` (None for ONCE once passed)."""
    return next(_dates(rule, start=start, after=after), None)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; the package calls England "ENG" and includes substitute
    # days ("Boxing Day (observed)") by default.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    """A board's time zone, and whether reminders skip weekends and England and Wales bank holidays."""

    timezone: str = "Europe/London"
    skip_non_working: bool = True

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown time zone: {self.timezone!r}") from error

    def is_working_day(self, day: date) -> bool:
        """Not a weekend or a bank holiday; every day is a working day when skip_non_working is off."""
        return not self.skip_non_working or (day.weekday() < 5 and day not in _bank_holidays(day.year))

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day (or skip_non_working is off), else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def moment(self, day: date, at: time) -> datetime:
        """Naive UTC of `at` on local `day`: a time the clocks skip moves on by the gap; a repeated one is the first."""
        # fold=0 does both: a skipped local time takes the offset in force before the change (01:30 on the
        # spring-forward day is 01:30 GMT, which is 02:30 BST), and a repeated one its first occurrence (BST).
        local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC).replace(tzinfo=None)

    def local_date(self, moment: datetime) -> date:
        """The local date of a naive-UTC moment."""
        return _utc(moment).astimezone(ZoneInfo(self.timezone)).date()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        raise ValueError("expected a naive UTC datetime")
    return moment.replace(tzinfo=UTC)


def next_due(rule: Recurrence, *, start: date, at: time, after: datetime, calendar: WorkingCalendar) -> datetime | None:
    """The next moment (naive UTC) strictly after `after` at which a reminder of the series is due."""
    # Each series date moves to the next working day at local `at`. That never reorders dates, but it can
    # collapse several onto one day (a daily series over Christmas): they give one reminder, and the one after
    # it is the next series date that lands on a later moment. A date before after's local date can still land
    # after `after` when every day from it to that date is a non-working day, so the search starts before that run.
    first = calendar.local_date(after)
    while not calendar.is_working_day(first - timedelta(days=1)):
        first -= timedelta(days=1)
    for day in _dates(rule, start=start, after=first - timedelta(days=1)):
        due = calendar.moment(calendar.next_working_day(day), at)
        if due > after:
            return due
    return None


def next_weekly(weekday: int, at: time, *, after: datetime, calendar: WorkingCalendar) -> datetime:
    """The next weekly moment (e.g. Monday 09:00 local) strictly after `after`; a non-working day moves on."""
    if not _whole(weekday, range(7)):
        raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
    today = calendar.local_date(after)
    start = today - timedelta(days=(today.weekday() - weekday) % 7)  # today, or the latest such day before it
    due = next_due(Recurrence(Frequency.WEEKLY), start=start, at=at, after=after, calendar=calendar)
    assert due is not None  # a weekly series never ends
    return due
