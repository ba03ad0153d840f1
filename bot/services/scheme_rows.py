"""Checking a scheme of delegation's rows, one at a time, against a workspace: organisation, member, category,
limit, dates, who granted it, and clashes with earlier rows of the same file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.boards import Organisation
from bot.domain.delegation import ensure_may_grant
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.proposals import Category
from bot.domain.scheme import Authority, Grant, check_period, parse_day, parse_grant
from bot.domain.text import cut
from bot.services.authority import category_named
from bot.services.scheme_files import REQUIRED, CannotImport, RawRow, is_user_id
from bot.services.uow import AbstractUnitOfWork


@dataclass(frozen=True)
class Planned:
    """A row's authority, with its organisation's name and its category."""

    row: int
    organisation: str
    category: Category
    authority: Authority


class Checker:
    """Checks rows against one workspace's organisations, board members and categories."""

    def __init__(self, uow: AbstractUnitOfWork, workspace_id: int, default_by: str | None):
        self.uow, self.workspace_id, self.default_by = uow, workspace_id, default_by
        self.categories = uow.categories.for_workspace(workspace_id)
        self.organisations: dict[str, Organisation | None] = {}
        self.before: dict[tuple[int, str, str, date], Authority | None] = {}
        self.seats: dict[int, set[str]] = defaultdict(set)
        self.sits_for: dict[str, set[str]] = defaultdict(set)
        for org_id, name, user in uow.organisations.seated(workspace_id):
            self.seats[org_id].add(user)
            self.sits_for[user].add(name)
        self.grantors = uow.authorities.grantors(workspace_id)
        if default_by and not any(default_by in users for users in self.grantors.values()):
            raise CannotImport(f"--by {default_by} is not the chair or secretary of any board in this workspace; "
                               "only they may grant authority")

    def check(self, row: RawRow) -> tuple[list[str], Planned | None]:
        """The row's problems, and the authority it sets once organisation, user, category and dates are sound."""
        v, reasons = row.values, list(row.problems)
        if missing := [name for name in REQUIRED if not v.get(name)]:
            reasons.append(f"missing {', '.join(missing)}")
        org = self._organisation(v.get("organisation"), reasons)
        user = self._user(v.get("user"), org, reasons)
        category = self._category(v.get("category"), reasons)
        grant = self._grant(v.get("limit"), category, reasons)
        starts, ends = self._period(v, reasons)
        by = self._grantor(v.get("granted_by"), org, reasons)
        if org is None or category is None or starts is None or user is None or (v.get("valid_until") and not ends):
            return reasons, None
        if grant is not None and by == user:
            try:
                ensure_may_grant(actor_id=user, target_id=user, new=grant, money=category.is_money,
                                 current=self._current(org.id, user, category.key, starts))
            except NotAllowed:
                reasons.append(f"{user} cannot raise their own authority (granted_by is the same person)")
        authority = Authority(user_id=user, organisation_id=org.id, category=category.key, valid_from=starts,
                              valid_until=ends, granted_by=by or "")
        if grant:
            authority = replace(authority, amount_pence=grant.amount_pence, unlimited=grant.unlimited,
                                allowed=grant.allowed)
        return reasons, Planned(row.number, org.name, category, authority)

    def _user(self, user: str | None, org: Organisation | None, reasons: list[str]) -> str | None:
        """The row's user, if it is a Slack user id (None otherwise); a problem too if they don't sit for `org`."""
        if user and not is_user_id(user):
            reasons.append(f"user \"{cut(user, 40)}\" is not a Slack user id (like U0123ABCD)")
            return None
        if user and org is not None and user not in self.seats[org.id]:
            elsewhere = sorted(self.sits_for[user])
            reasons.append(f"{user} is not on any board for {org.name}"
                           + (f" (they sit for {', '.join(elsewhere)})" if elsewhere else ""))
        return user or None

    def _grant(self, limit: str | None, category: Category | None, reasons: list[str]) -> Grant | None:
        if category is None or not limit:
            return None
        try:
            return parse_grant(limit, money=category.is_money)
        except InvalidValue as exc:
            said = str(exc)  # plain words: the reasons go to a file or a terminal
            hint = " (or unlimited, or none)" if category.is_money and "unlimited" not in said else ""
            reasons.append(f"limit \"{cut(limit, 40)}\" does not work for {category.key}: "
                           f"{said[:1].lower()}{said[1:].rstrip('.')}{hint}")
            return None

    @staticmethod
    def _period(values: dict[str, str], reasons: list[str]) -> tuple[date | None, date | None]:
        starts, ends = _day(values, "valid_from", reasons), _day(values, "valid_until", reasons)
        if starts and ends:
            try:
                check_period(starts, ends)
            except InvalidValue:
                reasons.append(f"valid_until {ends} is before valid_from {starts}")
                return None, ends
        return starts, ends

    def _grantor(self, given: str | None, org: Organisation | None, reasons: list[str]) -> str | None:
        by = given or self.default_by
        if not by:
            reasons.append("no granted_by: give it in the file or with --by")
        elif not is_user_id(by):
            reasons.append(f"granted_by \"{cut(by, 40)}\" is not a Slack user id (like U0123ABCD)")
        elif org is not None and by not in self.grantors.get(org.id, ()):
            reasons.append(f"{'granted_by' if given else '--by'} {by} is not the chair or secretary of a board "
                           f"{org.name} sits on, so cannot grant its authority")
        return by

    def _current(self, organisation_id: int, user: str, category: str, on: date) -> Authority | None:
        """The authority as it stood before this import wrote anything (rows are checked again while writing)."""
        key = (organisation_id, user, category, on)
        if key not in self.before:
            self.before[key] = self.uow.authorities.current(organisation_id, user, category, on=on)
        return self.before[key]

    def _organisation(self, name: str | None, reasons: list[str]) -> Organisation | None:
        if name and name not in self.organisations:  # one lookup per name, not per row
            self.organisations[name] = self.uow.organisations.find(self.workspace_id, name)
        org = self.organisations.get(name) if name else None
        if name and org is None:
            reasons.append(f"unknown organisation \"{cut(name, 80)}\"")
        return org

    def _category(self, name: str | None, reasons: list[str]) -> Category | None:
        if not name:
            return None
        try:
            return category_named(self.categories, name)
        except InvalidValue:
            keys = ", ".join(c.key for c in self.categories)
            reasons.append(f"unknown category \"{cut(name, 40)}\" (choose one of: {keys})")
            return None


def _day(values: dict[str, str], name: str, reasons: list[str]) -> date | None:
    try:
        return parse_day(values[name], field_name=name) if values.get(name) else None
    except InvalidValue:
        reasons.append(f"{name} \"{cut(values[name], 40)}\" is not a date: give YYYY-MM-DD, for example 2027-04-01")
        return None


class Clashes:
    """The rows seen so far per organisation, user and category: enough to find repeats and overlaps as rows
    stream past, without holding the rows themselves."""

    def __init__(self):
        self.earlier: dict[tuple[int, str, str], list[tuple[int, date, date | None]]] = defaultdict(list)

    def check(self, planned: Planned, reasons: list[str]) -> None:
        """Add to `reasons` the earlier row this one repeats or whose dates it overlaps, if any; remember it."""
        a = planned.authority
        same = self.earlier[(a.organisation_id, a.user_id, a.category)]
        for row, starts, ends in same:
            if starts == a.valid_from:
                reasons.append(f"repeats row {row} (same organisation, user, category and valid_from)")
                break
            if starts <= (a.valid_until or date.max) and a.valid_from <= (ends or date.max):
                until = f" until {ends}" if ends else ", open-ended"
                reasons.append(f"dates overlap row {row} (from {starts}{until}) for the same "
                               "organisation, user and category")
                break
        same.append((planned.row, a.valid_from, a.valid_until))
