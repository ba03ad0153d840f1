"""Who a sign-off request goes to when some answerers may not answer (the proposer, the recused), and who may
answer a request sent to a channel."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.domain.delegation import Level
from bot.domain.errors import NotAllowed
from bot.domain.escalation import EscalationState
from bot.outbound.registry import Kind
from bot.services import chains, escalations, proposals
from prompts.errors import mrkdwn
from tests.unit import test_delegation_services as base
from tests.unit.test_delegation_services import (
    CEO,
    CFO,
    CHAIR,
    CHANNEL,
    DOF,
    NOW,
    TEAM,
    K,
    asked,
    give_chain,
    notices,
    propose,
    set_limit,
)

db = base.db  # a fixture


def name_deputy(db, approver: str, deputy: str) -> None:
    chains.add_deputy(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, approver=approver, deputy=deputy,
                      organisation="Leeds", from_date=date(2026, 11, 1), until_date=date(2026, 12, 31), now=NOW)


def test_the_cfo_is_asked_when_the_directors_deputy_is_the_proposer_and_the_chair_is_told(db):
    give_chain(db, "Leeds", DOF, CFO, CEO)
    set_limit(db, "U2", "1k")
    set_limit(db, "U3", "unlimited")
    name_deputy(db, "UDOF", CHAIR)  # the chair brings the proposal below
    [e] = asked(db, propose(db, 20 * K))
    assert (e.state, e.level_title, e.approvers) == (EscalationState.OPEN, "Chief Finance Officer", ("UCFO",))
    assert [j.payload["to"] for j in db.jobs(Kind.ESCALATION_ASK)] == ["UCFO"], "the proposer is never asked"
    [told] = notices(db, "escalation.skipped")
    assert told.payload["to"]["user_id"] == CHAIR and told.payload["data"] == {"escalation": e.id}


def test_a_level_with_someone_still_free_is_asked_without_telling_the_chair(db):
    give_chain(db, "Leeds", Level(1, "Directors", ("UDOF", CHAIR), None, 25 * K), CFO, CEO)
    set_limit(db, "U2", "1k")
    set_limit(db, "U3", "unlimited")
    [e] = asked(db, propose(db, 20 * K))
    assert (e.level_title, e.approvers) == ("Directors", ("UDOF",))
    assert notices(db, "escalation.skipped") == []


# A request sent to a channel

TRUST_BOARD = Level(1, "Trust Board", (), "CBOARD", None)


class FakeMembers:
    """The ChannelMembers port: who is in which channel, and who was looked up."""

    def __init__(self, **channels: set[str]):
        self.channels, self.asked = channels, []

    def is_member(self, channel_id: str, user_id: str) -> bool:
        self.asked.append((channel_id, user_id))
        return user_id in self.channels.get(channel_id, set())


def channel_request(db):
    give_chain(db, "Leeds", TRUST_BOARD)
    set_limit(db, "U2", "1k")
    set_limit(db, "U3", "unlimited")
    [e] = asked(db, propose(db, 20 * K))
    return e


def answer_as(db, e, user: str, members: FakeMembers):
    return escalations.answer(db, team_id=TEAM, escalation_id=e.id, actor=user, endorse=True, comment="", now=NOW,
                              members=members)[0]


def test_someone_on_no_board_and_not_in_the_channel_is_refused_and_nothing_is_written(db):
    e = channel_request(db)
    members = FakeMembers(CBOARD={"U2", "U3"})
    before = (len(db.store.audit), len(db.jobs()))
    for attempt in (escalations.answerable, escalations.answer):
        with pytest.raises(NotAllowed) as refused:
            attempt(db, team_id=TEAM, escalation_id=e.id, actor="UNOBODY",
                    **({"endorse": True, "comment": "", "now": NOW} if attempt is escalations.answer else {}),
                    members=members)
        assert re.search(r"Only members of <#CBOARD> who sit for Leeds .* Nothing was recorded", mrkdwn(refused.value))
    assert (len(db.store.audit), len(db.jobs())) == before and asked(db, e.proposal_id)[0].answered_by is None
    assert members.asked == [], "Slack is not asked about someone who does not sit for the organisation"


def test_a_channel_member_from_another_organisation_is_refused(db):
    e = channel_request(db)
    with pytest.raises(NotAllowed, match="who sit for Leeds"):
        answer_as(db, e, "U3", FakeMembers(CBOARD={"U2", "U3"}))
    assert asked(db, e.proposal_id)[0].state is EscalationState.OPEN


def test_a_member_of_the_organisation_who_is_not_in_the_channel_is_refused(db):
    e = channel_request(db)
    with pytest.raises(NotAllowed) as refused:
        answer_as(db, e, "U2", FakeMembers(CBOARD={"U3"}))
    assert re.search("Only members of <#CBOARD>", mrkdwn(refused.value))


def test_a_channel_member_of_the_organisation_answers_and_is_recorded_as_the_one_who_did(db):
    e = channel_request(db)
    answered = answer_as(db, e, "U2", FakeMembers(CBOARD={"U2"}))
    assert (answered.state, answered.answered_by) == (EscalationState.ENDORSED, "U2")
    assert asked(db, e.proposal_id)[0].answered_by == "U2"
    [(actor, _, payload)] = [a for a in db.store.audit if a[1] == "escalation.endorsed"]
    assert actor == "U2" and payload["answered_by"] == "U2" and payload["channel"] == "CBOARD"


def test_when_slack_cannot_say_who_is_in_the_channel_the_answer_is_refused(db):
    class Unreachable:
        def is_member(self, channel_id: str, user_id: str) -> bool:
            raise NotAllowed("Slack could not confirm just now who is in <#CBOARD>")

    e = channel_request(db)
    with pytest.raises(NotAllowed, match="Slack could not confirm"):
        answer_as(db, e, "U2", Unreachable())
    assert asked(db, e.proposal_id)[0].state is EscalationState.OPEN


def test_an_approver_the_chair_has_recused_cannot_answer(db):
    give_chain(db, "Leeds", Level(1, "Directors", ("U2", "UDOF"), None, None))
    set_limit(db, "U2", "1k")
    set_limit(db, "U3", "unlimited")
    [e] = asked(db, pid := propose(db, 20 * K))
    proposals.declare_interest(db, team_id=TEAM, proposal_id=pid, actor="U2", reason="My team gains", now=NOW)
    proposals.decide_interest(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, user_id="U2", recuse=True, now=NOW)
    with pytest.raises(NotAllowed, match="recused you"):
        answer_as(db, e, "U2", FakeMembers())
    assert answer_as(db, e, "UDOF", FakeMembers()).answered_by == "UDOF"
