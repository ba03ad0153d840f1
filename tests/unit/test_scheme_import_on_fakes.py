"""Importing and exporting a scheme of delegation through the services, on the in-memory unit of work: every row
checked before any is written, versions kept, and the export in the import's own format. The workspace is the one
tests/integration/test_authority_import.py sets up (`scheme_db`), on the fake."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest

from bot.services import scheme_io
from bot.services.audit import verify_audit
from bot.services.scheme_files import CannotImport, RawRow, open_rows, write_rows
from tests.fakes import FakeDatabase
from tests.integration.test_authority_import import scheme_db as scheme_db
from tests.integration.test_boards import CHAIR, NOW, TEAM

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD, TEN_ERRORS = open_rows(FIXTURES / "scheme_good.csv"), open_rows(FIXTURES / "scheme_ten_errors.csv")
COLUMNS = ("organisation", "user", "category", "limit", "valid_from", "valid_until", "granted_by")


@pytest.fixture
def db() -> FakeDatabase:
    """The fake database in place of the migrated one, under the integration tests' `scheme_db`."""
    return FakeDatabase(NOW)


def rows(*lines: str) -> list[RawRow]:
    return [RawRow(n, dict(zip(COLUMNS, line.split(","), strict=True))) for n, line in enumerate(lines, start=2)]


def apply(db: FakeDatabase, source: Iterable[RawRow], *, by: str | None = CHAIR) -> scheme_io.Plan:
    return scheme_io.apply(db, team_id=TEAM, rows=source, default_by=by, now=NOW)


def limits(db: FakeDatabase, *of: str) -> list[tuple]:
    """Every current limit (of one user and category, if given), as the workspace's scheme lists them."""
    with db.read() as uow:
        return [(a.user_id, a.category, a.amount_pence, a.unlimited, a.allowed, a.version, a.granted_by,
                 a.valid_from, a.valid_until) for _, a in uow.authorities.of_workspace(1)
                if not of or (a.user_id, a.category) == of]


def imported(db: FakeDatabase) -> list[dict]:
    return [payload for _, action, payload in db.store.audit if action == "authority.set"]


def test_a_file_with_errors_is_checked_whole_and_nothing_is_written(scheme_db):
    plan = apply(scheme_db, TEN_ERRORS)
    assert (plan.rows, len(plan.problems), plan.limits) == (15, 10, [])
    assert plan.problems[0].row == 3 and 'unknown organisation "Leeds Teaching Hosptials"' in plan.problems[0].reasons
    assert limits(scheme_db) == [] and imported(scheme_db) == []


def test_a_dry_run_plans_every_good_row_and_writes_nothing(scheme_db):
    plan = scheme_io.check_rows(scheme_db, team_id=None, rows=GOOD, default_by=CHAIR)
    assert (plan.count, plan.people, plan.organisations, plan.problems) == (9, 6, 3, [])
    assert limits(scheme_db) == []


def test_the_import_writes_every_row_with_who_granted_it_and_an_event_each(scheme_db):
    assert apply(scheme_db, GOOD).count == 9
    assert [row[:7] for row in limits(scheme_db, "UCHAIR", "finance")] == [
        ("UCHAIR", "finance", 120_000_000, False, False, 1, "UCHAIR2")]  # another board's chair
    assert [row[:7] for row in limits(scheme_db, "U0WAKE01", "finance")] == [
        ("U0WAKE01", "finance", None, True, False, 1, CHAIR)]  # granted_by from the default
    events = imported(scheme_db)
    assert len(events) == 9 and all(e["source"] == "import" for e in events)
    assert events[0] == {"team": TEAM, "user": "U0LEEDS01", "organisation": "Leeds Teaching Hospitals",
                         "organisation_id": 1, "category": "finance", "limit": "up to £250,000",
                         "valid_from": "2027-04-01", "valid_until": "2028-03-31", "version": 1, "source": "import"}
    assert verify_audit(scheme_db).intact


def test_importing_a_later_period_keeps_the_old_version_in_force_until_then(scheme_db):
    apply(scheme_db, GOOD)
    apply(scheme_db, rows("Wakefield Council,U0WAKE01,finance,1m,2027-10-01,,UCHAIR"), by=None)
    assert [(v, unlimited, pence, start, end) for _, _, pence, unlimited, _, v, _, start, end
            in limits(scheme_db, "U0WAKE01", "finance")] == [
        (2, True, None, date(2027, 4, 1), date(2027, 9, 30)), (3, False, 100_000_000, date(2027, 10, 1), None)]


def test_only_a_chair_or_secretary_of_a_board_the_organisation_sits_on_may_grant(scheme_db):
    grant = rows("Kirklees Council,U0KIRK01,finance,5k,2027-04-01,,U0WAKE01")
    plan = scheme_io.check_rows(scheme_db, team_id=TEAM, rows=grant, default_by=None)
    assert len(plan.problems) == 1 and plan.count == 0


def test_export_round_trips_through_import(scheme_db):
    apply(scheme_db, GOOD)
    first = scheme_io.export_rows(scheme_db, team_id=TEAM)
    assert apply(scheme_db, [RawRow(n, row) for n, row in enumerate(first, start=2)], by=None).count == 9
    assert scheme_io.export_rows(scheme_db, team_id=TEAM) == first
    out = io.StringIO()
    write_rows(first, out, fmt="csv")
    assert out.getvalue().lstrip("\ufeff").splitlines()[0] == ",".join(COLUMNS)


def test_an_unknown_workspace_cannot_be_imported_into(scheme_db):
    with pytest.raises(CannotImport, match="no workspace with Slack team id T9"):
        scheme_io.check_rows(scheme_db, team_id="T9", rows=[], default_by=CHAIR)
