"""Ballots as a chair reads them: proxies with their holder and reason, nominated organisation voters,
the vote history in Slack, and a category the proposer must choose."""

from __future__ import annotations

import csv
import io
import uuid

from prompts.ids.polls import PollAction, PollBlock, PollCallback
from storage.models import ProposalRow
from tests.e2e import payloads
from tests.e2e.conftest import reply_text
from tests.e2e.flows import CHAIR, modal_errors, open_view, submit_view
from tests.e2e.polls_flow import VALUE, click, latest_render, proposal_values, submit_proposal, wait_for_poll
from tests.e2e.test_polls_more import open_modal, outcome, submit_modal
from tests.e2e.test_polls_options import command, named_board
from tests.e2e.test_truthful_errors import told


def proxy_for(server, pid: int, *, member: str, position: str, reason: str, team: str, channel: str, ts: str):
    view = open_modal(server, PollAction.PROXY, pid, user=CHAIR, team=team, channel=channel, ts=ts,
                      callback=PollCallback.PROXY)
    reply = submit_modal(server, view, {
        PollBlock.PROXY_MEMBER.value: {VALUE: {"type": "users_select", "selected_user": member}},
        PollBlock.PROXY_POSITION.value: {VALUE: payloads.selected(position)},
        PollBlock.PROXY_REASON.value: {VALUE: payloads.plain_value(reason)},
    }, user=CHAIR, team=team)
    assert modal_errors(reply) == {}


def test_a_proxy_vote_names_its_holder_and_reason_everywhere_and_the_member_is_told(bot_server, team, channel):
    member = "UPRX" + uuid.uuid4().hex[:6].upper()
    name = named_board(bot_server, team=team, channel=channel, members={member: "member"})
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel)) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    proxy_for(bot_server, pid, member=member, position="agree", reason="On leave; agreed by email", team=team,
              channel=channel, ts=ts)
    shown = latest_render(bot_server, channel, ts, until=lambda t: "as proxy" in t)
    assert f"<@{member}>'s position was recorded by <@{CHAIR}> as proxy: On leave; agreed by email" in shown
    dm = told(bot_server, member, member, containing="as your proxy")
    assert f"<@{CHAIR}> recorded *Agree* for you" in dm and "agreed by email" in dm
    click(bot_server, PollAction.CLOSE_NOW, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    assert "recorded by" in outcome(bot_server, channel, ts) and "agreed by email" in outcome(bot_server, channel, ts)
    export = bot_server.cli("export", "decisions", "--board", name)
    [row] = csv.DictReader(io.StringIO(export.stdout))
    assert f"({member}) by User {CHAIR} ({CHAIR}): On leave; agreed by email" in row["Proxy votes"]


def test_the_nominated_voter_casts_the_organisations_vote_and_others_are_not_counted(bot_server, team, channel):
    first, nominee = ("U" + uuid.uuid4().hex[:8].upper() for _ in range(2))
    name = named_board(bot_server, team=team, channel=channel, members={first: "member", nominee: "member"})
    assert "now casts *Gateshead Council*'s vote" in command(bot_server, f"members nominate <@{nominee}>",
                                                             team=team, channel=channel)
    assert "Only the chair or secretary" in command(bot_server, f"members nominate <@{first}>", team=team,
                                                    channel=channel, user=first)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, options=("per_organisation",))) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    _, url = click(bot_server, PollAction.VOTE_AGREE, pid, user=first, team=team, channel=channel, ts=ts)
    receipt = reply_text(bot_server.responses(url)[0]).splitlines()[0]
    assert receipt.startswith("*Not counted:*") and f"<@{nominee}> is your organisation's nominated voter" in receipt
    click(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user=nominee, team=team, channel=channel, ts=ts)
    click(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    outcome(bot_server, channel, ts)
    export = bot_server.cli("export", "decisions", "--board", name)
    [row] = csv.DictReader(io.StringIO(export.stdout))
    assert f"({first}) (Gateshead Council): Agree (not counted: one vote per organisation)" in \
        row["Positions by member"]
    assert (row["Agree"], row["Stand aside"]) == ("1", "1")


def test_the_chair_sees_how_each_member_changed_position_and_members_cannot(bot_server, team, channel):
    member = "U" + uuid.uuid4().hex[:8].upper()
    named_board(bot_server, team=team, channel=channel, members={member: "member"})
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel)) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    click(bot_server, PollAction.VOTE_ABSTAIN, pid, user=member, team=team, channel=channel, ts=ts)
    click(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user=member, team=team, channel=channel, ts=ts)
    click(bot_server, PollAction.CLOSE_NOW, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    outcome(bot_server, channel, ts)
    with bot_server.db.read() as uow:
        number = uow.session.get(ProposalRow, pid).number
    history = command(bot_server, f"history {number.lower()}", team=team, channel=channel)
    assert f"<@{member}>: Abstain (" in history and ") → Stand aside (" in history
    refused = command(bot_server, f"history {number}", team=team, channel=channel, user=member)
    assert "Only the chair or secretary" in refused and "can see" in refused and "can change it" not in refused
    assert "Usage" in command(bot_server, "history next-week", team=team, channel=channel)


def test_the_proposer_must_choose_a_category(bot_server, team, channel):
    named_board(bot_server, team=team, channel=channel, members={})
    view = open_view(bot_server, "propose", team=team, channel=channel)
    category = next(b for b in view["blocks"] if b.get("block_id") == PollBlock.CATEGORY.value)
    assert "initial_option" not in category["element"] and not category.get("optional")
    values = {**proposal_values(), PollBlock.CATEGORY.value: {VALUE: {"type": "static_select",
                                                                     "selected_option": None}}}
    assert "Choose a category" in modal_errors(submit_view(bot_server, view, values, user=CHAIR, team=team))[
        "category"]
