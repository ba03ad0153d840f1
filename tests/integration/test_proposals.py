"""Proposals and votes on a real database (SQLite and PostgreSQL), including 200 concurrent voters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.boards import DecisionRule, Role
from bot.domain.decisions import Outcome, Position
from bot.domain.errors import Conflict, InvalidValue, NotAllowed
from bot.services import boards, polls, proposals
from bot.services.audit import verify_audit
from storage.models import ProposalRow, VoteHistoryRow, VoteRow
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board

NOW = datetime(2026, 11, 23, 10, 0)


def seat(db, users: dict[str, str], org="Leeds Teaching Hospitals"):
    for user, role in users.items():
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, organisation=org,
                          role=Role(role), now=NOW)


def propose(db, *, rule=DecisionRule.CONSENSUS, quorum="1/2", options=(), key="k1", actor=CHAIR, **extra):
    fields = dict(title="Shared bank staff pilot", description="Pilot a shared bank.", category="workforce",
                  amount=None, closes_at=NOW + timedelta(days=3), threshold="", now=NOW)
    fields.update(extra)
    return proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=actor, request_key=key, rule=rule,
                                     quorum=quorum, options=set(options), **fields)


def vote(db, pid, user, position, reason="", at=NOW):
    return proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=user, position=position, reason=reason,
                                 now=at)


def test_a_repeated_submission_opens_one_proposal(db):
    make_board(db)
    assert propose(db) == propose(db)
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(ProposalRow)).scalar_one() == 1


def test_bad_input_names_the_field_and_writes_nothing(db):
    make_board(db)
    with pytest.raises(InvalidValue) as err:
        propose(db, closes_at=NOW - timedelta(hours=1))
    assert err.value.field == "closes_at"
    with pytest.raises(InvalidValue) as err:
        propose(db, rule=DecisionRule.CONSENSUS, options=["secret"])
    assert err.value.field == "options"
    with pytest.raises(InvalidValue) as err:
        propose(db, amount=100_00)
    assert err.value.field == "amount"
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(ProposalRow)).scalar_one() == 0


def test_observers_cannot_vote_and_nothing_is_recorded(db):
    make_board(db)
    seat(db, {"UOBS": "observer"})
    pid = propose(db)
    with pytest.raises(NotAllowed):
        vote(db, pid, "UOBS", Position.AGREE)
    with pytest.raises(NotAllowed):
        vote(db, pid, "USTRANGER", Position.AGREE)
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(VoteRow)).scalar_one() == 0


def test_an_objection_needs_a_reason(db):
    make_board(db)
    pid = propose(db)
    with pytest.raises(InvalidValue):
        vote(db, pid, CHAIR, Position.OBJECT, reason="  ")


def test_changes_are_kept_in_history_and_everyone_voting_closes_the_poll(db):
    make_board(db)
    seat(db, {"U2": "member"})
    pid = propose(db)
    vote(db, pid, "U2", Position.OBJECT, reason="Not costed")
    receipt = vote(db, pid, "U2", Position.STAND_ASIDE)
    assert receipt.changed and not receipt.closed
    assert not vote(db, pid, "U2", Position.STAND_ASIDE).changed
    receipt = vote(db, pid, CHAIR, Position.AGREE)
    assert receipt.closed
    snap = polls.read_poll(db, pid)
    assert snap.outcome is Outcome.AGREED and snap.number == "CB-2026-001"
    with db.read() as uow:
        history = uow.session.execute(select(VoteHistoryRow.position).order_by(VoteHistoryRow.id)).scalars().all()
    assert history == ["object", "stand_aside", "agree"]
    with pytest.raises(Conflict):
        vote(db, pid, "U2", Position.AGREE)


def test_the_deadline_job_closes_a_due_poll_once(db):
    make_board(db)
    seat(db, {"U2": "member", "U3": "member"})
    pid = propose(db, quorum="1")
    vote(db, pid, "U2", Position.OBJECT, reason="Workforce not consulted")
    assert not polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=1))
    assert polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=3))
    assert not polls.close_if_due(db, proposal_id=pid, now=NOW + timedelta(days=4))
    snap = polls.read_poll(db, pid)
    assert snap.outcome is Outcome.NOT_AGREED
    assert verify_audit(db).broken is None


def test_a_recused_member_cannot_vote(db):
    make_board(db)
    seat(db, {"U2": "member"})
    pid = propose(db)
    assert proposals.declare_interest(db, team_id=TEAM, proposal_id=pid, actor="U2", reason="My spouse bids", now=NOW)
    with pytest.raises(NotAllowed):
        proposals.decide_interest(db, team_id=TEAM, proposal_id=pid, actor="U2", user_id="U2", recuse=False, now=NOW)
    proposals.decide_interest(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, user_id="U2", recuse=True, now=NOW)
    with pytest.raises(NotAllowed):
        vote(db, pid, "U2", Position.AGREE)
    receipt = vote(db, pid, CHAIR, Position.AGREE)
    assert receipt.closed, "with U2 recused, the chair was the only one left to vote"


def test_only_the_chair_records_a_proxy_and_it_shows(db):
    make_board(db)
    seat(db, {"U2": "member", "U3": "member"})
    pid = propose(db)
    with pytest.raises(NotAllowed):
        proposals.record_proxy(db, team_id=TEAM, proposal_id=pid, actor="U2", for_user="U3", position=Position.AGREE,
                               reason="Away", now=NOW)
    proposals.record_proxy(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, for_user="U3", position=Position.AGREE,
                           reason="On leave; agreed by email", now=NOW)
    [counted] = polls.read_poll(db, pid).tally.counted
    assert counted.user_id == "U3" and counted.proxy_by == CHAIR


def test_only_chair_secretary_or_proposer_may_close_extend_or_withdraw(db):
    make_board(db)
    seat(db, {"U2": "member", "U3": "member"})
    pid = propose(db, actor="U2")
    with pytest.raises(NotAllowed):
        proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor="U3", now=NOW)
    with pytest.raises(Conflict):
        proposals.extend(db, team_id=TEAM, proposal_id=pid, actor="U2", closes_at=NOW + timedelta(days=2), now=NOW)
    proposals.extend(db, team_id=TEAM, proposal_id=pid, actor="U2", closes_at=NOW + timedelta(days=5), now=NOW)
    proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor="U2", now=NOW, withdraw=True)
    assert polls.read_poll(db, pid).outcome is Outcome.WITHDRAWN


VOTERS = 200


@pytest.mark.parametrize("rule", [DecisionRule.MAJORITY])
def test_200_concurrent_voters_are_each_counted_exactly_once(db, rule):
    make_board(db)
    users = {f"UV{i:03d}": "member" for i in range(VOTERS)}
    for index in range(0, VOTERS, 50):
        seat(db, dict(list(users.items())[index:index + 50]))
    pid = propose(db, rule=rule, quorum="1")
    positions = [Position.AGREE, Position.OBJECT, Position.ABSTAIN, Position.STAND_ASIDE]

    def click(i: int):
        position = positions[i % 4]
        return vote(db, pid, f"UV{i:03d}", position, reason="too costly" if position is Position.OBJECT else "")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(click, range(VOTERS)))
        list(pool.map(click, range(VOTERS)))  # every click twice: a double click changes nothing
    snap = polls.read_poll(db, pid)
    assert snap.proposal.status.value == "open"  # the chair has not voted, so it stays open
    assert {p: snap.tally.counts[p] for p in positions} == {p: VOTERS // 4 for p in positions}
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(VoteRow)).scalar_one() == VOTERS
        assert uow.session.execute(select(func.count()).select_from(VoteHistoryRow)).scalar_one() == VOTERS
    assert verify_audit(db).broken is None
