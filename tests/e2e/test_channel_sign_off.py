"""A sign-off request sent to a channel, over signed HTTP: only members of that channel who sit for the
organisation may answer, as Slack's conversations.members says (the fake Web API's)."""

from __future__ import annotations

import json
import uuid

from prompts.blocks.chains import slot_block
from prompts.ids import INPUT
from tests.e2e import payloads
from tests.e2e.conftest import reply_text
from tests.e2e.delegation_flow import answer, request_to, said, scheme_board
from tests.e2e.flows import CHAIR, modal_errors, open_view, submit_view
from tests.e2e.polls_flow import submit_proposal, wait_for_poll
from tests.e2e.test_escalations import p  # noqa: F401 (a fixture)


def channel_chain(server, *, team: str, channel: str, organisation: str, answers_in: str):
    """One level, the Trust Board, answering in a channel rather than through named approvers."""
    view = open_view(server, f"chain {organisation}", team=team, channel=channel)
    values = {slot_block(1, "title"): {INPUT: payloads.plain_value("Trust Board")},
              slot_block(1, "channel"): {INPUT: {"type": "conversations_select",
                                                 "selected_conversation": answers_in}},
              slot_block(1, "limit"): {INPUT: payloads.plain_value("unlimited")},
              slot_block(1, "days"): {INPUT: payloads.plain_value("5")}}
    return submit_view(server, view, values, user=CHAIR, team=team)


def test_only_a_channel_member_who_sits_for_the_organisation_may_answer_a_channel_request(
        bot_server, team, channel, p):  # noqa: F811
    scheme_board(bot_server, team=team, channel=channel, members=p.members)
    assert "up to £100,000" in said(bot_server, f"authority set <@{p.fin}> finance 100k", team=team, channel=channel)
    assert "unlimited" in said(bot_server, f"authority set <@{p.councillor}> finance unlimited", team=team,
                               channel=channel)
    trust_board = f"CTB{uuid.uuid4().hex[:6].upper()}"
    bot_server.fake.channel_members[trust_board] = [p.fin, p.councillor, p.dir]
    assert modal_errors(channel_chain(bot_server, team=team, channel=channel, organisation="Northshire NHS Trust",
                                      answers_in=trust_board)) == {}
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, amount="£1.2m")) == {}
    wait_for_poll(bot_server, channel)
    request, _ = request_to(bot_server, trust_board)

    refused, url = answer(bot_server, request, user=p.board, team=team)  # on no board, not in the channel
    assert refused.status == 200
    text = reply_text(bot_server.responses(url)[0])
    assert f"Only members of <#{trust_board}> who sit for Northshire NHS Trust" in text
    refused, url = answer(bot_server, request, user=p.councillor, team=team)  # in the channel, for Gateshead
    assert "who sit for Northshire NHS Trust" in reply_text(bot_server.responses(url)[0])

    reply, _ = answer(bot_server, request, user=p.fin, team=team, comment="Agreed at the Trust Board.")
    assert modal_errors(reply) == {}
    assert f"Endorsed by <@{p.fin}>" in reply_text(json.loads(reply.body)["view"])
    assert [c for c in bot_server.fake.calls("conversations.members", ok_only=True)
            if c.params["channel"] == trust_board], "the bot asked Slack who is in the channel"
