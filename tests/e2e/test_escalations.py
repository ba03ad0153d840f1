"""Sign-off through each member's own organisation, over signed HTTP against the fake Web API."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass

import pytest

from prompts.ids.polls import PollAction
from tests.e2e.conftest import reply_text
from tests.e2e.delegation_flow import SECRETARY, answer, request_to, said, scheme_board, set_chain
from tests.e2e.flows import CHAIR, modal_errors
from tests.e2e.polls_flow import click, latest_render, submit_proposal, wait_for_poll
from tests.e2e.test_schedules import make_due, posted
from tests.e2e.test_truthful_errors import told


@dataclass(frozen=True)
class People:
    """Fresh user ids for one test: the fake Web API (and every DM in it) is shared by the whole session."""

    fin: str
    councillor: str
    cfo: str
    board: str
    gdir: str
    dir: str

    @property
    def members(self) -> dict[str, tuple[str, str]]:
        return {self.fin: ("Northshire NHS Trust", "member"), self.councillor: ("Gateshead Council", "member")}


@pytest.fixture
def p() -> People:
    fresh = uuid.uuid4().hex[:5].upper()
    return People(*(f"U{role}{fresh}" for role in ("FIN", "COU", "CFO", "TBD", "GDR", "DOP")))


def two_organisations(server, team, channel, p: People) -> str:
    """Northshire (member's limit £100k; chain: Director of Operations £500k, CFO £2m, Trust Board unlimited) and
    Gateshead (member's limit £50k; chain: Director £5m)."""
    name = scheme_board(server, team=team, channel=channel, members=p.members)
    assert "up to £100,000" in said(server, f"authority set <@{p.fin}> finance 100k", team=team, channel=channel)
    assert "up to £50,000" in said(server, f"authority set <@{p.councillor}> finance 50k", team=team, channel=channel)
    chain = [("Director of Operations", [p.dir], "500k", "2"), ("Chief Finance Officer", [p.cfo], "2m", "2"),
             ("Trust Board", [p.board], "unlimited", "5")]
    assert modal_errors(set_chain(server, "Northshire NHS Trust", chain, team=team, channel=channel)) == {}
    assert modal_errors(set_chain(server, "Gateshead Council", [("Director of Finance", [p.gdir], "5m", "3")],
                                  team=team, channel=channel)) == {}
    return name


def everyone_agrees(server, team, channel, ts, pid, p: People) -> None:
    for user in (CHAIR, SECRETARY, p.fin, p.councillor):
        reply, _ = click(server, PollAction.VOTE_AGREE, pid, user=user, team=team, channel=channel, ts=ts)
        assert reply.status == 200


def test_a_proposal_needing_two_organisations_sign_off_is_agreed_once_both_endorse_one_after_a_timeout(
        bot_server, team, channel, p):
    name = two_organisations(bot_server, team, channel, p)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, user=p.fin, amount="£1.2m")) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    # £1.2m is above the Director of Operations' £500k, so Northshire's request goes to the CFO.
    northshire, text = request_to(bot_server, p.cfo)
    assert "Northshire NHS Trust" in text and "£1,200,000" in text and f"<@{p.fin}>" in text
    gateshead, _ = request_to(bot_server, p.gdir)
    assert not [c for c in bot_server.fake.calls("chat.postMessage") if c.params.get("channel") == p.dir]

    everyone_agrees(bot_server, team, channel, ts, pid, p)
    outcome = posted(bot_server, channel, "Agreed subject to endorsement")
    assert outcome, "the poll closed with both endorsements still awaited"
    assert "subject to endorsement by Northshire NHS Trust" in latest_render(
        bot_server, channel, ts, until=lambda t: "subject to endorsement by Northshire" in t)

    reply, _ = answer(bot_server, gateshead, user=p.gdir, team=team, comment="Within the capital plan.")
    assert reply.status == 200 and "Endorsed by" in reply_text(json.loads(reply.body)["view"])

    # No answer from the CFO: first a reminder, then it moves up to the Trust Board and the CFO is told.
    timer = ("key LIKE :mine", {"mine": f"escalation.due:{northshire}:%"})
    assert make_due(bot_server, timer[0], **timer[1]) == 1
    request_to(bot_server, p.cfo, containing="Reminder")
    assert make_due(bot_server, timer[0], **timer[1]) == 1
    moved, _ = request_to(bot_server, p.board)
    assert moved == northshire
    assert "Trust Board" in told(bot_server, p.cfo, p.cfo, containing="no longer need to answer")

    refused, url = answer(bot_server, northshire, user=p.fin, team=team)
    assert refused.status == 200
    assert "You brought this proposal" in reply_text(bot_server.responses(url)[0])

    reply, _ = answer(bot_server, northshire, user=p.board, team=team, comment="Approved at the board meeting.")
    assert modal_errors(reply) == {}
    settled = posted(bot_server, channel, ":white_check_mark: Agreed")
    assert settled and "Endorsed by every organisation that needed it" in reply_text(settled[-1])
    record = reply_text(settled[-1])
    assert f"Endorsed by <@{p.board}> (Trust Board)" in record and f"Endorsed by <@{p.gdir}>" in record

    [row] = csv.DictReader(io.StringIO(bot_server.cli("export", "decisions", "--board", name).stdout))
    signed = row["Sign-off by organisation"]
    assert f"Northshire NHS Trust: endorsed by User {p.board} ({p.board}) (Trust Board)" in signed
    assert f"Gateshead Council: endorsed by User {p.gdir} ({p.gdir}) (Director of Finance)" in signed
    assert "Within the capital plan." in signed
    assert f"({CHAIR}) (Newcastle Hospitals): unlimited, version 1 granted by" in row["Authority in force"]
    assert f"({p.fin}) (Northshire NHS Trust): up to £100,000" in row["Authority in force"]
    assert row["Outcome"] == "Agreed" and row["Taken under delegation"] == ""


def test_a_decline_makes_the_decision_not_agreed_and_says_who_declined_and_why(bot_server, team, channel, p):
    two_organisations(bot_server, team, channel, p)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, user=p.fin, amount="£300k")) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    northshire, _ = request_to(bot_server, p.dir)  # £300k is within the Director of Operations' £500k
    gateshead, _ = request_to(bot_server, p.gdir)
    refused, _ = answer(bot_server, gateshead, user=p.gdir, team=team, endorse=False, comment="")
    assert "why you are declining" in json.dumps(modal_errors(refused))
    answer(bot_server, gateshead, user=p.gdir, team=team, endorse=False, comment="Not in this year's budget.")
    answer(bot_server, northshire, user=p.dir, team=team)
    everyone_agrees(bot_server, team, channel, ts, pid, p)
    outcome = posted(bot_server, channel, ":no_entry: Not agreed")
    assert outcome
    text = reply_text(outcome[-1])
    assert "Declined for Gateshead Council" in text and "Not in this year's budget." in text
    assert f"Declined by <@{p.gdir}>" in text


def test_an_organisation_with_no_chain_is_flagged_to_the_chair_at_once(bot_server, team, channel, p):
    scheme_board(bot_server, team=team, channel=channel, members=p.members)
    assert "up to £100,000" in said(bot_server, f"authority set <@{p.fin}> finance 100k", team=team, channel=channel)
    title = f"Shared stroke pathway {uuid.uuid4().hex[:6]}"
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, user=p.fin, amount="£250k",
                                        title=title)) == {}
    flagged = told(bot_server, CHAIR, CHAIR, containing=f"*{title}* needs Northshire NHS Trust's sign-off")
    assert "has no escalation chain" in flagged and "Nobody has been asked" in flagged


def test_members_see_their_own_authority_and_cannot_raise_it(bot_server, team, channel, p):
    two_organisations(bot_server, team, channel, p)
    mine = said(bot_server, "authority", team=team, channel=channel, user=p.fin)
    assert "up to £100,000" in mine and "Northshire NHS Trust" in mine
    refused = said(bot_server, f"authority set <@{p.fin}> finance 5m", team=team, channel=channel, user=p.fin)
    assert "Only the chair or secretary" in refused
    own = said(bot_server, f"authority set <@{CHAIR}> service change yes", team=team, channel=channel)
    assert "can't raise your own" in own
    lowered = said(bot_server, f"authority set <@{CHAIR}> finance 5m", team=team, channel=channel)
    assert "up to £5,000,000" in lowered and "version 2" in lowered
    listing = said(bot_server, "escalations", team=team, channel=channel, user=p.cfo)
    assert "Nothing is waiting on you" in listing
