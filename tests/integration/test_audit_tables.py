"""`audit verify` rebuilds memberships and votes from the log and names every table row that differs
(SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from bot.domain.boards import DecisionRule
from bot.domain.decisions import Position
from bot.services.audit import verify_audit
from storage.audit import read_events
from storage.models import BoardRow, ProposalRow
from tests.integration.test_boards import CHAIR, make_board
from tests.integration.test_proposals import NOW, propose, seat, vote

ORG = "Leeds Teaching Hospitals"


def change(db, statement: str, **params) -> None:
    """Edit a table by hand, as someone with raw database access could (these tables have no triggers)."""
    with db.uow() as uow:
        uow.session.execute(text(statement), params)
        uow.commit()


def ids(db) -> tuple[int, int]:
    with db.read() as uow:
        board = uow.session.query(BoardRow.id).scalar()
        proposal = uow.session.query(ProposalRow.id).order_by(ProposalRow.id.desc()).limit(1).scalar()
        return board, proposal


def open_vote(db, **options) -> int:
    make_board(db)
    seat(db, {"U3": "member", "U4": "member", "U5": "member"})
    pid = propose(db, **options)
    vote(db, pid, "U3", Position.AGREE)
    vote(db, pid, "U4", Position.STAND_ASIDE)
    return pid


def test_tables_that_match_the_log_report_nothing(db):
    open_vote(db)
    report = verify_audit(db)
    assert report.broken is None and report.differences == [] and report.intact


def test_a_member_whose_role_was_changed_in_the_table_is_named(db):
    open_vote(db)
    change(db, "UPDATE members SET role = 'observer' WHERE user_id = 'U5'")
    board, _ = ids(db)
    assert verify_audit(db).differences == [
        f"members: board {board}, user U5: the table says observer for {ORG}, the log says member for {ORG}"]


def test_a_member_slipped_into_the_table_is_named(db):
    open_vote(db)
    board, _ = ids(db)
    change(db, "INSERT INTO members (board_id, user_id, organisation_id, role, added_by, added_at) "
               "SELECT board_id, 'UNEW', organisation_id, 'chair', added_by, added_at FROM members WHERE user_id = :u",
           u=CHAIR)
    assert verify_audit(db).differences == [
        f"members: board {board}, user UNEW: in the table (chair for {ORG}) but not in the log"]


def test_a_vote_changed_or_deleted_in_the_table_is_named(db):
    pid = open_vote(db)
    change(db, "UPDATE votes SET position = 'object' WHERE user_id = 'U3'")
    change(db, "DELETE FROM votes WHERE user_id = 'U4'")
    assert verify_audit(db).differences == [
        f"votes: proposal {pid}, user U3: the table says object, the log says agree",
        f"votes: proposal {pid}, user U4: in the log (stand_aside) but not in the table"]


def test_a_secret_ballot_event_names_a_pseudonym_not_the_user(db):
    pid = open_vote(db, rule=DecisionRule.MAJORITY, options=["secret"])
    with db.read() as uow:
        recorded = [e.payload for e in read_events(uow.session) if e.action == "vote.recorded"]
        pseudonyms = [uow.audit.pseudonym(pid, user) for user in ("U3", "U4")]
    assert [p.get("voter") for p in recorded] == pseudonyms
    assert all("user" not in p and "U3" not in str(p) for p in recorded)
    assert verify_audit(db).differences == []


def test_a_secret_ballot_vote_changed_in_the_table_is_named_by_its_user(db):
    pid = open_vote(db, rule=DecisionRule.MAJORITY, options=["secret"])
    change(db, "UPDATE votes SET position = 'object' WHERE user_id = 'U4'")
    assert verify_audit(db).differences == [
        f"votes: proposal {pid}, user U4 (secret ballot): the table says object, the log says stand_aside"]


def test_secret_ballots_recorded_before_pseudonyms_are_counted_as_skipped_not_broken(db):
    pid = open_vote(db, rule=DecisionRule.MAJORITY, options=["secret"])
    with db.uow() as uow:  # as the bot wrote secret ballots before voters had pseudonyms
        uow.audit.append(actor="secret ballot", action="vote.recorded",
                         payload={"proposal_id": pid, "position": "agree"}, at=NOW)
        uow.commit()
    change(db, "UPDATE votes SET position = 'object' WHERE user_id = 'U4'")
    report = verify_audit(db)
    assert report.broken is None and report.differences == [] and report.skipped_secret_ballots == 1
