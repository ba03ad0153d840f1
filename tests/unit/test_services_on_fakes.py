"""Services on an in-memory unit of work: the rules, the events they record, and the jobs those become."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.decisions import Position
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.events import Route
from bot.outbound.kinds.polls import POLL_CLOSE
from bot.outbound.registry import Kind
from bot.services import boards, polls, proposals
from bot.services.uow import AlreadyHandled
from tests.fakes import FakeDatabase

NOW = datetime(2026, 11, 24, 10, 0)
TEAM, CHANNEL, CHAIR = "T1", "C1", "UCHAIR"


@pytest.fixture
def db() -> FakeDatabase:
    db = FakeDatabase(NOW)
    boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="North Finance Network",
                       kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                       timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Leeds",
                       role=Role.CHAIR, now=NOW)
    for user in ("U2", "U3"):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, organisation="Leeds",
                          role=Role.MEMBER, now=NOW)
    return db


def propose(db, *, rule=DecisionRule.CONSENSUS, key="view:V1", closes=timedelta(days=3)) -> int:
    return proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, request_key=key,
                                     title="Shared bank staff pilot", description="", category="workforce",
                                     amount=None, closes_at=NOW + closes, rule=rule, threshold="", quorum="1",
                                     options=set(), now=NOW)


def vote(db, pid, user, position=Position.AGREE, **kwargs):
    return proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=user, position=position, now=NOW,
                                 **kwargs)


def test_setting_up_a_board_queues_its_announcement_and_the_founders_home():
    db = FakeDatabase(NOW)
    boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Board", kind=BoardKind.PEER_NETWORK,
                       collaboration_type=CollaborationType.INFORMAL, timezone="Europe/London",
                       default_rule=DecisionRule.CONSENSUS, organisation="Leeds", role=Role.CHAIR, now=NOW)
    assert [j.kind for j in db.jobs()] == [Kind.BOARD_ANNOUNCE, Kind.HOME]
    assert db.jobs(Kind.BOARD_ANNOUNCE)[0].channel == CHANNEL


def test_opening_a_poll_queues_its_message_and_its_deadline(db):
    pid = propose(db)
    [render] = db.jobs(Kind.POLL_RENDER)
    [deadline] = db.jobs(Kind.POLL_CLOSE)
    assert render.redraw and render.payload == {"proposal": pid}
    assert deadline.key == POLL_CLOSE.key(pid) and deadline.due_at == NOW + timedelta(days=3)


def test_a_vote_queues_a_redraw_and_a_receipt_to_the_voter(db):
    pid = propose(db)
    route = Route(TEAM, "U2", CHANNEL, "https://hooks.example/1")
    vote(db, pid, "U2", reply_to=route)
    [receipt] = db.jobs(Kind.NOTICE)
    assert receipt.payload["to"]["response_url"] == route.response_url
    assert receipt.payload["data"]["position"] == Position.AGREE and receipt.payload["what"] == "vote.receipt"
    assert len(db.jobs(Kind.POLL_RENDER)) == 1, "redraws of one poll are one job"


def test_the_last_vote_closes_the_poll_numbers_it_and_cancels_its_deadline(db):
    pid = propose(db)
    for user in ("U2", "U3", CHAIR):
        receipt = vote(db, pid, user)
    assert receipt.closed
    assert polls.read_poll(db, pid).number == "CB-2026-001"
    assert POLL_CLOSE.key(pid) in db.store.cancelled
    assert db.jobs(Kind.POLL_OUTCOME)


def test_an_advisory_sense_check_takes_no_register_number_and_is_not_a_decision(db):
    pid = propose(db, rule=DecisionRule.ADVISORY)
    proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, now=NOW)
    assert polls.read_poll(db, pid).number is None
    assert polls.recent_decisions(db, team_id=TEAM, channel_id=CHANNEL) == []
    assert db.jobs(Kind.POLL_OUTCOME), "its views are still summarised in the thread"


def test_extending_a_poll_moves_its_deadline_job(db):
    pid = propose(db)
    later = NOW + timedelta(days=9)
    proposals.extend(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, closes_at=later, now=NOW)
    assert db.jobs(Kind.POLL_CLOSE)[0].due_at == later


def test_a_deadline_job_closes_only_a_poll_that_is_due(db):
    pid = propose(db)
    assert not polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=1))
    assert polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=3))
    assert not polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=4))


def test_a_refused_vote_records_nothing_and_queues_nothing(db):
    pid = propose(db)
    jobs = len(db.jobs())
    with pytest.raises(NotAllowed):
        vote(db, pid, "USTRANGER")
    with pytest.raises(NotFound):
        proposals.record_vote(db, team_id="TOTHER", proposal_id=pid, actor="U2", position=Position.AGREE, now=NOW)
    assert len(db.jobs()) == jobs and polls.read_poll(db, pid).tally.cast == 0


def test_a_retried_request_records_its_vote_once(db):
    pid = propose(db)
    vote(db.for_request("block_actions:1"), pid, "U2")
    with pytest.raises(AlreadyHandled):
        vote(db.for_request("block_actions:1"), pid, "U2", position=Position.ABSTAIN)
    assert [v.position for v in polls.read_poll(db, pid).tally.counted] == [Position.AGREE]


def test_a_proxy_vote_tells_the_member_it_was_cast_for(db):
    pid = propose(db)
    proposals.record_proxy(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, for_user="U3",
                           position=Position.AGREE, reason="On leave", now=NOW)
    [notice] = db.jobs(Kind.NOTICE)
    assert notice.payload["to"]["user_id"] == "U3" and notice.payload["what"] == "vote.proxied"
    assert notice.channel == "U3"


def test_a_declared_interest_asks_the_chair_and_a_decision_shows_in_the_thread(db):
    pid = propose(db)
    assert proposals.declare_interest(db, team_id=TEAM, proposal_id=pid, actor="U2", reason="Related", now=NOW)
    assert db.jobs(Kind.INTEREST_ASKED)
    proposals.decide_interest(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, user_id="U2", recuse=True, now=NOW,
                              reply_to=Route(TEAM, CHAIR, CHANNEL, "https://hooks.example/2"))
    assert db.jobs(Kind.INTEREST_DECIDED)


def test_membership_changes_redraw_the_persons_home(db):
    boards.remove_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U3", now=NOW)
    assert any(j.payload == {"team": TEAM, "user": "U3"} for j in db.jobs(Kind.HOME))


def test_an_outcome_waiting_for_its_poll_goes_as_soon_as_the_poll_is_posted(db):
    from bot.domain.jobs import ClaimedJob, Job
    from bot.outbound.registry import on_sent

    pid = propose(db)
    with db.uow() as uow:  # the outcome ran first, found no poll to reply under, and backed off
        uow.outbox.add(Job(Kind.POLL_OUTCOME, f"{Kind.POLL_OUTCOME}:{pid}", NOW + timedelta(seconds=16)), now=NOW)
        uow.commit()
    render = ClaimedJob(1, Job(Kind.POLL_RENDER, f"{Kind.POLL_RENDER}:{pid}", NOW, {"proposal": pid}), 1, "o", NOW)
    with db.uow() as uow:
        on_sent(uow, render, {"ts": "1.000001", "posted": True})
        uow.commit()
    assert [job.due_at for job in db.jobs(Kind.POLL_OUTCOME)] == [NOW]
