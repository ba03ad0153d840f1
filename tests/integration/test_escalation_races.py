"""Sign-off under contention (SQLite and PostgreSQL): answers racing each other, the poll's close and the timer
all settle to one consistent outcome, without deadlocks or lost answers."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.domain.decisions import Outcome, Position
from bot.domain.delegation import Level
from bot.domain.escalation import EscalationState
from bot.services import authority, chains, escalations, polls, proposals
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board
from tests.integration.test_proposals import NOW, propose, seat, vote

LATER = NOW + timedelta(hours=1)
APPROVERS = ("UCFO1", "UCFO2")


def run_together(*actions) -> list[Exception]:
    """Run each action in its own thread, all released at once; the errors they raised."""
    start, errors = threading.Barrier(len(actions)), []

    def run(action):
        start.wait()
        try:
            action()
        except Exception as exc:  # collected, so the test can say which were expected
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def needing_sign_off(db) -> tuple[int, int]:
    """A finance proposal of £1m from a member with a £10k limit; its one open request (two approvers)."""
    make_board(db)
    seat(db, {"U2": "member"})
    authority.set_limit(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=CHAIR, category="finance",
                        limit="none", valid_from=None, valid_until=None, now=NOW)
    authority.set_limit(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", category="finance",
                        limit="10k", valid_from=None, valid_until=None, now=NOW)
    org = chains.chain_form(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR,
                              organisation="Leeds Teaching Hospitals")[0]
    chains.save_chain(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, organisation_id=org.id,
                      levels=[Level(1, "Chief Finance Officer", APPROVERS, None, None)], now=NOW)
    pid = propose(db, actor="U2", category="finance", amount=100_000_000)
    [e] = polls.read_poll(db, pid).escalations
    return pid, e.id


def answer(db, escalation_id: int, user: str, endorse: bool = True):
    return lambda: escalations.answer(db, team_id=TEAM, escalation_id=escalation_id, actor=user, endorse=endorse,
                                      comment="" if endorse else "Too much this year.", now=LATER)


def test_two_approvers_answering_at_once_record_one_answer_and_the_other_is_told_it_was_answered(db):
    pid, eid = needing_sign_off(db)
    errors = run_together(answer(db, eid, APPROVERS[0]), answer(db, eid, APPROVERS[1], endorse=False))
    assert len(errors) == 1 and "already been answered" in str(errors[0])
    [e] = polls.read_poll(db, pid).escalations
    assert e.state in (EscalationState.ENDORSED, EscalationState.DECLINED)


def test_an_answer_racing_the_close_ends_in_one_outcome_that_counts_the_answer(db):
    pid, eid = needing_sign_off(db)
    vote(db, pid, "U2", Position.AGREE)
    close = lambda: proposals.close_now(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, now=LATER)  # noqa: E731
    assert run_together(answer(db, eid, APPROVERS[0]), close) == []
    snap = polls.read_poll(db, pid)
    assert snap.escalations[0].state is EscalationState.ENDORSED
    assert snap.outcome is Outcome.AGREED


def test_an_answer_racing_its_timer_is_never_both_answered_and_moved_on(db):
    pid, eid = needing_sign_off(db)
    [e] = polls.read_poll(db, pid).escalations
    timer = lambda: escalations.on_due(db, escalation_id=eid, due=e.due_at, now=LATER)  # noqa: E731
    assert run_together(answer(db, eid, APPROVERS[0]), timer) == []
    [after] = polls.read_poll(db, pid).escalations
    assert after.state is EscalationState.ENDORSED
