"""The weekly digest stays inside Block Kit's limits however busy the board, and never names a secret voter."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule
from bot.domain.decisions import Outcome
from bot.domain.digest import Decided, Digest, DueReview, OpenAction, OpenPoll
from prompts.blocks.digest import digest_message

NOW = datetime(2026, 11, 30, 9, 0)
LONG = "Joint procurement of pathology analysers across the collaborative <!channel> & more " * 3


def board() -> Board:
    return Board(1, "North East Finance Directors", BoardKind.PEER_NETWORK, CollaborationType.INFORMAL, "C1",
                 "Europe/London", DecisionRule.CONSENSUS)


def busy(items: int, *, secret: bool = False) -> Digest:
    polls = [OpenPoll(f"{LONG} {i}", NOW + timedelta(days=i % 10), f"1.{i:06d}", 400,
                      () if secret else tuple(f"U{n:08d}" for n in range(300)), 300, secret) for i in range(items)]
    decided = [Decided(f"CB-2026-{i:03d}", f"{LONG} {i}", Outcome.AGREED, f"2.{i:06d}") for i in range(items)]
    reviews = [DueReview(f"{LONG} review {i}", NOW + timedelta(days=i % 7)) for i in range(items)]
    actions = [OpenAction(f"Action {i}: {LONG}", f"UOWNER{i}", date(2026, 11, 16) + timedelta(days=i), i < 14)
               for i in range(items)]
    return Digest(board(), date(2026, 11, 30), polls, polls[: items // 2], decided, reviews, actions)


def test_a_digest_with_200_items_of_each_kind_stays_within_block_kit_limits():
    content = digest_message(busy(200))
    assert len(content["blocks"]) <= 50
    for block in content["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
    assert len(content["text"]) <= 3000
    assert "more." in json.dumps(content), "it says how much it left out"


def test_a_digest_escapes_what_members_typed():
    assert "<!channel>" not in json.dumps(digest_message(busy(3)))


def test_a_secret_ballot_in_the_digest_gives_a_count_and_no_names():
    content = json.dumps(digest_message(busy(2, secret=True)))
    assert "300 of 400 yet to vote (secret ballot)" in content and "U00000001" not in content


def test_an_empty_week_says_so_plainly():
    quiet = Digest(board(), date(2026, 11, 30), [], [], [], [])
    text = json.dumps(digest_message(quiet))
    assert "No polls are open." in text and "No decisions last week." in text


def test_the_digest_counts_open_and_overdue_actions_and_shows_the_first_few():
    text = json.dumps(digest_message(busy(200)))
    assert "Open actions (200, 14 overdue)" in text and "195 more" in text and "/collab actions" in text
    assert text.index("Action 0:") < text.index("Action 4:") and "Action 5:" not in text
    assert "200 open actions (14 overdue)" in digest_message(busy(200))["text"]


def test_a_week_with_no_open_actions_says_so():
    assert "No open actions." in json.dumps(digest_message(Digest(board(), date(2026, 11, 30), [], [], [], [])))
