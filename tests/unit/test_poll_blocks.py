"""The poll message stays inside Block Kit's limits and never leaks names from a secret ballot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role
from bot.domain.decisions import Outcome, Position, Quorum, Result, Vote, decide, tally
from bot.domain.proposals import Proposal, Status
from bot.domain.snapshot import PollSnapshot
from prompts.blocks.polls import outcome_message, poll_message
from prompts.register import register_row

NOW = datetime(2026, 11, 23, 9, 0)
ORDER = [Position.AGREE, Position.OBJECT, Position.ABSTAIN, Position.RESERVATIONS]


def snapshot(voters: int, *, secret=False, closed=False, title="Pathology <!channel> & more") -> PollSnapshot:
    members = [Member(f"U{i:04d}", f"Org {i % 40}", Role.MEMBER) for i in range(voters)]
    board = Board(1, "Finance Directors", BoardKind.PEER_NETWORK, CollaborationType.INFORMAL, "C1",
                  "Europe/London", DecisionRule.MAJORITY, members)
    votes = [Vote(m.user_id, m.organisation, ORDER[i % 4], NOW, "Costs unclear " * 20) for i, m in
             enumerate(members)]
    proposal = Proposal(7, title, "Why: " + "x" * 2400, "finance", 120_000_000, DecisionRule.MAJORITY,
                        Fraction(2, 3), Quorum(count=1), secret, False, False, "U0000", NOW + timedelta(days=3),
                        Status.CLOSED if closed else Status.OPEN, votes)
    t = tally(votes, proposal.eligible(board))
    result = decide(DecisionRule.MAJORITY, t, quorum=proposal.quorum) if closed else None
    return PollSnapshot(board, proposal, t, result, "CB-2026-001" if closed else None,
                        result.outcome if result else None, "C1", "1.1", None, NOW if closed else None,
                        "Finance", False)


def within_limits(content: dict) -> None:
    assert len(content["blocks"]) <= 50
    for block in content["blocks"]:
        text = block.get("text", {})
        if block["type"] == "section":
            assert len(text["text"]) <= 3000
        if block["type"] == "header":
            assert len(text["text"]) <= 150


def test_a_poll_with_a_thousand_voters_fits_block_kit():
    for closed in (False, True):
        within_limits(poll_message(snapshot(1000, closed=closed)))
    within_limits(outcome_message(snapshot(1000, closed=True)))


def test_user_text_is_escaped_wherever_slack_reads_mrkdwn():
    content = poll_message(snapshot(3))
    mrkdwn = [content["text"]] + [b["text"]["text"] for b in content["blocks"] if b["type"] == "section"]
    assert not any("<!channel>" in t for t in mrkdwn)
    assert "&lt;!channel&gt; &amp; more" in content["text"]


def test_a_secret_ballot_never_names_a_voter():
    snap = snapshot(8, secret=True, closed=True)
    for content in (poll_message(snap), outcome_message(snap), register_row(snap)):
        dumped = json.dumps(content)
        assert not any(f"U{i:04d}" in dumped for i in range(1, 8))
    assert snap.result.outcome in (Outcome.AGREED, Outcome.NOT_AGREED)


def test_a_closed_poll_has_no_buttons_and_shows_its_number():
    content = poll_message(snapshot(4, closed=True))
    assert not [b for b in content["blocks"] if b["type"] == "actions"]
    assert "CB-2026-001" in content["blocks"][0]["text"]["text"]


def test_an_open_poll_offers_every_position():
    content = poll_message(snapshot(4))
    labels = [e["text"]["text"] for b in content["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels[:5] == ["Agree", "Agree with reservations", "Stand aside", "Object", "Abstain"]
    assert isinstance(Result, type)
