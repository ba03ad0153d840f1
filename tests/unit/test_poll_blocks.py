"""The poll message stays inside Block Kit's limits and never leaks names from a secret ballot."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role
from bot.domain.decisions import Outcome, Position, Quorum, Vote, decide, tally
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
                        "Finance")


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


def texts(content: dict) -> str:
    return json.dumps(content)


def test_a_secret_ballot_shows_no_counts_until_it_closes():
    live = texts(poll_message(snapshot(5, secret=True)))
    assert "Agree:" not in live and "Object:" not in live and "counts are shown when the poll closes" in live
    assert "Agree: *" in texts(poll_message(snapshot(5, secret=True, closed=True)))


def proxied(*, secret: bool = False) -> PollSnapshot:
    snap = snapshot(3, secret=secret, closed=True)
    votes = [Vote("U0001", "Org 1", Position.AGREE, NOW, "On leave, agreed by email", proxy_by="UCHAIR")]
    t = tally(votes, snap.proposal.eligible(snap.board))
    return PollSnapshot(**{**snap.__dict__, "tally": t})


def test_a_proxy_vote_names_who_held_it_and_why_on_the_poll_and_in_the_thread():
    for content in (poll_message(proxied()), outcome_message(proxied())):
        assert "<@U0001>'s position was recorded by <@UCHAIR> as proxy: On leave, agreed by email" in texts(content)


def test_a_proxy_in_a_secret_ballot_gives_only_the_holder_and_the_count():
    text = texts(outcome_message(proxied(secret=True)))
    assert "1 proxy vote recorded by <@UCHAIR>" in text and "U0001" not in text and "email" not in text


def test_the_register_names_people_beside_their_ids_and_lists_proxies_and_changes():
    from bot.domain.decisions import PositionChange
    from prompts.register import Register

    snap = proxied()
    history = (PositionChange("U0001", Position.OBJECT, NOW, "no"),
               PositionChange("U0001", Position.AGREE, NOW + timedelta(minutes=5), "ok", "UCHAIR"))
    row = Register({"U0001": "Sam Patel", "UCHAIR": "Jo Chair"}).row(
        PollSnapshot(**{**snap.__dict__, "history": history}))
    assert row["Positions by member"] == "Sam Patel (U0001) (Org 1): Agree by proxy of Jo Chair (UCHAIR)"
    assert row["Proxy votes"] == "Sam Patel (U0001) by Jo Chair (UCHAIR): On leave, agreed by email"
    assert row["Position changes"] == "Sam Patel (U0001): Object 23/11/2026 09:00 > Agree 23/11/2026 09:05 (proxy)"


def test_the_register_of_a_secret_ballot_keeps_no_position_changes():
    from bot.domain.decisions import PositionChange

    snap = snapshot(3, secret=True, closed=True)
    history = (PositionChange("U0001", Position.OBJECT, NOW),)
    row = register_row(PollSnapshot(**{**snap.__dict__, "history": history}))
    assert row["Position changes"] == "" and "U0001" not in json.dumps(row)
