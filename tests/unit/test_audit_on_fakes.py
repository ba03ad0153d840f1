"""`audit verify` on the in-memory unit of work: the keyed chain, and every table row that differs from what the
log says, named."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.domain.boards import DecisionRule, Member, Role
from bot.domain.decisions import Position
from bot.services import proposals
from bot.services.audit import current_head, verify_audit
from tests.fakes import FakeDatabase
from tests.unit.board_on_fakes import CHAIR, CHANNEL, TEAM, four_member_board

NOW = datetime(2026, 11, 24, 10, 0)
ORG = "Leeds"


@pytest.fixture
def db() -> FakeDatabase:
    return four_member_board(NOW)


def open_vote(db, *, secret: bool = False) -> int:
    pid = proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, request_key="view:V1",
                                    title="Shared bank staff pilot", description="", category="workforce",
                                    amount=None, closes_at=NOW + timedelta(days=3),
                                    rule=DecisionRule.MAJORITY if secret else DecisionRule.CONSENSUS, threshold="",
                                    quorum="1", options={"secret"} if secret else set(), now=NOW)
    for user, position in (("U2", Position.AGREE), ("U3", Position.STAND_ASIDE)):
        proposals.record_vote(db, team_id=TEAM, proposal_id=pid, actor=user, position=position, now=NOW)
    return pid


def test_a_log_and_tables_that_agree_verify_intact(db):
    open_vote(db)
    report = verify_audit(db)
    assert report.intact and report.events == len(db.store.chain) > 0


def test_a_vote_changed_or_deleted_in_the_table_is_named(db):
    pid = open_vote(db)
    votes = db.store.votes[pid]
    votes["U2"] = replace(votes["U2"], position=Position.OBJECT)
    del votes["U3"]
    assert verify_audit(db).differences == [
        f"votes: proposal {pid}, user U2: the table says object, the log says agree",
        f"votes: proposal {pid}, user U3: in the log (stand_aside) but not in the table"]


def test_a_secret_ballot_vote_changed_in_the_table_is_named_by_its_user(db):
    pid = open_vote(db, secret=True)
    assert "U2" not in str([e.payload for e in db.store.chain if e.action == "vote.recorded"])
    assert verify_audit(db).intact
    votes = db.store.votes[pid]
    votes["U3"] = replace(votes["U3"], position=Position.OBJECT)
    assert verify_audit(db).differences == [
        f"votes: proposal {pid}, user U3 (secret ballot): the table says object, the log says stand_aside"]


def test_a_member_slipped_into_the_table_is_named(db):
    board = db.store.boards[1][1]
    board.members.append(Member("UNEW", ORG, Role.CHAIR, organisation_id=board.members[0].organisation_id))
    assert verify_audit(db).differences == [
        f"members: board 1, user UNEW: in the table (chair for {ORG}) but not in the log"]


def test_an_edited_event_breaks_the_chain_at_that_event(db):
    open_vote(db)
    event = db.store.chain[2]
    db.store.chain[2] = replace(event, payload={**event.payload, "edited": True})
    report = verify_audit(db)
    assert report.broken is not None and report.broken.seq == event.seq and not report.intact


def test_the_head_is_the_last_event_and_a_saved_head_must_still_match(db):
    open_vote(db)
    seq, digest = current_head(db)
    assert (seq, digest) == (db.store.chain[-1].seq, db.store.chain[-1].hash)
    assert verify_audit(db, expect=(seq, digest)).intact
    assert verify_audit(db, expect=(seq, "0" * 64)).broken is not None
