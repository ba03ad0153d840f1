"""Running a scheme of delegation over signed HTTP: governance fit, rules by category, each organisation's own
amount, decisions taken under delegation, deputies, changes midway, organisations, and forged answers."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from prompts.ids import INPUT
from prompts.ids.delegation import DelegationAction, DelegationBlock
from prompts.ids.polls import PollAction, PollBlock
from prompts.ids.schedules import ScheduleBlock
from storage.models import ProposalRow
from tests.e2e import payloads
from tests.e2e.conftest import reply_text
from tests.e2e.delegation_flow import (
    SECRETARY,
    answer,
    answer_form,
    propose,
    request_to,
    said,
    scheme_board,
    set_chain,
)
from tests.e2e.flows import CHAIR, modal_errors, open_view, submit_view
from tests.e2e.polls_flow import click, latest_render, poll_posts
from tests.e2e.test_escalations import People, everyone_agrees, two_organisations
from tests.e2e.test_schedules import make_due, posted

TITLE = "Joint procurement of pathology analysers"  # what proposal_values calls a proposal
FLAG = "needs formal arrangements; take advice from your trust secretary"
NORTHSHIRE_CFO = "Northshire NHS Trust's sign-off is needed, as Chief Finance Officer"


def someone(tag: str) -> str:
    """A fresh user id: the fake Web API (and every DM in it) is shared by the whole session."""
    return f"U{tag}{uuid.uuid4().hex[:5].upper()}"


@pytest.fixture
def p() -> People:
    return People(*(someone(role) for role in ("FIN", "COU", "CFO", "TBD", "GDR", "DOP")))


def polls(server, channel: str) -> list[tuple[str, int]]:
    """Every poll posted in the channel, oldest first: (ts, proposal id from its buttons)."""
    found = []
    for call in poll_posts(server, channel):
        for block in call.params.get("blocks") or []:
            if block.get("block_id") == PollBlock.VOTES.value:
                found.append((call.response["ts"], int(block["elements"][0]["value"])))
    return found


def new_poll(server, channel: str, *, after: int = 0, timeout: float = 5.0) -> tuple[str, int]:
    """The poll posted in the channel after the first `after`."""
    deadline = time.monotonic() + timeout
    while len(found := polls(server, channel)) <= after:
        assert time.monotonic() < deadline, f"no new poll was posted in {channel}"
        time.sleep(0.05)
    return found[after]


def signoff_requests(server, users) -> int:
    """How many sign-off requests (first asks and reminders) were DMed to any of `users`."""
    return len([c for c in server.fake.calls("chat.postMessage", ok_only=True)
                if c.params.get("channel") in set(users) and "Sign-off needed" in reply_text(c.params)])


def agreed_within_authority(server, team: str, channel: str, *, collaboration: str = "informal",
                            marks: tuple[str, ...] = ()) -> tuple[str, int]:
    """A board whose only organisation (Newcastle Hospitals) its chair commits; a £1.2m proposal both members
    agree, so nobody else is asked to sign off. The poll's (ts, proposal id)."""
    scheme_board(server, team=team, channel=channel, members={}, collaboration=collaboration)
    assert modal_errors(propose(server, team=team, channel=channel, marks=marks)) == {}
    ts, pid = new_poll(server, channel)
    for user in (CHAIR, SECRETARY):
        assert click(server, PollAction.VOTE_AGREE, pid, user=user, team=team, channel=channel, ts=ts)[0].status == 200
    assert posted(server, channel, ":white_check_mark: Agreed"), "the poll was not agreed"
    return ts, pid


def pending_at_cfo(server, team: str, channel: str, p: People) -> tuple[int, int]:
    """Two organisations; a £1.2m proposal by Northshire's member with Gateshead committing only £40k.
    The proposal id and Northshire's request, waiting on the CFO."""
    two_organisations(server, team, channel, p)
    assert modal_errors(propose(server, team=team, channel=channel, user=p.fin,
                                org_amounts="Gateshead Council = 40k")) == {}
    _, pid = new_poll(server, channel)
    escalation_id, asked = request_to(server, p.cfo)
    assert NORTHSHIRE_CFO in asked and "£1,200,000" in asked
    return pid, escalation_id


def click_reviewed(server, pid: int, *, user: str, team: str, channel: str) -> tuple[str, dict | None]:
    """Click Reviewed on a queued decision: the click's response_url and the note form opened (if any)."""
    trigger, url = f"{time.time_ns()}.{uuid.uuid4().hex}", server.fake.new_response_url()
    body, ctype = payloads.block_action(DelegationAction.REVIEWED.value, str(pid), user_id=user, channel_id=channel,
                                        team_id=team, response_url=url, trigger_id=trigger, message_ts="1.1")
    assert server.post(body, ctype).status == 200
    opened = server.sent("views.open", trigger_id=trigger, timeout=1.0)
    return url, opened[0].response["view"] if opened else None


@pytest.mark.parametrize("collaboration, flagged", [("informal", True), ("strategic", True), ("formal", False)])
def test_a_transfer_of_staff_is_flagged_on_a_less_than_formal_board_but_never_blocked(
        bot_server, team, channel, collaboration, flagged):
    ts, _ = agreed_within_authority(bot_server, team, channel, collaboration=collaboration,
                                    marks=("transfers_staff",))
    poll = latest_render(bot_server, channel, ts, until=lambda t: "Agreed" in t)
    outcome = reply_text(posted(bot_server, channel, ":white_check_mark: Agreed")[-1])
    for shown in (poll, outcome):
        assert (f"This involves a transfer of staff, which {FLAG}." in shown) is flagged, shown


def test_a_category_takes_the_boards_rule_for_it_and_only_the_chair_may_choose_another(bot_server, team, channel, p):
    scheme_board(bot_server, team=team, channel=channel, members=p.members)
    saved = said(bot_server, "rule service change supermajority 2/3", team=team, channel=channel)
    assert "New *Service change* proposals take supermajority of 2/3." in saved
    rules = said(bot_server, "rules", team=team, channel=channel, user=p.fin)
    assert "*Service change*: supermajority of 2/3" in rules
    assert "*Finance*: consensus (no objections) (the board's default)" in rules
    assert "Only the chair or secretary" in said(bot_server, "rule finance majority", team=team, channel=channel,
                                                 user=p.fin)
    service = {"category": "service_change", "amount": "", "title": "Merge the two stroke units"}
    assert modal_errors(propose(bot_server, team=team, channel=channel, user=p.fin, rule="category", **service)) == {}
    ts, _ = new_poll(bot_server, channel)
    assert "Supermajority of 2/3 of votes for or against" in latest_render(bot_server, channel, ts)

    proposals = bot_server.count(ProposalRow)
    refused = propose(bot_server, team=team, channel=channel, user=p.fin, rule="consensus", **service)
    assert "Only the chair can choose a different decision rule" in modal_errors(refused).get("rule", ""), refused.body
    assert bot_server.count(ProposalRow) == proposals

    assert modal_errors(propose(bot_server, team=team, channel=channel, rule="majority", **service)) == {}
    ts, _ = new_poll(bot_server, channel, after=1)
    shown = latest_render(bot_server, channel, ts)
    assert "Simple majority; quorum: " in shown
    assert f"(chosen by <@{CHAIR}> instead of the board's rule for this category)" in shown

    cleared = said(bot_server, "rule service change default", team=team, channel=channel)
    assert "New *Service change* proposals take consensus (no objections) (the board's default)." in cleared
    assert "*Service change*: consensus (no objections) (the board's default)" in said(
        bot_server, "rules", team=team, channel=channel)


def test_an_organisation_given_its_own_amount_is_committed_by_its_member_if_that_is_within_their_limit(
        bot_server, team, channel, p):
    pid, _ = pending_at_cfo(bot_server, team, channel, p)
    ts = next(ts for ts, found in polls(bot_server, channel) if found == pid)
    shown = latest_render(bot_server, channel, ts, until=lambda t: "Sign-off through each organisation" in t)
    assert "Northshire NHS Trust: Waiting on Chief Finance Officer" in shown and "Gateshead Council:" not in shown
    assert not posted(bot_server, p.gdir, "Sign-off needed", timeout=1), "Gateshead's £40k is within its member's £50k"

    proposals = bot_server.count(ProposalRow)
    unknown = propose(bot_server, team=team, channel=channel, user=p.fin, org_amounts="Nowhere Trust = 10k")
    assert "Organisation = amount" in modal_errors(unknown).get("org_amounts", ""), unknown.body
    assert bot_server.count(ProposalRow) == proposals


def test_escalations_lists_a_request_for_its_approver_to_answer_and_for_its_proposer_as_waiting(
        bot_server, team, channel, p):
    pending_at_cfo(bot_server, team, channel, p)
    mine = said(bot_server, "escalations", team=team, channel=channel, user=p.cfo)
    assert "For you to answer:" in mine and TITLE in mine.split("Waiting on others")[0]
    assert "Nothing is waiting on others." in mine
    theirs = said(bot_server, "escalations", team=team, channel=channel, user=p.fin)
    assert "Nothing is waiting on you." in theirs
    assert "Waiting on others:" in theirs and "Chief Finance Officer" in theirs.split("Waiting on others")[1]


def test_a_decision_taken_under_delegation_waits_for_the_boards_review_and_only_the_chair_marks_it_reviewed(
        bot_server, team, channel):
    _, pid = agreed_within_authority(bot_server, team, channel, marks=("binding",))
    queue = said(bot_server, "review-delegated", team=team, channel=channel)
    assert TITLE in queue
    assert "Risks noted: commits £1,200,000; marked as needing formal arrangements." in queue

    url, form = click_reviewed(bot_server, pid, user=SECRETARY, team=team, channel=channel)
    assert form is None
    assert "Only the chair can mark a decision taken under delegation as reviewed" in reply_text(
        bot_server.responses(url)[0])

    review = f"Delegated decisions {uuid.uuid4().hex[:6]}"
    view = open_view(bot_server, "reviews add", team=team, channel=channel)
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    values = {ScheduleBlock.REVIEW_KIND.value: {INPUT: payloads.selected("delegated")},
              ScheduleBlock.REVIEW_TITLE.value: {INPUT: payloads.plain_value(review)},
              ScheduleBlock.STARTS_ON.value: {INPUT: {"type": "datepicker", "selected_date": today}},
              ScheduleBlock.RECURRENCE.value: {INPUT: payloads.selected("quarterly")},
              ScheduleBlock.TELL.value: {INPUT: payloads.selected("channel")}}
    assert "added" in reply_text(json.loads(submit_view(bot_server, view, values, user=CHAIR, team=team).body)["view"])
    with bot_server.db.read() as uow:
        review_id = uow.session.execute(text("SELECT id FROM reviews WHERE title = :t"), {"t": review}).scalar_one()
    make_due(bot_server, "key LIKE :key", key=f"review.due:{review_id}:%")  # unless already due and sent
    [due] = posted(bot_server, channel, f"{review}* is due")
    assert TITLE in reply_text(due) and "Risks noted: commits £1,200,000" in reply_text(due)

    _, form = click_reviewed(bot_server, pid, user=CHAIR, team=team, channel=channel)
    assert form is not None
    note = {DelegationBlock.NOTE.value: {INPUT: payloads.plain_value("Reviewed at the March meeting.")}}
    done = json.loads(submit_view(bot_server, form, note, user=CHAIR, team=team).body)
    assert f"is marked reviewed by <@{CHAIR}>: Reviewed at the March meeting." in reply_text(done["view"])
    assert "No decisions taken under delegation are waiting" in said(bot_server, "review-delegated", team=team,
                                                                     channel=channel)


def test_a_deputy_answers_for_an_approver_while_they_cover_and_the_record_says_for_whom(bot_server, team, channel, p):
    two_organisations(bot_server, team, channel, p)
    deputy, today = someone("DEP"), datetime.now(ZoneInfo("Europe/London")).date()
    period = f"from {today.isoformat()} until {(today + timedelta(days=10)).isoformat()}"
    named = said(bot_server, f"deputy <@{p.cfo}> <@{deputy}> Northshire NHS Trust {period}", team=team,
                 channel=channel)
    assert f"<@{deputy}> answers requests for sign-off for <@{p.cfo}> at Northshire NHS Trust" in named
    refused = said(bot_server, f"deputy <@{p.councillor}> <@{deputy}> Northshire NHS Trust {period}", team=team,
                   channel=channel)
    assert f"<@{p.councillor}> is not an approver in *Northshire NHS Trust*'s escalation chain" in refused

    assert modal_errors(propose(bot_server, team=team, channel=channel, user=p.fin,
                                org_amounts="Gateshead Council = 40k")) == {}
    ts, pid = new_poll(bot_server, channel)
    escalation_id, asked = request_to(bot_server, deputy)
    assert NORTHSHIRE_CFO in asked and f"Deputising: <@{deputy}> for <@{p.cfo}>." in asked
    assert not posted(bot_server, p.cfo, "Sign-off needed", timeout=1), "the CFO is covered by the deputy"
    assert TITLE in said(bot_server, "escalations", team=team, channel=channel, user=deputy).split("Waiting on")[0]

    reply, _ = answer(bot_server, escalation_id, user=deputy, team=team, comment="Covering for the CFO.")
    by = f"Endorsed by <@{deputy}> for <@{p.cfo}> (Chief Finance Officer)"
    assert by in reply_text(json.loads(reply.body)["view"])
    everyone_agrees(bot_server, team, channel, ts, pid, p)
    settled = posted(bot_server, channel, ":white_check_mark: Agreed")
    assert settled and by in reply_text(settled[-1])


def test_a_chain_changed_while_a_request_waits_leaves_it_where_it_is_and_tells_the_chair(
        bot_server, team, channel, p):
    _, escalation_id = pending_at_cfo(bot_server, team, channel, p)
    new_cfo = someone("NCF")
    people = (p.fin, p.councillor, p.cfo, p.board, p.gdir, p.dir, new_cfo)
    asked = signoff_requests(bot_server, people)
    kept = "Each stays with the level it is at (Chief Finance Officer)"
    told_before = len(posted(bot_server, CHAIR, kept, timeout=0))

    chain = [("Director of Operations", [p.dir], "500k", "2"), ("Chief Finance Officer", [new_cfo], "3m", "2"),
             ("Trust Board", [p.board], "unlimited", "5")]
    saved = set_chain(bot_server, "Northshire NHS Trust", chain, team=team, channel=channel)
    assert "1 request already waiting keep the level they are at" in reply_text(json.loads(saved.body)["view"])
    deadline = time.monotonic() + 8
    while len(dms := posted(bot_server, CHAIR, kept, timeout=0)) <= told_before:
        assert time.monotonic() < deadline, "the chair was never told the waiting request stays put"
        time.sleep(0.05)
    assert "*Northshire NHS Trust*'s escalation chain changed while 1 request for sign-off was waiting" in (
        reply_text(dms[-1]))

    time.sleep(1.5)
    assert signoff_requests(bot_server, people) == asked, "nobody is asked again"
    still = said(bot_server, "escalations", team=team, channel=channel, user=p.cfo)
    assert TITLE in still.split("Waiting on others")[0], "the request is still the CFO's to answer"
    _, url = answer(bot_server, escalation_id, user=new_cfo, team=team)
    assert f"Only <@{p.cfo}> (Chief Finance Officer) can answer" in reply_text(bot_server.responses(url)[0])


def test_a_limit_changed_while_a_request_waits_leaves_it_where_it_is_and_tells_the_chair(
        bot_server, team, channel, p):
    pending_at_cfo(bot_server, team, channel, p)
    people = (p.fin, p.councillor, p.cfo, p.board, p.gdir, p.dir)
    asked, kept = signoff_requests(bot_server, people), "stays with the level it is at"
    told_before = len(posted(bot_server, CHAIR, kept, timeout=0))
    assert "up to £5,000,000" in said(bot_server, f"authority set <@{p.fin}> finance 5m", team=team, channel=channel)
    time.sleep(1.5)
    assert signoff_requests(bot_server, people) == asked, "nobody is asked again"
    assert TITLE in said(bot_server, "escalations", team=team, channel=channel, user=p.cfo).split("Waiting on")[0]
    dms = posted(bot_server, CHAIR, kept, timeout=5)
    assert len(dms) > told_before, "the chair was not told"


def test_an_organisation_can_be_typed_and_renamed_keeping_its_members_and_the_audit_chain(
        bot_server, team, channel, p):
    scheme_board(bot_server, team=team, channel=channel, members=p.members)
    typed = said(bot_server, "org type Northshire NHS Trust foundation trust", team=team, channel=channel)
    assert "*Northshire NHS Trust* is recorded as a foundation trust." in typed
    assert "*Northshire NHS Trust* (foundation trust)" in said(bot_server, "org list", team=team, channel=channel)

    renamed = said(bot_server, "org rename Gateshead Council to Gateshead Metropolitan Council", team=team,
                   channel=channel)
    assert "*Gateshead Council* is now called *Gateshead Metropolitan Council*" in renamed
    members = said(bot_server, "members", team=team, channel=channel)
    assert f"*Gateshead Metropolitan Council*: <@{p.councillor}> (member)" in members
    assert "*Gateshead Council*" not in members
    joined = someone("NEW")
    assert "is now a member for *Gateshead Metropolitan Council*" in said(
        bot_server, f"members add <@{joined}> gateshead metropolitan council member", team=team, channel=channel)
    verified = bot_server.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_forged_or_replayed_answer_is_refused_and_another_workspace_cannot_answer(bot_server, team, channel, p):
    _, escalation_id = pending_at_cfo(bot_server, team, channel, p)
    stranger = "T" + uuid.uuid4().hex[:10].upper()
    _, url, form = answer_form(bot_server, escalation_id, user=p.cfo, team=stranger)
    assert form is None
    assert "That request for sign-off no longer exists." in reply_text(bot_server.responses(url)[0])

    _, _, form = answer_form(bot_server, escalation_id, user=p.cfo, team=team)
    assert form is not None
    comment = {DelegationBlock.COMMENT.value: {INPUT: payloads.plain_value("Within the capital plan.")}}
    sealed = form["private_metadata"]
    other = sealed.replace(f'"escalation":{escalation_id}', f'"escalation":{escalation_id + 1}')
    assert other != sealed
    for metadata in (other, "0" * 32 + sealed[32:], sealed[32:], ""):
        reply = submit_view(bot_server, {**form, "private_metadata": metadata}, comment, user=p.cfo, team=team)
        assert "out of date" in modal_errors(reply).get(DelegationBlock.COMMENT.value, ""), reply.body
    as_another = submit_view(bot_server, form, comment, user=p.board, team=team)
    assert "didn't carry what I expected" in modal_errors(as_another).get(DelegationBlock.COMMENT.value, "")

    endorsed = submit_view(bot_server, form, comment, user=p.cfo, team=team)
    assert modal_errors(endorsed) == {}
    replayed = submit_view(bot_server, form, comment, user=p.cfo, team=team)
    assert "already been answered" in modal_errors(replayed).get(DelegationBlock.COMMENT.value, ""), replayed.body


