"""Proposals and polls as members click them in Slack."""

from __future__ import annotations

from prompts.ids.polls import PollAction
from storage.models import ProposalRow, VoteRow
from tests.e2e.conftest import reply_text
from tests.e2e.flows import CHAIR, board_with_members, modal_errors
from tests.e2e.polls_flow import click, latest_render, submit_proposal, wait_for_poll


def test_a_member_proposes_others_vote_and_the_poll_closes_when_all_have_voted(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "member"})
    reply = submit_proposal(bot_server, team=team, channel=channel)
    assert reply.status == 200 and modal_errors(reply) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    text = latest_render(bot_server, channel, ts)
    assert "Joint procurement of pathology analysers" in text and "£1,200,000" in text
    reply, url = click(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    assert reply.status == 200
    assert "Recorded: *Agree*" in reply_text(bot_server.responses(url)[0])
    latest_render(bot_server, channel, ts, until=lambda t: "Agree: *1*" in t)
    click(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user="U3", team=team, channel=channel, ts=ts)
    click(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    final = latest_render(bot_server, channel, ts, until=lambda t: "Agreed" in t)
    assert "CB-" in final
    outcome = bot_server.sent("chat.postMessage", channel=channel, thread_ts=ts)
    assert outcome and "Agreed" in reply_text(outcome[0].params)


def test_a_bad_amount_is_an_inline_error_and_writes_nothing(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={})
    proposals = bot_server.count(ProposalRow)
    reply = submit_proposal(bot_server, team=team, channel=channel, amount="lots")
    assert "amount" in modal_errors(reply)
    assert bot_server.count(ProposalRow) == proposals


def test_a_retried_vote_counts_once_and_a_stranger_is_refused(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "member"})
    submit_proposal(bot_server, team=team, channel=channel)
    ts, pid = wait_for_poll(bot_server, channel)
    votes = bot_server.count(VoteRow)
    from tests.e2e import payloads

    url = bot_server.fake.new_response_url()
    body, ctype = payloads.block_action(PollAction.VOTE_AGREE.value, str(pid), user_id="U2", channel_id=channel,
                                        team_id=team, message_ts=ts, response_url=url)
    bot_server.post(body, ctype)
    bot_server.post(body, ctype, headers={"X-Slack-Retry-Num": "1"})
    assert bot_server.count(VoteRow) == votes + 1
    _, url = click(bot_server, PollAction.VOTE_AGREE, pid, user="UNOBODY", team=team, channel=channel, ts=ts)
    assert "Only members" in reply_text(bot_server.responses(url)[0])
    assert bot_server.count(VoteRow) == votes + 1
