"""Every time a person reads is in the board's own time zone, named by its abbreviation, never a bare "UTC"."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.escalation import Waiting
from bot.domain.times import local_day, local_time
from bot.services import boards, rounds
from prompts.blocks.checklist_replies import round_opened
from prompts.blocks.escalations import escalation_list
from prompts.blocks.polls import poll_message
from tests.fakes import FakeDatabase
from tests.unit.test_escalation import opened
from tests.unit.test_poll_blocks import snapshot

WINTER = datetime(2026, 11, 30, 22, 0)  # naive UTC
SUMMER = datetime(2026, 7, 1, 5, 33)


@pytest.mark.parametrize(("zone", "moment", "shown"), [
    ("Europe/London", WINTER, "Mon 30 Nov 2026 22:00 GMT"),
    ("Europe/London", SUMMER, "Wed 1 Jul 2026 06:33 BST"),
    ("America/New_York", WINTER, "Mon 30 Nov 2026 17:00 EST"),
    ("America/New_York", SUMMER, "Wed 1 Jul 2026 01:33 EDT"),
    ("UTC", SUMMER, "Wed 1 Jul 2026 05:33 UTC"),
    ("Asia/Dubai", SUMMER, "Wed 1 Jul 2026 09:33 UTC+04"),
])
def test_a_time_reads_in_the_boards_zone_with_its_abbreviation(zone, moment, shown):
    assert local_time(moment, zone) == shown


def test_a_day_is_the_boards_calendar_day_not_utcs():
    assert local_day(datetime(2026, 12, 1, 2, 0), "America/New_York") == "Mon 30 Nov 2026"


def test_a_poll_in_a_new_york_board_closes_in_new_york_time():
    snap = snapshot(3)
    snap = replace(snap, board=replace(snap.board, timezone="America/New_York"),
                   proposal=replace(snap.proposal, closes_at=WINTER))
    text = json.dumps(poll_message(snap))
    assert "Mon 30 Nov 2026 17:00 EST" in text and "UTC" not in text and "<!date" not in text


def test_each_sign_off_request_is_listed_in_its_own_boards_zone():
    e = replace(opened(), due_at=WINTER)
    text = json.dumps(escalation_list([Waiting(e, "Pathology", "C1", None, "America/New_York")],
                                      [Waiting(e, "Estates", "C2", None, "Europe/London")]))
    assert "answer by Mon 30 Nov 2026 17:00 EST" in text and "answer by Mon 30 Nov 2026 22:00 GMT" in text


def board_in(timezone: str, now: datetime) -> FakeDatabase:
    db = FakeDatabase(now)
    boards.setup_board(db, team_id="T1", channel_id="C1", actor="UCHAIR", name="Atlantic Network",
                       kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                       timezone=timezone, default_rule=DecisionRule.CONSENSUS, organisation="Leeds",
                       role=Role.CHAIR, now=now)
    return db


def round_closing_on(timezone: str, day: date, now: datetime):
    """A round opened on a board in `timezone` to close on `day`: the round, its template and how many invited."""
    return rounds.open_round(board_in(timezone, now), team_id="T1", channel_id="C1", actor="UCHAIR",
                             template_id=None, closes_at=None, closes_on=day, now=now)


@pytest.mark.parametrize(("zone", "now", "day", "closes_at"), [
    ("America/New_York", datetime(2026, 11, 30, 10, 0), date(2026, 12, 4), datetime(2026, 12, 4, 22, 0)),  # EST
    ("Europe/London", datetime(2026, 6, 1, 10, 0), date(2026, 6, 5), datetime(2026, 6, 5, 16, 0)),  # BST
])
def test_a_round_given_a_closing_day_closes_at_five_in_the_boards_zone_not_the_bots(zone, now, day, closes_at):
    r, _, _ = round_closing_on(zone, day, now)
    assert r.closes_at == closes_at


def test_the_chair_is_told_a_rounds_closing_in_board_time_not_utc():
    r, template, invited = round_closing_on("America/New_York", date(2026, 12, 4), datetime(2026, 11, 30, 10, 0))
    text = round_opened(template, r, invited, date(2026, 12, 4))["text"]
    assert "It closes at 17:00 board time on Friday 4 December 2026." in text and "UTC" not in text
