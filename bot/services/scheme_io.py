"""A scheme of delegation in bulk: read it from CSV or YAML, check every row, write it in one transaction, and
write the current scheme back out in the same format. Rows stream through: a file of 400,000 rows is never held
whole, and progress is reported every 50,000."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.events_delegation import AuthoritySet
from bot.domain.money import format_amount
from bot.domain.scheme import Authority
from bot.services.scheme_files import CannotImport, RawRow
from bot.services.scheme_rows import Checker, Clashes, Planned
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

Progress = Callable[[str], None]
PROGRESS_EVERY = 50_000
BATCH = 2_000
SHOWN = 1_000  # good rows kept to list in a dry run


@dataclass(frozen=True)
class Problem:
    """Everything wrong with one row."""

    row: int
    reasons: tuple[str, ...]


@dataclass
class Plan:
    """What an import would do: how many good rows for how many people and organisations, the first few of them
    to show (none if any row has problems), and every problem."""

    team_id: str
    rows: int
    limits: list[Planned]
    problems: list[Problem]
    count: int = 0
    people: int = 0
    organisations: int = 0



def _workspace(uow: AbstractUnitOfWork, team_id: str | None) -> tuple[int, str]:
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


def _check_all(uow: AbstractUnitOfWork, team_id: str | None, source: Iterable[RawRow], default_by: str | None,
               progress: Progress | None, every: int) -> tuple[Plan, Checker]:
    """One pass over the rows: every problem, the first good rows to show, and counts; nothing held per row but
    what finding repeats and overlaps needs."""
    workspace_id, team = _workspace(uow, team_id)
    checker, clashes = Checker(uow, workspace_id, default_by), Clashes()
    plan = Plan(team, 0, [], [])
    people: set[str] = set()
    organisations: set[int] = set()
    for row in source:
        plan.rows += 1
        reasons, planned = checker.check(row)
        if planned is not None:
            clashes.check(planned, reasons)
        if reasons:
            plan.problems.append(Problem(row.number, tuple(reasons)))
        elif planned is not None:
            plan.count += 1
            people.add(planned.authority.user_id)
            organisations.add(planned.authority.organisation_id)
            if len(plan.limits) < SHOWN:
                plan.limits.append(planned)
        if progress and plan.rows % every == 0:
            progress(f"checked {plan.rows:,} rows, {len(plan.problems):,} with problems so far")
    plan.people, plan.organisations = len(people), len(organisations)
    if plan.problems:
        plan.limits.clear()
    return plan, checker


def check_rows(db: AbstractDatabase, *, team_id: str | None, rows: Iterable[RawRow], default_by: str | None,
               progress: Progress | None = None, every: int = PROGRESS_EVERY) -> Plan:
    """Check every row against the workspace (the only one, when `team_id` is None): a plan and its problems."""
    with db.read() as uow:
        return _check_all(uow, team_id, rows, default_by, progress, every)[0]


def apply(db: AbstractDatabase, *, team_id: str | None, rows: Iterable[RawRow], default_by: str | None, now: datetime,
          progress: Progress | None = None, every: int = PROGRESS_EVERY) -> Plan:
    """Check the rows and, only if every one is good, read them again and record them all in one transaction, in
    batches, with an audit event each. `rows` is read twice (a RowSource reads its file afresh each time).

    The check runs inside the writing transaction, so a member removed since a dry run is caught, not written.
    """
    with db.uow() as uow:
        plan, checker = _check_all(uow, team_id, rows, default_by, progress, every)
        if plan.problems:
            return plan
        written, batch = 0, list[Planned]()
        for row in rows:
            reasons, planned = checker.check(row)
            if reasons or planned is None or written + len(batch) >= plan.count:
                raise CannotImport(f"the file changed while it was being imported (at row {row.number}); nothing "
                                   "was written")
            batch.append(planned)
            if len(batch) == BATCH:
                written = _write(uow, plan, batch, now=now, written=written, progress=progress, every=every)
        if _write(uow, plan, batch, now=now, written=written, progress=progress, every=every) != plan.count:
            raise CannotImport("the file changed while it was being imported; nothing was written")
        uow.commit()
        return plan


def _write(uow: AbstractUnitOfWork, plan: Plan, batch: list[Planned], *, now: datetime, written: int,
           progress: Progress | None, every: int) -> int:
    """Record a batch of good rows and their audit events; how many are written so far."""
    saved = uow.authorities.put_many([item.authority for item in batch], at=now)
    for item, a in zip(batch, saved, strict=True):
        uow.record(AuthoritySet(now, a.granted_by, a.user_id, item.organisation, a.organisation_id, a.category,
                                a.describe(money=item.category.is_money), a.valid_from, a.valid_until,
                                a.version, "import", team=plan.team_id))
    uow.flush()
    done = written + len(batch)
    for reached in range((written // every + 1) * every, done + 1, every):
        if progress:
            progress(f"wrote {reached:,} of {plan.count:,} limits")
    batch.clear()
    return done


def _limit(a: Authority, *, money: bool) -> str:
    if not money:
        return "yes" if a.allowed else "no"
    return "unlimited" if a.unlimited else format_amount(a.amount_pence) if a.amount_pence else "none"


def export_rows(db: AbstractDatabase, *, team_id: str | None) -> list[dict[str, str]]:
    """The workspace's current scheme (the only workspace, when `team_id` is None) as rows in the import format."""
    with db.read() as uow:
        workspace_id, _ = _workspace(uow, team_id)
        money = {c.key: c.is_money for c in uow.categories.for_workspace(workspace_id)}
        scheme = uow.authorities.of_workspace(workspace_id)
    scheme.sort(key=lambda item: (item[0].casefold(), item[1].user_id, item[1].category, item[1].valid_from))
    return [{"organisation": org, "user": a.user_id, "category": a.category,
             "limit": _limit(a, money=money.get(a.category, bool(a.unlimited or a.amount_pence))),
             "valid_from": a.valid_from.isoformat(), "valid_until": a.valid_until.isoformat() if a.valid_until else "",
             "granted_by": a.granted_by} for org, a in scheme]

