"""A scheme of delegation in bulk: read it from CSV or YAML, check every row, write it in one transaction, and
write the current scheme back out in the same format."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import yaml
from sqlalchemy import select

from bot.domain.delegation import ensure_may_grant
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.money import format_amount
from bot.domain.proposals import Category
from bot.domain.scheme import Authority, check_period, parse_day, parse_grant
from bot.domain.text import clean, cut
from bot.services.authority import category_named
from storage.models import MemberRow, Workspace
from storage.models import Organisation as OrganisationRow
from storage.uow import Database, UnitOfWork

COLUMNS = ("organisation", "user", "category", "limit", "valid_from", "valid_until", "granted_by")
REQUIRED = COLUMNS[:5]
USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}", re.ASCII)
TIMESTAMP, BOOL = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run a cell starting so as a formula


class CannotImport(Exception):
    """The file or the workspace cannot be used at all; the message is one line."""


@dataclass(frozen=True)
class RawRow:
    """One row as the file has it: its number (CSV line, or YAML item), its values and any reading problems."""

    number: int
    values: dict[str, str]
    problems: tuple[str, ...] = ()


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


def is_user_id(text: str) -> bool:
    """Whether `text` looks like a Slack user id (U0123ABCD, or W... on Enterprise Grid)."""
    return USER_ID.fullmatch(text) is not None


def read_rows(path: Path) -> list[RawRow]:
    """The rows of a .csv, .yaml or .yml file; CannotImport when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise CannotImport(f"{path}: give a .csv, .yaml or .yml file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CannotImport(f"there is no file {path}") from None
    except IsADirectoryError:
        raise CannotImport(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise CannotImport(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CannotImport(f"{path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    rows = _csv_rows(text, path) if suffix == ".csv" else _yaml_rows(text, path)
    if not rows:
        raise CannotImport(f"{path} holds no limits")
    return rows


def _column(name: str) -> str:
    return "_".join(clean(name).lower().split())


def _csv_rows(text: str, path: Path) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows, last = [], 0
    try:
        for record in reader:
            line, last = last + 1, reader.line_num  # a quoted cell may span lines: number rows by their first
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _header(record, path)
                continue
            cells = [(name, _unquote(clean(cell))) for name, cell in zip(header, record, strict=False)]
            extra = any(cell.strip() for cell in record[len(header):]) or any(v for n, v in cells if not n)
            problems = (f"{len(record)} values but the header names {len(header)} columns",) if extra else ()
            rows.append(RawRow(line, {name: value for name, value in cells if name and value}, problems))
    except csv.Error as exc:
        raise CannotImport(f"{path} line {reader.line_num} is not valid CSV: {exc}") from None
    if header is None:
        raise CannotImport(f"{path} is empty")
    return rows


def _header(record: list[str], path: Path) -> list[str]:
    header, names = [_column(cell) for cell in record], ", ".join(COLUMNS)
    if not set(header) & set(COLUMNS):
        raise CannotImport(f"{path} has no header line; its first line must name the columns: {names}")
    unknown = [name for name in header if name and name not in COLUMNS]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    missing = [name for name in REQUIRED if name not in header]
    if unknown:
        raise CannotImport(f"{path}: unknown column \"{cut(unknown[0], 40)}\" in the header (the columns are {names})")
    if repeated or missing:
        lacking = (", ".join(missing[:-1]) + " or " if missing[1:] else "") + (missing[-1] if missing else "")
        trouble = f"names {repeated[0]} twice" if repeated else f"has no {lacking} column"
        raise CannotImport(f"{path}: the header {trouble} (the columns are {names})")
    return header


def _unquote(cell: str) -> str:
    """A cell as export wrote it: the quote that kept a spreadsheet from running it as a formula removed."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates and yes/no stay text: a bad date is then one row's problem, not the file's."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (TIMESTAMP, BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml_rows(text: str, path: Path) -> list[RawRow]:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except ValueError as exc:
        raise CannotImport(f"{path} is not valid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise CannotImport(f"{path}{where} is not valid YAML: {reason}") from None
    if data is None:
        raise CannotImport(f"{path} is empty")
    if not isinstance(data, list):
        raise CannotImport(f"{path} must hold a list of limits, one item per person, category and period")
    return [_yaml_row(number, item) for number, item in enumerate(data, start=1)]


def _yaml_row(number: int, item: object) -> RawRow:
    if not isinstance(item, dict):
        return RawRow(number, {}, (f"is not a set of keys (give {', '.join(COLUMNS)})",))
    values, problems = {}, []
    for key, value in item.items():
        name = _column(str(key))
        if name not in COLUMNS:
            problems.append(f"unknown key \"{cut(str(key), 40)}\" (the keys are {', '.join(COLUMNS)})")
        elif isinstance(value, (list, dict)):
            problems.append(f"{name} must be one value, not a list or set of keys")
        elif value is not None and (text := clean(str(value))):
            values[name] = text
    return RawRow(number, values, tuple(problems))


def _workspace(uow: UnitOfWork, team_id: str | None) -> tuple[int, str]:
    if team_id:
        if (workspace_id := uow.workspaces.find(team_id)) is None:
            raise CannotImport(f"the database has no workspace with Slack team id {team_id}")
        return workspace_id, team_id
    found = uow.session.execute(select(Workspace.id, Workspace.team_id).order_by(Workspace.team_id)).all()
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
        for org_id, name, user in uow.session.execute(
                select(MemberRow.organisation_id, OrganisationRow.name, MemberRow.user_id).distinct()
                .join(OrganisationRow, OrganisationRow.id == MemberRow.organisation_id)
                .where(OrganisationRow.workspace_id == workspace_id)):
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


def check_rows(db: Database, *, team_id: str | None, rows: list[RawRow], default_by: str | None) -> Plan:
    """Check every row against the workspace (the only one, when `team_id` is None): a plan and its problems."""
    with db.read() as uow:
        workspace_id, team = _workspace(uow, team_id)
        checker = _Checker(uow, workspace_id, default_by)
        checked = [checker.check(row) for row in rows]
    _clashes(checked)
    problems = [Problem(row.number, tuple(reasons)) for row, (reasons, _) in zip(rows, checked, strict=True) if reasons]
    good = [planned for _, planned in checked if planned is not None] if not problems else []
    return Plan(team, len(rows), good, problems)


def apply(db: Database, *, plan: Plan, now: datetime) -> list[Authority]:
    """Record every limit of a plan without problems in one transaction, each with an audit event."""
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    saved = []
    with db.uow() as uow:
        for item in plan.limits:
            a = uow.authorities.put(item.authority, by=item.authority.granted_by, at=now)
            uow.audit.append(actor=a.granted_by, action="authority.set", at=now, payload={
                "team": plan.team_id, "user": a.user_id, "organisation": item.organisation, "category": a.category,
                "limit": a.describe(money=item.category.kind == "money"), "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None, "version": a.version,
                "source": "import"})
            saved.append(a)
        uow.commit()
    return saved


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


def write_rows(rows: list[dict[str, str]], out: TextIO, *, fmt: str) -> None:
    """Write rows from `export_rows` as CSV (with a header) or YAML (a list), just as `read_rows` reads them."""
    if fmt == "yaml":
        yaml.safe_dump([{k: v for k, v in row.items() if v} for row in rows], out, sort_keys=False,
                       allow_unicode=True, default_flow_style=False)
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("'" + v if v[:1] in FORMULA_STARTS else v) for k, v in row.items()})
