"""Polls as members click them: reasons, changed votes, deadlines, steering, interests, proxies, redraw load."""

from __future__ import annotations

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from bot.domain.times import local_time
from prompts.ids.polls import PollAction, PollBlock, PollCallback
from storage.models import ProposalRow, VoteRow
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, Reply, reply_text
from tests.e2e.flows import CHAIR, board_with_members, modal_errors
from tests.e2e.polls_flow import VALUE, click, latest_render, submit_proposal, wait_for_poll

NUMBER = re.compile(r"CB-\d{4}-\d{3}")


# -- steps (shared with test_polls_options.py) --
def open_poll(server: BotServer, team: str, channel: str, members: dict[str, str], **proposal) -> tuple[str, int]:
    """A board with `members`, a proposal put through the modal, and its poll: (ts, proposal id)."""
    board_with_members(server, team=team, channel=channel, members=members)
    reply = submit_proposal(server, team=team, channel=channel, **proposal)
    assert reply.status == 200 and modal_errors(reply) == {}
    return wait_for_poll(server, channel)


def vote(server: BotServer, action: PollAction, pid: int, *, user: str, team: str, channel: str, ts: str) -> str:
    """Click a vote button and return the ephemeral receipt."""
    reply, url = click(server, action, pid, user=user, team=team, channel=channel, ts=ts)
    assert reply.status == 200
    return reply_text(server.responses(url)[0])


def refused(server: BotServer, action: PollAction, pid: int, *, user: str, team: str, channel: str, ts: str) -> str:
    """Click a button that should be refused; returns the ephemeral refusal."""
    reply, url = click(server, action, pid, user=user, team=team, channel=channel, ts=ts)
    assert reply.status == 200
    answer = server.responses(url)[0]
    assert answer.get("response_type") == "ephemeral" and answer.get("replace_original") is False
    return reply_text(answer)


def open_modal(server: BotServer, action: PollAction, pid: int, *, user: str, team: str, channel: str, ts: str,
               callback: PollCallback) -> dict:
    """Click a button that opens a modal; returns the view the bot opened with the click's trigger."""
    trigger = f"{time.time_ns()}.{uuid.uuid4().hex}"
    reply, url = click(server, action, pid, user=user, team=team, channel=channel, ts=ts, trigger_id=trigger)
    assert reply.status == 200
    opened = server.sent("views.open", trigger_id=trigger)
    assert opened, f"no modal opened; the bot said {server.responses(url, wait=False)}"
    view = opened[0].params["view"]
    assert view["callback_id"] == callback.value
    return view


def submit_modal(server: BotServer, view: dict, values: dict, *, user: str, team: str) -> Reply:
    """Submit a modal the bot opened, carrying its private_metadata back."""
    body, ctype = payloads.view_submission(view["callback_id"], values, user_id=user, team_id=team,
                                           private_metadata=view["private_metadata"])
    return server.post(body, ctype)


def reason_values(reason: str) -> dict:
    return {PollBlock.REASON.value: {VALUE: payloads.plain_value(reason)}}


def object_with_reason(server: BotServer, pid: int, *, user: str, team: str, channel: str, ts: str,
                       reason: str) -> None:
    view = open_modal(server, PollAction.VOTE_OBJECT, pid, user=user, team=team, channel=channel, ts=ts,
                      callback=PollCallback.VOTE_REASON)
    assert modal_errors(submit_modal(server, view, reason_values(reason), user=user, team=team)) == {}


def declare_interest(server: BotServer, pid: int, *, user: str, team: str, channel: str, ts: str,
                     reason: str) -> dict:
    """Declare an interest through its modal; returns the message the bot then posts in the poll's thread."""
    view = open_modal(server, PollAction.DECLARE_INTEREST, pid, user=user, team=team, channel=channel, ts=ts,
                      callback=PollCallback.DECLARE_INTEREST)
    assert modal_errors(submit_modal(server, view, reason_values(reason), user=user, team=team)) == {}
    asked = server.sent("chat.postMessage", channel=channel, thread_ts=ts,
                        where=lambda p: f"{user} declared an interest" in p.get("text", ""))
    assert len(asked) == 1
    return {**asked[0].params, "ts": asked[0].response["ts"]}


def decide_interest(server: BotServer, asked: dict, action: PollAction, *, user: str, team: str,
                    channel: str) -> dict:
    """Click Recuse or May still vote on the interest message; returns the bot's answer on its response_url."""
    value = next(e["value"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == action.value)
    url = server.fake.new_response_url()
    body, ctype = payloads.block_action(action.value, value, user_id=user, channel_id=channel, team_id=team,
                                        message_ts=asked["ts"], block_id=PollBlock.INTEREST.value, response_url=url)
    assert server.post(body, ctype).status == 200
    return server.responses(url)[0]


def make_due(server: BotServer, pid: int) -> None:
    """Move the poll's deadline, and its deadline job, into the past, as if its closing time had come."""
    past = datetime(2000, 1, 1)
    with server.db.uow() as uow:
        uow.session.execute(update(ProposalRow).where(ProposalRow.id == pid).values(closes_at=past))
        uow.session.execute(text("UPDATE outbox SET due_at = :past WHERE key = :key"),
                            {"past": past, "key": f"poll.close:{pid}"})
        uow.commit()


def proposal(server: BotServer, pid: int):
    """The proposal's row as stored now."""
    with server.db.read() as uow:
        row = uow.session.execute(select(ProposalRow).where(ProposalRow.id == pid)).scalar_one()
        uow.session.expunge_all()  # keep the loaded values readable after the session ends
        return row


def votes(server: BotServer, pid: int) -> dict[str, VoteRow]:
    with server.db.read() as uow:
        rows = {v.user_id: v for v in uow.session.execute(select(VoteRow).where(VoteRow.proposal_id == pid)).scalars()}
        uow.session.expunge_all()
        return rows


def outcome(server: BotServer, channel: str, ts: str, timeout: float = 10.0) -> str:
    """The outcome the bot posted in the poll's thread, waiting for it."""
    found = server.sent("chat.postMessage", timeout=timeout, channel=channel, thread_ts=ts,
                        where=lambda p: NUMBER.search(p.get("text") or "") is not None)
    assert len(found) == 1, f"expected one outcome in the thread, got {len(found)}"
    return reply_text(found[0].params)


def updates(server: BotServer, channel: str, ts: str, *, ok_only: bool = True) -> list:
    return [c for c in server.fake.calls("chat.update", ok_only=ok_only)
            if c.params.get("channel") == channel and c.params.get("ts") == ts]


# -- the rules --
def test_an_objection_needs_a_reason_and_the_outcome_in_the_thread_quotes_it(bot_server, team, channel):
    objector = "UOBJ" + uuid.uuid4().hex[:6].upper()  # fresh, so the receipt sent to them is this test's
    ts, pid = open_poll(bot_server, team, channel, {objector: "member", "U3": "member"})
    view = open_modal(bot_server, PollAction.VOTE_OBJECT, pid, user=objector, team=team, channel=channel, ts=ts,
                      callback=PollCallback.VOTE_REASON)
    sealed = json.loads(view["private_metadata"][32:])
    assert (sealed["proposal"], sealed["position"]) == (pid, "object")
    assert "reason" in modal_errors(submit_modal(bot_server, view, reason_values("  "), user=objector, team=team))
    assert votes(bot_server, pid) == {}
    reason = "Procurement rules need an open tender first"
    assert modal_errors(submit_modal(bot_server, view, reason_values(reason), user=objector, team=team)) == {}
    recorded = votes(bot_server, pid)[objector]
    assert (recorded.position, recorded.reason) == ("object", reason)
    receipt = bot_server.sent("chat.postEphemeral", channel=channel, user=objector)[0].params
    assert "Recorded: *Object*" in reply_text(receipt)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U3", team=team, channel=channel, ts=ts)
    make_due(bot_server, pid)
    text = outcome(bot_server, channel, ts)
    assert "Not agreed" in text and "1 objection blocked consensus" in text
    assert f"<@{objector}> (object): {reason}" in text


def test_a_changed_vote_counts_only_the_latest_position(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    assert "Recorded: *Agree*" in vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team,
                                       channel=channel, ts=ts)
    latest_render(bot_server, channel, ts, until=lambda t: "Agree: *1*  <@U2>" in t)
    assert "Recorded: *Abstain*" in vote(bot_server, PollAction.VOTE_ABSTAIN, pid, user="U2", team=team,
                                         channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user="U3", team=team, channel=channel, ts=ts)
    final = latest_render(bot_server, channel, ts, until=lambda t: NUMBER.search(t) is not None)
    assert f"Agree: *1*  <@{CHAIR}>" in final and "Abstain: *1*  <@U2>" in final
    assert "Positions: Agree 1, Agree with reservations 0, Stand aside 1, Object 0, Abstain 1." in outcome(
        bot_server, channel, ts)
    assert {u: v.position for u, v in votes(bot_server, pid).items()} == {
        "U2": "abstain", CHAIR: "agree", "U3": "stand_aside"}


def test_at_the_deadline_the_poll_closes_loses_its_buttons_and_gets_a_register_number(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U3", team=team, channel=channel, ts=ts)
    make_due(bot_server, pid)
    text = outcome(bot_server, channel, ts)
    number = proposal(bot_server, pid).number
    assert number == NUMBER.search(text).group(0) and number.startswith(f"CB-{datetime.now(UTC).year}-")
    assert "Agreed" in text
    latest_render(bot_server, channel, ts, until=lambda t: f"{number}:" in t)  # redraws follow a second apart
    final = updates(bot_server, channel, ts)[-1].params
    assert [b for b in final["blocks"] if b["type"] == "actions"] == []
    assert f"{number}: Joint procurement of pathology analysers" in reply_text(final)
    assert proposal(bot_server, pid).status == "closed"


def test_close_now_is_refused_to_a_plain_member_and_closes_the_poll_for_the_chair(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    text = refused(bot_server, PollAction.CLOSE_NOW, pid, user="U3", team=team, channel=channel, ts=ts)
    assert "Only the chair, the secretary or the proposer" in text
    assert proposal(bot_server, pid).status == "open"
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    click(bot_server, PollAction.CLOSE_NOW, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    row = proposal(bot_server, pid)
    assert (row.status, row.closed_by) == ("closed", CHAIR)
    text = outcome(bot_server, channel, ts)
    assert f"closed by <@{CHAIR}>" in text and row.number in text


def test_withdraw_by_the_proposer_records_the_outcome_withdrawn(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, user="U2")) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    click(bot_server, PollAction.WITHDRAW, pid, user="U2", team=team, channel=channel, ts=ts)
    text = outcome(bot_server, channel, ts)
    assert "Withdrawn" in text and "Withdrawn before the poll closed." in text
    assert proposal(bot_server, pid).outcome == "withdrawn"


def test_extend_refuses_an_earlier_time_inline_and_moves_the_deadline_to_a_later_one(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"})
    before = proposal(bot_server, pid).closes_at
    view = open_modal(bot_server, PollAction.EXTEND, pid, user=CHAIR, team=team, channel=channel, ts=ts,
                      callback=PollCallback.EXTEND)
    earlier, later = (int((datetime.now(UTC) + timedelta(days=d)).timestamp()) for d in (1, 5))

    def picked(stamp: int) -> dict:
        return {PollBlock.CLOSES_AT.value: {VALUE: {"type": "datetimepicker", "selected_date_time": stamp}}}

    errors = modal_errors(submit_modal(bot_server, view, picked(earlier), user=CHAIR, team=team))
    assert "after the current deadline" in errors.get("closes_at", "")
    assert proposal(bot_server, pid).closes_at == before
    assert modal_errors(submit_modal(bot_server, view, picked(later), user=CHAIR, team=team)) == {}
    assert proposal(bot_server, pid).closes_at == datetime.fromtimestamp(later, UTC).replace(tzinfo=None)
    shown = local_time(datetime.fromtimestamp(later, UTC).replace(tzinfo=None), "Europe/London")
    latest_render(bot_server, channel, ts, until=lambda t: shown in t)


def test_a_recused_member_cannot_vote_and_only_the_chair_decides_on_an_interest(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    reason = "I sit on the board of one bidder"
    asked = declare_interest(bot_server, pid, user="U2", team=team, channel=channel, ts=ts, reason=reason)
    buttons = {e["action_id"]: e["value"] for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(buttons) == {PollAction.RECUSE.value, PollAction.ALLOW.value}
    assert json.loads(buttons[PollAction.RECUSE.value]) == {"proposal": pid, "user": "U2"}
    assert "Only the chair can decide on a declared interest" in reply_text(decide_interest(
        bot_server, asked, PollAction.RECUSE, user="U3", team=team, channel=channel))
    assert "(awaiting the chair)" in latest_render(bot_server, channel, ts, until=lambda t: "declared" in t)
    decided = decide_interest(bot_server, asked, PollAction.RECUSE, user=CHAIR, team=team, channel=channel)
    assert decided["replace_original"] is True and "recused from this vote" in reply_text(decided)
    text = refused(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    assert "recused" in text and "U2" not in votes(bot_server, pid)
    shown = latest_render(bot_server, channel, ts, until=lambda t: "(recused)" in t)
    assert f"<@U2> declared an interest (recused): {reason}" in shown and "of 2 eligible members" in shown


def test_only_the_chair_records_a_proxy_vote_and_it_is_shown_as_by_proxy(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    assert "Only the chair" in refused(bot_server, PollAction.PROXY, pid, user="U2", team=team, channel=channel,
                                       ts=ts)
    view = open_modal(bot_server, PollAction.PROXY, pid, user=CHAIR, team=team, channel=channel, ts=ts,
                      callback=PollCallback.PROXY)
    reply = submit_modal(bot_server, view, {
        PollBlock.PROXY_MEMBER.value: {VALUE: {"type": "users_select", "selected_user": "U3"}},
        PollBlock.PROXY_POSITION.value: {VALUE: payloads.selected("agree")},
        PollBlock.PROXY_REASON.value: {VALUE: payloads.plain_value("On leave; asked me by email")},
    }, user=CHAIR, team=team)
    assert modal_errors(reply) == {}
    latest_render(bot_server, channel, ts, until=lambda t: "Agree: *1*  <@U3> (by proxy)" in t)
    recorded = votes(bot_server, pid)["U3"]
    assert (recorded.position, recorded.proxy_by) == ("agree", CHAIR)


def test_a_burst_of_twenty_votes_is_drawn_in_a_few_updates_and_each_vote_is_recorded_once(bot_server, team, channel):
    voters = [f"UBURST{i:02d}" for i in range(20)]
    ts, pid = open_poll(bot_server, team, channel, {u: "member" for u in voters})
    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(lambda u: vote(bot_server, PollAction.VOTE_AGREE, pid, user=u, team=team,
                                                channel=channel, ts=ts), voters))
    assert all("Recorded: *Agree*" in r for r in receipts)
    assert "*20 of 21 eligible members have voted.*" in latest_render(
        bot_server, channel, ts, until=lambda t: "Agree: *20*" in t, timeout=15)
    seen, quiet_since = len(updates(bot_server, channel, ts, ok_only=False)), time.monotonic()
    while time.monotonic() - quiet_since < 1.5:  # let any trailing redraw land before counting
        if len(updates(bot_server, channel, ts, ok_only=False)) != seen:
            seen, quiet_since = len(updates(bot_server, channel, ts, ok_only=False)), time.monotonic()
        time.sleep(0.1)
    assert 1 <= seen <= 8, f"{seen} chat.update calls for 20 votes"
    assert "Agree: *20*" in reply_text(updates(bot_server, channel, ts)[-1].params)
    recorded = votes(bot_server, pid)
    assert sorted(recorded) == voters and {v.position for v in recorded.values()} == {"agree"}


def test_a_rate_limited_redraw_still_ends_with_the_exact_tally(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    bot_server.fake.fail_next("chat.update", status=429, retry_after=1)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user="U3", team=team, channel=channel, ts=ts)
    final = latest_render(bot_server, channel, ts, until=lambda t: "Stand aside: *1*" in t and "Agree: *1*" in t,
                          timeout=15)
    assert "*2 of 3 eligible members have voted.*" in final
    limited = [c for c in updates(bot_server, channel, ts, ok_only=False) if c.status == 429]
    assert limited, "the 429 was not served to this poll's redraw"
