"""Who may act, across workspaces and after leaving a board; retries and races (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.decisions import Position
from bot.domain.errors import Conflict, InvalidValue, NotAllowed, NotFound
from bot.services import boards, polls, proposals
from bot.services.uow import AlreadyHandled
from prompts.errors import mrkdwn
from storage.models import AuditEventRow, BoardRow, MemberRow, ProcessedRequest, VoteRow
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, count, make_board
from tests.integration.test_proposals import NOW, propose, seat, vote

OTHER_TEAM = "T2OTHER"


def test_a_user_of_another_workspace_can_neither_vote_on_nor_close_a_poll(db):
    make_board(db)
    pid = propose(db)
    with pytest.raises(NotFound):
        proposals.record_vote(db, team_id=OTHER_TEAM, proposal_id=pid, actor=CHAIR, position=Position.AGREE, now=NOW)
    with pytest.raises(NotFound):
        proposals.close_now(db, team_id=OTHER_TEAM, proposal_id=pid, actor=CHAIR, now=NOW)
    with pytest.raises(NotFound):
        proposals.check_may(db, team_id=OTHER_TEAM, proposal_id=pid, actor=CHAIR, ability=proposals.Ability.VOTE)
    assert count(db, VoteRow) == 0
    assert polls.read_poll(db, pid).proposal.status.value == "open"


def test_a_proposer_removed_from_the_board_can_no_longer_steer_their_poll(db):
    make_board(db)
    seat(db, {"U2": "member"})
    pid = propose(db, actor="U2")
    boards.remove_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", now=NOW)
    for attempt in (lambda: proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor="U2", now=NOW),
                    lambda: proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor="U2", now=NOW,
                                                withdraw=True),
                    lambda: proposals.extend(db, team_id=TEAM, proposal_id=pid, actor="U2",
                                             closes_at=NOW + timedelta(days=9), now=NOW)):
        with pytest.raises(NotAllowed):
            attempt()
    assert polls.read_poll(db, pid).proposal.status.value == "open"


def test_a_board_cannot_be_set_up_with_an_observer_as_its_only_manager(db):
    with pytest.raises(InvalidValue) as error:
        boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Board",
                           kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                           timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Leeds",
                           role=Role.OBSERVER, now=NOW)
    assert error.value.field == "role"
    assert count(db, BoardRow) == 0


def test_a_name_made_only_of_invisible_characters_is_refused(db):
    make_board(db)
    with pytest.raises(InvalidValue):
        boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="\u200b\u200d\ufeff", now=NOW)
    with pytest.raises(InvalidValue):
        propose(db, title="\u200b \u2060")


def test_a_slack_retry_of_a_request_that_saved_changes_nothing_more(db):
    make_board(db)
    first = db.for_request("command:1.2.3")
    boards.add_organisation(first, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Gateshead Council", now=NOW)
    events = count(db, AuditEventRow)
    retry = db.for_request("command:1.2.3")
    with pytest.raises(AlreadyHandled):
        boards.add_member(retry, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U9",
                          organisation="Gateshead Council", role=Role.MEMBER, now=NOW)
    assert count(db, AuditEventRow) == events and count(db, MemberRow) == 1


def test_a_request_that_fails_leaves_its_key_unclaimed_for_slacks_retry(db):
    make_board(db)
    failing = db.for_request("command:4.5.6")
    with pytest.raises(NotFound):
        boards.add_member(failing, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U9",
                          organisation="Nowhere Trust", role=Role.MEMBER, now=NOW)
    assert not failing.scope.committed
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(ProcessedRequest)).scalar_one() == 0
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Nowhere Trust", now=NOW)
    boards.add_member(db.for_request("command:4.5.6"), team_id=TEAM, channel_id=CHANNEL, actor=CHAIR,
                      user_id="U9", organisation="Nowhere Trust", role=Role.MEMBER, now=NOW)
    assert count(db, MemberRow) == 2


def test_two_identical_member_additions_at_once_add_one_member_without_an_error(db):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Gateshead Council", now=NOW)
    start, outcomes, errors = threading.Barrier(8), [], []

    def add():
        start.wait()
        try:
            outcomes.append(boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U5",
                                              organisation="Gateshead Council", role=Role.MEMBER, now=NOW).outcome)
        except Exception as exc:  # the test fails on any error
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["added"] + ["unchanged"] * 7
    assert count(db, MemberRow) == 2


def test_the_nominated_voter_speaks_for_their_organisation_and_others_are_told_first(db):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="York Council", now=NOW)
    seat(db, {"U2": "member", "U3": "member"}, org="York Council")
    boards.nominate_voter(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U3", now=NOW)
    pid = propose(db, options=["per_organisation"], quorum="1")
    receipt = vote(db, pid, "U2", Position.OBJECT, reason="Not costed")
    assert receipt.counted_for == "U3" and receipt.nominated
    snap = polls.read_poll(db, pid)
    assert [v.user_id for v in snap.tally.superseded] == ["U2"]
    assert "U3" in [w.user_id for w in snap.tally.waiting] and "U2" not in [w.user_id for w in snap.tally.waiting]
    assert vote(db, pid, "U3", Position.AGREE).counted_for is None
    assert vote(db, pid, CHAIR, Position.AGREE).closed
    assert polls.read_poll(db, pid).outcome.value == "agreed"


def test_only_a_manager_nominates_and_only_a_voting_member_can_be_nominated(db):
    make_board(db)
    seat(db, {"U2": "member", "UOBS": "observer"})
    with pytest.raises(NotAllowed):
        boards.nominate_voter(db, team_id=TEAM, channel_id=CHANNEL, actor="U2", user_id="U2", now=NOW)
    with pytest.raises(Conflict):
        boards.nominate_voter(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="UOBS", now=NOW)


def test_nominating_a_second_member_of_an_organisation_replaces_the_first(db):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="York Council", now=NOW)
    seat(db, {"U2": "member", "U3": "member"}, org="York Council")
    boards.nominate_voter(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", now=NOW)
    boards.nominate_voter(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U3", now=NOW)
    board = boards.list_members(db, team_id=TEAM, channel_id=CHANNEL)
    assert [m.user_id for m in board.members if m.org_voter] == ["U3"]


def test_the_history_of_a_decision_is_for_the_chair_and_never_for_a_secret_ballot(db):
    make_board(db)
    seat(db, {"U2": "member"})
    pid = propose(db)
    vote(db, pid, "U2", Position.OBJECT, reason="Not costed")
    vote(db, pid, "U2", Position.STAND_ASIDE)
    vote(db, pid, CHAIR, Position.AGREE)
    number = polls.read_poll(db, pid).number
    with pytest.raises(NotAllowed) as refused:
        polls.decision_history(db, team_id=TEAM, channel_id=CHANNEL, actor="U2", number=number)
    assert "can see how each member's position changed" in mrkdwn(refused.value)
    assert "change it" not in mrkdwn(refused.value) and "updating" not in mrkdwn(refused.value)
    snap = polls.decision_history(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, number=number)
    assert [(c.user_id, c.position) for c in snap.history] == [
        ("U2", Position.OBJECT), ("U2", Position.STAND_ASIDE), (CHAIR, Position.AGREE)]
    secret = propose(db, key="k2", rule=DecisionRule.MAJORITY, options=["secret"], quorum="1")
    proposals.close_now(db, team_id=TEAM, proposal_id=secret, actor=CHAIR, now=NOW)
    with pytest.raises(Conflict):
        polls.decision_history(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR,
                               number=polls.read_poll(db, secret).number)


def test_names_are_asked_of_slack_once_and_then_cached(db):
    from bot.services.people import display_names

    asked = []

    def lookup(user_id):
        asked.append(user_id)
        if user_id == "UGONE":
            raise LookupError("user_not_found")
        return f"Name of {user_id}"

    names, unnamed = display_names(db, lookup, team_id=TEAM, user_ids={"U1", "U2", "UGONE"}, now=NOW)
    assert names == {"U1": "Name of U1", "U2": "Name of U2"} and unnamed == ["UGONE"]
    names, _ = display_names(db, lookup, team_id=TEAM, user_ids={"U1", "U2"}, now=NOW + timedelta(days=1))
    assert names["U1"] == "Name of U1" and asked == ["U1", "U2", "UGONE"]
