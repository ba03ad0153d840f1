"""Someone with raw database access edits a table the audit log describes, bypassing the bot: `audit verify` names
the row (SQLite and PostgreSQL). One test per kind of tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.decisions import Position
from bot.domain.delegation import Level
from bot.services import authority, chains, checklists, escalations, polls, proposals, rounds
from bot.services.audit import verify_audit
from storage.audit import read_events
from tests.conftest import TEST_AUDIT_KEY
from tests.integration.test_audit_cli import collab_bot
from tests.integration.test_audit_keyed_chain import raw
from tests.integration.test_audit_tables import change
from tests.integration.test_authority_import import FIXTURES, HEADER, scheme_db  # noqa: F401  (a fixture)
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board
from tests.integration.test_proposals import NOW, propose, seat, vote

LATER = NOW + timedelta(hours=1)
ORG = "Leeds Teaching Hospitals"
CFO, BOARD_CHAIR = "UCFO", "UTRUSTCHAIR"
PULSE_QUESTION = "pulse-existing"
QUESTION = "skills-needs"


def _sign_off(db) -> None:
    """A scheme of delegation: U2 may commit £10k; a £1m proposal goes to the CFO, then the trust board."""
    for user, limit in ((CHAIR, "none"), ("U2", "10k")):
        authority.set_limit(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, category="finance",
                            limit=limit, valid_from=None, valid_until=None, now=NOW)
    # Raised from next month: today's £10k is kept as its own version until then.
    authority.set_limit(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", category="finance",
                        limit="50k", valid_from=(NOW + timedelta(days=40)).date(), valid_until=None, now=NOW)
    org = chains.chain_form(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, organisation=ORG)[0]
    chains.save_chain(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, organisation_id=org.id, now=NOW, levels=[
        Level(1, "Chief Finance Officer", (CFO,), None, 500_000_000),
        Level(2, "Trust board", (BOARD_CHAIR,), None, None)])


def governed(db) -> dict:
    """A board whose every table the log describes holds rows: a decision endorsed after a reminder, votes that
    changed, limits with versions, a chain, and answers to an attributed and an unattributed checklist."""
    make_board(db)
    seat(db, {"U2": "member", "U3": "member"})
    _sign_off(db)
    pid = propose(db, actor="U2", category="finance", amount=100_000_000)
    vote(db, pid, "U2", Position.STAND_ASIDE)
    vote(db, pid, "U2", Position.AGREE, at=NOW + timedelta(minutes=1))
    vote(db, pid, "U3", Position.AGREE)
    [e] = polls.read_poll(db, pid).escalations
    escalations.on_due(db, escalation_id=e.id, due=e.due_at, now=e.due_at)  # a reminder
    proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, now=LATER)
    escalations.answer(db, team_id=TEAM, escalation_id=e.id, actor=CFO, endorse=True, comment="Fine.", now=LATER)
    rid = _round(db, "board-diagnostic")
    checklists.answer(db, team_id=TEAM, round_id=rid, user_id="U3", question_id=QUESTION, value="yes", now=NOW)
    checklists.answer(db, team_id=TEAM, round_id=rid, user_id="U3", question_id=QUESTION, value="partly", now=LATER)
    pulse = _round(db, "pulse-check")
    for user, value in (("U2", "4"), ("U3", "2")):
        checklists.submit(db, team_id=TEAM, round_id=pulse, user_id=user, values={PULSE_QUESTION: value}, now=LATER)
    rounds.close_round(db, round_id=pulse, by=CHAIR, now=LATER, team_id=TEAM)
    return {"proposal": pid, "escalation": e.id, "round": rid, "pulse": pulse,
            "number": polls.read_poll(db, pid).proposal.number}


def _round(db, template: str) -> int:
    r, _, _ = rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, template_id=template,
                                closes_at=NOW + timedelta(days=7), now=NOW)
    return r.id


def differences(db) -> list[str]:
    report = verify_audit(db)
    assert report.broken is None and report.problems == []
    return report.differences


def test_every_table_that_matches_the_log_reports_nothing(db):
    governed(db)
    report = verify_audit(db)
    assert report.differences == [] and report.problems == [] and report.unlogged_rounds == 0 and report.intact


def test_a_proposal_whose_outcome_was_changed_is_named(db):
    ids = governed(db)
    change(db, "UPDATE proposals SET outcome = 'not_agreed' WHERE id = :p", p=ids["proposal"])
    assert differences(db) == [
        f"proposals: proposal {ids['proposal']}: outcome: the table says not_agreed, the log says agreed"]


def test_a_proposal_whose_register_number_was_changed_is_named(db):
    ids = governed(db)
    change(db, "UPDATE proposals SET number = '2026/099' WHERE id = :p", p=ids["proposal"])
    assert differences(db) == [
        f"proposals: proposal {ids['proposal']}: number: the table says 2026/099, the log says {ids['number']}"]


def test_a_position_rewritten_or_deleted_in_vote_history_is_named(db):
    ids = governed(db)
    pid = ids["proposal"]
    change(db, "UPDATE vote_history SET position = 'object' WHERE user_id = 'U2' AND position = 'stand_aside'")
    change(db, "DELETE FROM vote_history WHERE user_id = 'U3'")
    assert differences(db) == [
        f"vote_history: proposal {pid}, user U2, position 1: position: the table says object, the log says "
        "stand_aside",
        f"vote_history: proposal {pid}, user U3, position 1: in the log (position agree, reason empty) but not in "
        "the table"]


@pytest.mark.parametrize(("column", "value", "said"), [
    ("state", "declined", "endorsed"), ("answered_by", "UEVIL", CFO),
    ("level_title", "Trust board", "Chief Finance Officer"), ("level_position", 2, 1)])
def test_an_escalation_whose_state_level_or_answerer_was_changed_is_named(db, column, value, said):
    ids = governed(db)
    change(db, f"UPDATE escalations SET {column} = :v WHERE id = :e", v=value, e=ids["escalation"])
    assert differences(db) == [
        f"escalations: escalation {ids['escalation']}: {column}: the table says {value}, the log says {said}"]


def test_an_authority_limit_raised_in_the_table_is_named_with_its_version(db):
    governed(db)
    change(db, "UPDATE authorities SET amount_pence = 100000000 WHERE user_id = 'U2' AND version = 2")
    assert differences(db) == [
        f"authorities: {ORG}, user U2, finance, version 2: limit: the table says up to £1,000,000, the log says up "
        "to £10,000"]


def test_an_authority_version_deleted_or_unsuperseded_is_named(db):
    governed(db)
    change(db, "DELETE FROM authorities WHERE user_id = 'U2' AND version = 3")
    change(db, "UPDATE authorities SET superseded_at = NULL WHERE user_id = 'U2' AND version = 1")
    lines = differences(db)
    assert lines[0] == (f"authorities: {ORG}, user U2, finance, version 1: superseded: the table says no, the log "
                        "says yes")
    assert lines[1] == (f"authorities: {ORG}, user U2, finance, version 3: in the log (limit up to £50,000, valid_from "
                        "2027-01-02, valid_until none, granted_by UCHAIR, superseded no) but not in the table")
    assert len(lines) == 2


def test_a_chain_level_whose_approvers_or_limit_were_changed_is_named(db):
    governed(db)
    change(db, "UPDATE chain_levels SET approvers = 'UEVIL', limit_pence = NULL WHERE position = 1")
    assert differences(db) == [
        f"chain_levels: {ORG}, level 1: approvers: the table says UEVIL, the log says {CFO}; limit_pence: the "
        "table says none, the log says 500000000"]


def test_a_checklist_answer_changed_or_deleted_is_named(db):
    ids = governed(db)
    change(db, "UPDATE checklist_answers SET value = 'yes' WHERE respondent = 'U3' AND round_id = :r", r=ids["round"])
    assert differences(db) == [f"checklist_answers: round {ids['round']}, user U3, question {QUESTION}: value: the "
                               "table says yes, the log says partly"]
    change(db, "DELETE FROM checklist_answers WHERE respondent = 'U3' AND round_id = :r", r=ids["round"])
    assert differences(db) == [
        f"checklist_answers: round {ids['round']}, user U3, question {QUESTION}: in the log (value partly, note "
        "empty, evidence empty) but not in the table"]


def test_a_checklist_answer_slipped_into_the_table_is_named(db):
    ids = governed(db)
    change(db, "INSERT INTO checklist_answers (round_id, respondent, question_id, value, note, evidence, answered_at) "
               "VALUES (:r, 'U2', :q, 'no', '', '', :at)", r=ids["round"], q=QUESTION, at=LATER)
    assert differences(db) == [f"checklist_answers: round {ids['round']}, user U2, question {QUESTION}: in the "
                               "table (value no, note empty, evidence empty) but not in the log"]


def test_a_closed_unattributed_rounds_counts_changed_in_the_table_are_named_by_answer_never_by_person(db):
    ids = governed(db)
    tally = "UPDATE checklist_tallies SET count = :n WHERE round_id = :r AND question_id = :q AND value = :v"
    change(db, tally, n=0, r=ids["pulse"], q=PULSE_QUESTION, v="2")
    change(db, tally, n=3, r=ids["pulse"], q=PULSE_QUESTION, v="5")
    lines = differences(db)
    assert lines == [
        f"checklist_tallies: round {ids['pulse']}, question {PULSE_QUESTION}, answer 2: in the log (answers 1) but "
        "not in the table",
        f"checklist_tallies: round {ids['pulse']}, question {PULSE_QUESTION}, answer 5: in the table (answers 3) "
        "but not in the log"]
    assert not any(user in line for line in lines for user in ("U2", "U3"))


def test_the_log_names_no_one_for_an_unattributed_round_and_holds_only_its_closing_counts(db):
    ids = governed(db)
    with db.read() as uow:
        logged = [e for e in read_events(uow.session) if e.payload.get("round_id") == ids["pulse"]]
    assert [e.action for e in logged] == ["checklist.opened", "checklist.closed"]
    assert not any(user in repr(e) for e in logged for user in ("U2", "U3"))


def test_escalation_events_cut_from_the_end_with_the_head_moved_back_leave_the_row_named(db, database_url):
    ids = governed(db)
    pid = propose(db, actor="U2", category="finance", amount=200_000_000, key="k2")
    with db.read() as uow:
        events = list(read_events(uow.session))
    opened = max(e.seq for e in events if e.action == "proposal.opened")
    kept = next(e for e in events if e.seq == opened - 1)
    raw(database_url, ("DELETE FROM audit_events WHERE seq >= :s", {"s": opened}),
        ("UPDATE audit_head SET seq = :seq, hash = :hash", {"seq": kept.seq, "hash": kept.hash}))
    lines = differences(db)
    assert [line.split(":")[0:2] for line in lines] == [["proposals", f" proposal {pid}"],
                                                         ["escalations", f" escalation {ids['escalation'] + 1}"]]
    assert all("in the table (" in line and line.endswith("but not in the log") for line in lines)


def test_an_answer_cut_from_the_end_of_the_log_leaves_the_escalation_named(db, database_url):
    ids = governed(db)
    with db.read() as uow:
        events = list(read_events(uow.session))
    endorsed = next(e.seq for e in events if e.action == "escalation.endorsed")
    kept = next(e for e in events if e.seq == endorsed - 1)
    raw(database_url, ("DELETE FROM audit_events WHERE seq >= :s", {"s": endorsed}),
        ("UPDATE audit_head SET seq = :seq, hash = :hash", {"seq": kept.seq, "hash": kept.hash}))
    assert f"escalations: escalation {ids['escalation']}: state: the table says endorsed, the log says open; " \
           f"answered_by: the table says {CFO}, the log says none" in "\n".join(differences(db))


def test_a_forged_event_with_an_empty_payload_is_one_line_not_a_crash(db):
    governed(db)
    with db.uow() as uow:  # as someone holding the key could write it
        forged = uow.audit.append(actor="UEVIL", action="member.added", payload={}, at=NOW)
        uow.commit()
    report = verify_audit(db)
    assert report.problems == [
        f"event {forged.seq} member.added: missing fields board_id, user, organisation, role"]
    assert not report.intact



def test_limits_imported_from_a_file_match_the_log_and_an_edit_to_one_is_named(
        scheme_db, database_url, tmp_path):  # noqa: F811  (the fixture imported above)
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "Wakefield Council,U0WAKE01,finance,1m,2027-10-01,,UCHAIR\n", encoding="utf-8")
    for args in ((str(FIXTURES / "scheme_good.csv"), "--by", CHAIR), (str(later),)):
        result = collab_bot(tmp_path, "authority", "import", *args, DATABASE_URL=database_url,
                            COLLAB_AUDIT_KEY=TEST_AUDIT_KEY.hex())
        assert result.returncode == 0, result.stdout + result.stderr
    assert differences(scheme_db) == []
    change(scheme_db, "UPDATE authorities SET valid_until = NULL WHERE user_id = 'U0WAKE01' AND category = "
                      "'finance' AND version = 2")
    assert differences(scheme_db) == [
        "authorities: Wakefield Council, user U0WAKE01, finance, version 2: valid_until: the table says none, the "
        "log says 2027-09-30"]
