"""A scheme of delegation in bulk: read it from CSV or YAML, check every row, write it in one transaction, and
write the current scheme back out in the same format."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.delegation import ensure_may_grant
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.money import format_amount
from bot.domain.proposals import Category
from bot.domain.scheme import Authority, check_period, parse_day, parse_grant
from bot.domain.text import cut
from bot.services.authority import category_named
from bot.services.scheme_files import REQUIRED, CannotImport, RawRow, is_user_id
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True)
class Planned:
    """A row's authority, with its organisation's name and its category."""

    row: int
    organisation: str
    category: Category
    authority: Authority


@dataclass(frozen=True)
class Problem:
    """Everything wrong with one row."""

    row: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """What an import would do: the good rows (none if any row has problems), and the problems."""

    team_id: str
    rows: int
    limits: list[Planned]
    problems: list[Problem]



def _workspace(uow: UnitOfWork, team_id: str | None) -> tuple[int, str]:
    if team_id:
        if (workspace_id := uow.workspaces.find(team_id)) is None:
            raise CannotImport(f"the database has no workspace with Slack team id {team_id}")
        return workspace_id, team_id
    found = uow.workspaces.all()
    if len(found) == 1:
        return found[0][0], found[0][1]
    if not found:
        raise CannotImport("the database has no workspace yet; set up a board in Slack first")
    teams = ", ".join(team for _, team in found)
    raise CannotImport(f"the database holds {len(found)} workspaces ({teams}); pass --team with one of them")


class _Checker:
    """Checks rows against one workspace's organisations, board members and categories."""

    def __init__(self, uow: UnitOfWork, workspace_id: int, default_by: str | None):
        self.uow, self.workspace_id, self.default_by = uow, workspace_id, default_by
        self.categories = uow.categories.for_workspace(workspace_id)
        self.seats: dict[int, set[str]] = defaultdict(set)
        self.sits_for: dict[str, set[str]] = defaultdict(set)
        for org_id, name, user in uow.organisations.seated(workspace_id):
            self.seats[org_id].add(user)
            self.sits_for[user].add(name)

    def check(self, row: RawRow) -> tuple[list[str], Planned | None]:
        """The row's problems, and the authority it sets once organisation, user, category and dates are sound."""
        v, reasons = row.values, list(row.problems)
        if missing := [name for name in REQUIRED if not v.get(name)]:
            reasons.append(f"missing {', '.join(missing)}")
        org = self._organisation(v.get("organisation"), reasons)
        user = v.get("user")
        if user and not is_user_id(user):
            reasons.append(f"user \"{cut(user, 40)}\" is not a Slack user id (like U0123ABCD)")
        elif user and org is not None and user not in self.seats[org.id]:
            elsewhere = sorted(self.sits_for[user])
            reasons.append(f"{user} is not on any board for {org.name}"
                           + (f" (they sit for {', '.join(elsewhere)})" if elsewhere else ""))
        category, grant = self._category(v.get("category"), reasons), None
        money = category is not None and category.kind == "money"
        if category is not None and v.get("limit"):
            try:
                grant = parse_grant(v["limit"], money=money)
            except InvalidValue as exc:
                hint = " (or unlimited, or none)" if money and "unlimited" not in exc.message else ""
                reasons.append(f"limit \"{cut(v['limit'], 40)}\" does not work for {category.key}: "
                               f"{exc.message[:1].lower()}{exc.message[1:].rstrip('.')}{hint}")
        starts, ends = _day(v, "valid_from", reasons), _day(v, "valid_until", reasons)
        if starts and ends:
            try:
                check_period(starts, ends)
            except InvalidValue:
                reasons.append(f"valid_until {ends} is before valid_from {starts}")
                starts = None
        by = v.get("granted_by") or self.default_by
        if not by:
            reasons.append("no granted_by: give it in the file or with --by")
        elif not is_user_id(by):
            reasons.append(f"granted_by \"{cut(by, 40)}\" is not a Slack user id (like U0123ABCD)")
        if None in (org, category, starts) or not is_user_id(user or "") or (v.get("valid_until") and not ends):
            return reasons, None
        if grant is not None and by == user:
            try:
                ensure_may_grant(actor_id=by, target_id=user, new=grant, money=money,
                                 current=self.uow.authorities.current(org.id, user, category.key, on=starts))
            except NotAllowed:
                reasons.append(f"{user} cannot raise their own authority (granted_by is the same person)")
        grant_values = {"amount_pence": grant.amount_pence, "unlimited": grant.unlimited,
                        "allowed": grant.allowed} if grant else {}
        return reasons, Planned(row.number, org.name, category, Authority(
            user_id=user, organisation_id=org.id, category=category.key, valid_from=starts, valid_until=ends,
            granted_by=by or "", **grant_values))

    def _organisation(self, name: str | None, reasons: list[str]):
        org = self.uow.organisations.find(self.workspace_id, name) if name else None
        if name and org is None:
            reasons.append(f"unknown organisation \"{cut(name, 80)}\"")
        return org

    def _category(self, name: str | None, reasons: list[str]) -> Category | None:
        try:
            return category_named(self.categories, name) if name else None
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


def _clashes(checked: list[tuple[list[str], Planned | None]]) -> None:
    """Add to each row's reasons the earlier row it repeats or whose dates it overlaps, if any."""
    earlier: dict[tuple[int, str, str], list[Planned]] = defaultdict(list)
    for reasons, planned in checked:
        if planned is None:
            continue
        a = planned.authority
        same = earlier[(a.organisation_id, a.user_id, a.category)]
        for other in same:
            b = other.authority
            if b.valid_from == a.valid_from:
                reasons.append(f"repeats row {other.row} (same organisation, user, category and valid_from)")
                break
            if b.valid_from <= (a.valid_until or date.max) and a.valid_from <= (b.valid_until or date.max):
                until = f" until {b.valid_until}" if b.valid_until else ", open-ended"
                reasons.append(f"dates overlap row {other.row} (from {b.valid_from}{until}) for the same "
                               "organisation, user and category")
                break
        same.append(planned)


def _plan(uow: UnitOfWork, team_id: str | None, rows: list[RawRow], default_by: str | None) -> Plan:
    workspace_id, team = _workspace(uow, team_id)
    checker = _Checker(uow, workspace_id, default_by)
    checked = [checker.check(row) for row in rows]
    _clashes(checked)
    problems = [Problem(row.number, tuple(reasons)) for row, (reasons, _) in zip(rows, checked, strict=True) if reasons]
    good = [planned for _, planned in checked if planned is not None] if not problems else []
    return Plan(team, len(rows), good, problems)


def check_rows(db: Database, *, team_id: str | None, rows: list[RawRow], default_by: str | None) -> Plan:
    """Check every row against the workspace (the only one, when `team_id` is None): a plan and its problems."""
    with db.read() as uow:
        return _plan(uow, team_id, rows, default_by)


def apply(db: Database, *, team_id: str | None, rows: list[RawRow], default_by: str | None, now: datetime) -> Plan:
    """Check the rows again and, only if every one is good, record them all in one transaction with audit events.

    The check runs inside the writing transaction, so a member removed since a dry run is caught, not written.
    """
    with db.uow() as uow:
        plan = _plan(uow, team_id, rows, default_by)
        if plan.problems:
            return plan
        for item in plan.limits:
            a = uow.authorities.put(item.authority, by=item.authority.granted_by, at=now)
            uow.audit.append(actor=a.granted_by, action="authority.set", at=now, payload={
                "team": plan.team_id, "user": a.user_id, "organisation": item.organisation, "category": a.category,
                "limit": a.describe(money=item.category.kind == "money"), "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None, "version": a.version,
                "source": "import"})
        uow.commit()
        return plan


def _limit(a: Authority, kind: str) -> str:
    if kind != "money":
        return "yes" if a.allowed else "no"
    return "unlimited" if a.unlimited else format_amount(a.amount_pence) if a.amount_pence else "none"


def export_rows(db: Database, *, team_id: str | None) -> list[dict[str, str]]:
    """The workspace's current scheme (the only workspace, when `team_id` is None) as rows in the import format."""
    with db.read() as uow:
        workspace_id, _ = _workspace(uow, team_id)
        kinds = {c.key: c.kind for c in uow.categories.for_workspace(workspace_id)}
        scheme = uow.authorities.of_workspace(workspace_id)
    scheme.sort(key=lambda item: (item[0].casefold(), item[1].user_id, item[1].category, item[1].valid_from))
    return [{"organisation": org, "user": a.user_id, "category": a.category,
             "limit": _limit(a, kinds.get(a.category, "money" if a.unlimited or a.amount_pence else "yes_no")),
             "valid_from": a.valid_from.isoformat(), "valid_until": a.valid_until.isoformat() if a.valid_until else "",
             "granted_by": a.granted_by} for org, a in scheme]

