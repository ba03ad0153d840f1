"""Error paths tell the truth: what was saved, what to do; crafted or stale requests get a clear answer."""

from __future__ import annotations

import json
import time
import uuid

from prompts.ids.polls import PollAction, PollBlock
from storage.models import AuditEventRow, BoardRow, MemberRow, ProcessedRequest
from tests.e2e import payloads
from tests.e2e.conftest import reply_text
from tests.e2e.flows import CHAIR, modal_errors, open_view, setup_state, submit_setup, submit_view
from tests.e2e.polls_flow import VALUE, click
from tests.e2e.test_polls_more import open_poll, refused, votes


def told(server, user: str, channel: str, *, containing: str, timeout: float = 8.0) -> str:
    """The ephemeral message or DM the bot sent `user` containing `containing`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in server.fake.calls(ok_only=True):
            to_user = (call.method == "chat.postEphemeral" and call.params.get("user") == user) or (
                call.method == "chat.postMessage" and call.params.get("channel") == user)
            if to_user and containing in reply_text(call.params):
                return reply_text(call.params)
        time.sleep(0.05)
    raise AssertionError(f"{user} was never told {containing!r}")


def announced(server, channel: str, timeout: float = 8.0) -> None:
    """Wait until the bot has posted in `channel` (the board's set-up announcement)."""
    deadline = time.monotonic() + timeout
    while not any(c.params.get("channel") == channel for c in server.fake.calls("chat.postMessage", ok_only=True)):
        assert time.monotonic() < deadline, f"nothing was ever posted in {channel}"
        time.sleep(0.05)


def test_a_board_set_up_in_a_channel_the_bot_cannot_post_in_is_saved_and_the_chair_is_told_how_to_fix_it(
        bot_server, team, channel):
    user = "USET" + uuid.uuid4().hex[:6].upper()
    bot_server.fake.fail_next("chat.postMessage", status=200, error="channel_not_found", channel=channel)
    reply = submit_setup(bot_server, team=team, channel=channel, user=user, name="Tees Valley Network")
    assert reply.status == 200 and modal_errors(reply) == {}
    text = told(bot_server, user, channel, containing="is set up")
    assert "*Tees Valley Network* is set up" in text and "/invite @collab-bot" in text
    assert "nothing was changed" not in text
    _, url = bot_server.command("setup", user=user, channel=channel, team=team)
    assert "already linked" in reply_text(bot_server.responses(url)[0])


def test_a_receipt_whose_response_url_fails_reaches_the_voter_another_way_and_the_vote_stands(
        bot_server, team, channel):
    voter = "UVOT" + uuid.uuid4().hex[:6].upper()
    ts, pid = open_poll(bot_server, team, channel, {voter: "member", "U3": "member"})
    bot_server.fake.fail_next("response_url", status=500, times=5)
    reply, _ = click(bot_server, PollAction.VOTE_AGREE, pid, user=voter, team=team, channel=channel, ts=ts)
    assert reply.status == 200
    assert votes(bot_server, pid)[voter].position == "agree"
    assert "Recorded: *Agree*" in told(bot_server, voter, channel, containing="Recorded")


def test_help_answers_in_the_http_response_without_calling_slack(bot_server, team, channel):
    before = len(bot_server.fake.calls())
    reply, url = bot_server.command("help", user="U1", channel=channel, team=team)
    assert reply.status == 200 and "/collab setup" in reply_text(json.loads(reply.body))
    time.sleep(0.3)
    # Bolt asks auth.test once per worker process, on the first request that worker serves: not the command's doing.
    assert [c.method for c in bot_server.fake.calls()[before:] if c.method != "auth.test"] == []


def test_a_user_of_another_workspace_cannot_vote_on_or_close_a_poll(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"})
    intruder_team = "T" + uuid.uuid4().hex[:10].upper()
    for action in (PollAction.VOTE_AGREE, PollAction.CLOSE_NOW):
        assert "That poll no longer exists" in refused(bot_server, action, pid, user=CHAIR, team=intruder_team,
                                                       channel=channel, ts=ts)
    assert votes(bot_server, pid) == {}


def test_crafted_button_values_get_a_clear_answer_and_no_traceback(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"})
    log_before = bot_server.log_path.read_text()
    for value in ("abc", "-1", "0", "99999999999999", "", "1e3", str(pid + 100000)):
        reply, url = click(bot_server, PollAction.VOTE_AGREE, 0, user="U2", team=team, channel=channel, ts=ts,
                           value=value)
        assert reply.status == 200
        text = reply_text(bot_server.responses(url)[0])
        assert "no longer exists" in text or "didn't carry what I expected" in text, text
    for value in ("not json", json.dumps({"proposal": pid}), json.dumps({"proposal": "x", "user": "U2"}),
                  "[" * 50_000 + "]" * 50_000):
        reply, url = click(bot_server, PollAction.RECUSE, 0, user=CHAIR, team=team, channel=channel, ts=ts,
                           value=value)
        assert "didn't carry what I expected" in reply_text(bot_server.responses(url)[0])
    assert "Traceback" not in bot_server.log_path.read_text()[len(log_before):]
    assert votes(bot_server, pid) == {}


def test_a_click_on_a_button_the_bot_no_longer_has_is_answered(bot_server, team, channel):
    url = bot_server.fake.new_response_url()
    body, ctype = payloads.block_action("poll_retired_button", "1", user_id="U2", channel_id=channel, team_id=team,
                                        message_ts="1.2", response_url=url)
    assert bot_server.post(body, ctype).status == 200
    assert "no longer does anything" in reply_text(bot_server.responses(url)[0])


def test_a_setup_form_carrying_another_channel_creates_no_board(bot_server, team, channel):
    view = open_view(bot_server, "setup", team=team, channel=channel)
    boards = bot_server.count(BoardRow)
    other = "C" + uuid.uuid4().hex[:10].upper()
    for metadata in (view["private_metadata"].replace(channel, other), "", "x" * 5000,
                     view["private_metadata"][:32] + json.dumps({"team": team, "user": CHAIR, "channel": other})):
        forged = {**view, "private_metadata": metadata}
        reply = submit_view(bot_server, forged, setup_state(), user=CHAIR, team=team)
        assert reply.status == 200
        assert "out of date" in modal_errors(reply)["board_name"]
    reply = submit_view(bot_server, view, setup_state(), user="USOMEONEELSE", team=team)
    assert "didn't carry what I expected" in modal_errors(reply)["board_name"]
    assert bot_server.count(BoardRow) == boards


def test_setup_refuses_to_make_its_author_an_observer(bot_server, team, channel):
    boards = bot_server.count(BoardRow)
    reply = submit_setup(bot_server, team=team, channel=channel, role="observer")
    assert "chair or secretary" in modal_errors(reply)["role"]
    reply = submit_setup(bot_server, team=team, channel=channel, role="overlord")
    assert "role" in modal_errors(reply)
    assert bot_server.count(BoardRow) == boards


def test_a_proposal_form_with_crafted_values_gets_inline_errors_and_writes_nothing(bot_server, team, channel):
    open_poll(bot_server, team, channel, {"U2": "member"})
    from tests.e2e.polls_flow import proposal_values

    view = open_view(bot_server, "propose", team=team, channel=channel)
    crafted = [({PollBlock.RULE.value: {VALUE: payloads.selected("dictatorship")}}, "rule"),
               ({PollBlock.CATEGORY.value: {VALUE: payloads.selected("bribes")}}, "category"),
               ({PollBlock.AMOUNT.value: {VALUE: payloads.plain_value("£1,2,3")}}, "amount"),
               ({PollBlock.AMOUNT.value: {VALUE: payloads.plain_value("\uff11\uff12\uff13")}}, "amount"),
               ({PollBlock.TITLE.value: {VALUE: payloads.plain_value("\u200b\u200b")}}, "title"),
               ({PollBlock.OPTIONS.value: {VALUE: {"type": "checkboxes", "selected_options": [
                   {"value": "rigged"}]}}}, "options")]
    events = bot_server.count(AuditEventRow)
    for change, block in crafted:
        reply = submit_view(bot_server, view, {**proposal_values(), **change}, user=CHAIR, team=team)
        assert block in modal_errors(reply), (block, reply.body)
    bad_time = {PollBlock.CLOSES_AT.value: {VALUE: {"type": "datetimepicker", "selected_date_time": "soon"}}}
    reply = submit_view(bot_server, view, {**proposal_values(), **bad_time}, user=CHAIR, team=team)
    assert "out of date" in reply.body.decode() or "didn't carry" in reply.body.decode()
    assert bot_server.count(AuditEventRow) == events


def test_a_failed_request_leaves_no_claimed_key_and_a_retry_succeeds(bot_server, team, channel):
    open_poll(bot_server, team, channel, {"U2": "member"})
    keys = bot_server.count(ProcessedRequest)
    reply, url = bot_server.command("members add <@U8|x> Nowhere Trust member", user=CHAIR, channel=channel,
                                    team=team)
    assert "not a registered organisation" in reply_text(bot_server.responses(url)[0])
    assert bot_server.count(ProcessedRequest) == keys
    members = bot_server.count(MemberRow)
    _, url = bot_server.command("members add <@U8|x> Gateshead Council member", user=CHAIR, channel=channel,
                                team=team)
    assert "is now a member" in reply_text(bot_server.responses(url)[0])
    assert bot_server.count(MemberRow) == members + 1


def test_a_command_whose_text_says_payload_is_still_understood(bot_server, team, channel):
    submit_setup(bot_server, team=team, channel=channel)
    _, url = bot_server.command("org add Payload Services Ltd", user=CHAIR, channel=channel, team=team)
    assert "*Payload Services Ltd* is registered" in reply_text(bot_server.responses(url)[0])
    view = open_view(bot_server, "propose payload policy", team=team, channel=channel)
    assert "payload policy" in json.dumps(view["blocks"])


def test_a_poll_slack_refuses_to_post_fails_at_once_and_its_proposer_is_told_once(bot_server, team, channel):
    from sqlalchemy import text

    from tests.e2e.flows import board_with_members
    from tests.e2e.polls_flow import submit_proposal

    proposer = "UPROP" + uuid.uuid4().hex[:5].upper()
    board_with_members(bot_server, team=team, channel=channel, members={proposer: "member"})
    announced(bot_server, channel)  # so the planned failure meets the poll, not the board's announcement
    bot_server.fake.fail_next("chat.postMessage", status=200, error="channel_not_found", channel=channel)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, user=proposer)) == {}
    text_sent = told(bot_server, proposer, proposer, containing="couldn't post the poll")
    assert "channel_not_found" in text_sent and "every vote are saved" in text_sent
    time.sleep(1.5)
    notices = [c for c in bot_server.fake.calls("chat.postMessage", ok_only=True)
               if c.params.get("channel") == proposer and "couldn't post" in reply_text(c.params)]
    assert len(notices) == 1, "the proposer is told once"
    with bot_server.db.read() as uow:
        failed = uow.session.execute(text(
            "SELECT count(*) FROM outbox WHERE kind = 'poll.render' AND state = 'failed' "
            "AND last_error LIKE '%channel_not_found%'")).scalar_one()
        audited = uow.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'slack.failed'")).scalar_one()
    assert failed >= 1 and audited >= 1
