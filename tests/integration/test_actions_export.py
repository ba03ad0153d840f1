"""`collab-bot export actions`: a board's open actions as CSV for UK spreadsheets, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from bot.domain.errors import NotFound
from bot.services import actions
from prompts.actions_csv import write_actions_csv
from prompts.csv_export import BOM
from tests.integration.test_actions import NOW, board_with_round, create


def exported(db, now=NOW) -> list[dict[str, str]]:
    found = actions.board_actions(db, board_name="North Finance Network", now=now)
    out = io.StringIO()
    write_actions_csv(found.actions, found.today, out, {"U2": "Sam Patel"})
    assert out.getvalue().startswith(BOM), "UTF-8 with a byte-order mark, for spreadsheets"
    return list(csv.DictReader(io.StringIO(out.getvalue().removeprefix(BOM))))


def test_open_actions_export_with_uk_dates_and_days_until_due(db):
    _, round_id = board_with_round(db)
    create(db, round_id, title="Agree the MoU", due_on=date(2026, 12, 28))
    create(db, round_id, title="-Refresh the risk register", owner="U3", due_on=date(2026, 12, 7))
    rows = exported(db)
    assert [r["Action"] for r in rows] == ["'-Refresh the risk register", "Agree the MoU"]
    mou = rows[1]
    assert (mou["Owner"], mou["Due"], mou["Due (ISO 8601)"]) == ("Sam Patel (U2)", "28/12/2026", "2026-12-28")
    assert (mou["Days until due"], mou["Status"]) == ("28", "open")


def test_an_overdue_action_counts_its_days_as_a_negative_number(db):
    _, round_id = board_with_round(db)
    create(db, round_id, due_on=date(2026, 12, 7))
    [row] = exported(db, now=NOW + timedelta(days=10))
    assert (row["Days until due"], row["Status"]) == ("-3", "overdue")


def test_a_board_that_is_not_there_is_named_in_the_refusal(db):
    board_with_round(db)
    with pytest.raises(NotFound, match="No single board is called 'Nowhere'"):
        actions.board_actions(db, board_name="Nowhere", now=NOW)
