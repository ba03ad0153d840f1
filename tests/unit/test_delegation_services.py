"""The scheme of delegation through the services, on the in-memory unit of work: who is asked to endorse, what
their answers and silence do to a poll, and who may change limits and chains."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.decisions import Outcome
from bot.domain.delegation import Level
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.escalation import EscalationState, Step
from bot.outbound.kinds.escalations import due_key
from bot.outbound.registry import Kind
from bot.services import authority, boards, chains, escalations, polls, proposals
from tests.fakes import FakeDatabase
from tests.unit.test_services_on_fakes import CHAIR, CHANNEL, NOW, TEAM, vote

K = 100_000  # £1,000 in pence
DOF = Level(1, "Director of Finance", ("UDOF",), None, 25 * K)
CFO = Level(2, "Chief Finance Officer", ("UCFO",), None, 100 * K)
CEO = Level(3, "Chief Executive", ("UCEO",), None, None)
DUE = datetime(2026, 12, 1, 10, 0)  # five working days after Tuesday 24 November 2026, 10:00 in London
LATER = datetime(2026, 11, 26, 9, 0)


@pytest.fixture
def db() -> FakeDatabase:
    """A board of two organisations: the chair and U2 for Leeds, U3 for York. No scheme is loaded yet."""
    db = FakeDatabase(NOW)
    boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="North Finance Network",
                       kind=BoardKind.PARTNERSHIP_BOARD, collaboration_type=CollaborationType.FORMAL,
                       timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Leeds",
                       role=Role.CHAIR, now=NOW)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="York", now=NOW)
    for user, org in (("U2", "Leeds"), ("U3", "York")):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, organisation=org,
                          role=Role.MEMBER, now=NOW)
    return db


def organisation_id(db, name: str) -> int:
    return chains.chain_form(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, organisation=name)[0].id


def give_chain(db, organisation: str, *levels: Level, now: datetime = NOW) -> chains.ChainChange:
    return chains.save_chain(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR,
                             organisation_id=organisation_id(db, organisation), levels=list(levels), now=now)


def set_limit(db, user: str, limit: str, *, actor: str = CHAIR, category: str = "finance",
              valid_from: date | None = None) -> authority.Limit:
    return authority.set_limit(db, team_id=TEAM, channel_id=CHANNEL, actor=actor, user_id=user, category=category,
                               limit=limit, valid_from=valid_from, valid_until=None, now=NOW)


def load_scheme(db, *, leeds=(DOF, CFO, CEO)) -> None:
    """Leeds escalates through its chain above U2's £10,000; York's U3 may commit any amount."""
    give_chain(db, "Leeds", *leeds)
    set_limit(db, "U2", "10k")
    set_limit(db, "U3", "unlimited")


def propose(db, amount: int | None, *, key: str = "view:F1", category: str = "finance") -> int:
    return proposals.create_proposal(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, request_key=key,
                                     title="Shared finance team", description="", category=category,
                                     amount=amount, closes_at=NOW.replace(day=30), rule=None, threshold="",
                                     quorum="1", options=set(), now=NOW)


def everyone_agrees(db, pid: int) -> polls.PollSnapshot:
    for user in (CHAIR, "U2", "U3"):
        vote(db, pid, user)
    return polls.read_poll(db, pid)


def asked(db, pid: int) -> list:
    return list(polls.read_poll(db, pid).escalations)


def answer(db, escalation_id: int, actor: str, *, endorse: bool = True, comment: str = "", now=LATER):
    return escalations.answer(db, team_id=TEAM, escalation_id=escalation_id, actor=actor, endorse=endorse,
                              comment=comment, now=now)[0]


def notices(db, what: str) -> list:
    return [j for j in db.jobs(Kind.NOTICE) if j.payload["what"] == what]


def actions(db) -> list[str]:
    return [action for _, action, _ in db.store.audit]


# Opening a proposal


def test_with_no_scheme_loaded_nothing_is_escalated_or_queued_as_taken_under_delegation(db):
    pid = propose(db, 50 * K)
    assert asked(db, pid) == [] and db.jobs(Kind.ESCALATION_ASK) == []
    snap = everyone_agrees(db, pid)
    assert snap.outcome is Outcome.AGREED and snap.delegated is None


def test_a_proposal_above_every_members_limit_asks_the_first_level_of_the_chain_that_covers_it(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    [e] = asked(db, pid)
    assert (e.organisation, e.state, e.level_title, e.approvers) == ("Leeds", EscalationState.OPEN,
                                                                      "Chief Finance Officer", ("UCFO",))
    assert e.amount_pence == 50 * K and e.due_at == DUE and e.brought_by == CHAIR
    [ask] = db.jobs(Kind.ESCALATION_ASK)
    assert ask.payload == {"escalation": e.id, "to": "UCFO", "reminder": False} and ask.channel == "UCFO"
    [due] = db.jobs(Kind.ESCALATION_DUE)
    assert (due.key, due.due_at) == (due_key(e.id, DUE), DUE)
    [(actor, _, payload)] = [a for a in db.store.audit if a[1] == "escalation.open"]
    assert actor == "collab-bot" and payload["level"] == "Chief Finance Officer" and payload["approvers"] == ["UCFO"]


def test_every_approver_of_the_level_is_asked(db):
    load_scheme(db, leeds=(replace(CFO, position=1, approvers=("UCFO", "UDCFO")),))
    assert len(asked(db, propose(db, 50 * K))) == 1
    assert sorted(j.payload["to"] for j in db.jobs(Kind.ESCALATION_ASK)) == ["UCFO", "UDCFO"]
    assert len(db.jobs(Kind.ESCALATION_DUE)) == 1, "one timer per escalation, not per approver"


def test_an_organisation_with_no_chain_has_no_route_and_the_chair_is_told(db):
    give_chain(db, "Leeds", DOF, CFO, CEO)
    set_limit(db, "U2", "10k")
    pid = propose(db, 5 * K)
    [e] = asked(db, pid)
    assert (e.organisation, e.state, e.problem) == ("York", EscalationState.NO_ROUTE, "has no escalation chain")
    assert e.due_at is None and db.jobs(Kind.ESCALATION_ASK) == [] and db.jobs(Kind.ESCALATION_DUE) == []
    [notice] = notices(db, "escalation.no_route")
    assert notice.payload["to"]["user_id"] == CHAIR and notice.payload["data"] == {"escalation": e.id}
    assert "escalation.no_route" in actions(db)


def test_a_member_with_enough_authority_spares_their_organisation_an_escalation(db):
    load_scheme(db)
    assert asked(db, propose(db, 5 * K, key="view:small")) == []
    assert [e.organisation for e in asked(db, propose(db, 50 * K, key="view:large"))] == ["Leeds"]


def test_a_limit_that_starts_later_does_not_cover_a_proposal_today(db):
    load_scheme(db)
    set_limit(db, "U2", "100k", valid_from=date(2027, 1, 1))
    assert [e.organisation for e in asked(db, propose(db, 50 * K))] == ["Leeds"]


def test_a_yes_no_category_asks_for_endorsement_unless_a_member_may_say_yes(db):
    load_scheme(db)
    set_limit(db, "U3", "yes", category="workforce")
    [e] = asked(db, propose(db, None, category="workforce"))
    assert (e.organisation, e.level_title) == ("Leeds", "Director of Finance")


# Answering


def test_the_approver_endorsing_tells_the_proposer_and_stops_the_timer(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    [e] = asked(db, pid)
    answered = answer(db, e.id, "UCFO", comment="Within the budget.")
    assert answered.state is EscalationState.ENDORSED
    [e] = asked(db, pid)
    assert (e.state, e.answered_by, e.answered_at, e.comment) == (EscalationState.ENDORSED, "UCFO", LATER,
                                                                  "Within the budget.")
    [told] = notices(db, "escalation.answered")
    assert told.payload["to"]["user_id"] == CHAIR and told.payload["data"] == {"escalation": e.id}
    assert due_key(e.id, DUE) in db.store.cancelled and "escalation.endorsed" in actions(db)


def test_the_proposer_cannot_endorse_even_when_they_are_an_approver(db):
    load_scheme(db, leeds=(DOF, replace(CFO, approvers=("UCFO", CHAIR)), CEO))
    pid = propose(db, 50 * K)
    [e] = asked(db, pid)
    before = (len(db.store.audit), len(db.jobs()))
    with pytest.raises(NotAllowed, match="You brought this proposal"):
        answer(db, e.id, CHAIR)
    [e] = asked(db, pid)
    assert e.state is EscalationState.OPEN and e.answered_by is None
    assert (len(db.store.audit), len(db.jobs())) == before


def test_someone_not_asked_cannot_answer(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    with pytest.raises(NotAllowed):
        answer(db, e.id, "UDOF")


def test_a_decline_without_a_reason_is_refused_and_nothing_is_saved(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    [e] = asked(db, pid)
    before = (len(db.store.audit), len(db.jobs()))
    with pytest.raises(InvalidValue, match="why you are declining"):
        answer(db, e.id, "UCFO", endorse=False, comment="  ")
    assert asked(db, pid)[0].state is EscalationState.OPEN
    assert (len(db.store.audit), len(db.jobs())) == before


# Closing with escalations


def test_a_passing_poll_with_an_escalation_still_open_is_agreed_subject_to_endorsement(db):
    load_scheme(db)
    snap = everyone_agrees(db, propose(db, 50 * K))
    assert snap.outcome is Outcome.AGREED_SUBJECT and "Waiting for endorsement by Leeds." in snap.result.reasons
    assert [e.state for e in snap.escalations] == [EscalationState.OPEN], "it still waits for an answer"
    assert snap.delegated is None


def test_endorsing_after_the_close_settles_it_as_agreed_and_posts_the_outcome_again(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    everyone_agrees(db, pid)
    [e] = asked(db, pid)
    answer(db, e.id, "UCFO")
    snap = polls.read_poll(db, pid)
    assert snap.outcome is Outcome.AGREED and "Endorsed by every organisation that needed it." in snap.result.reasons
    assert f"{Kind.POLL_OUTCOME}:{pid}:{LATER.isoformat()}" in {j.key for j in db.jobs(Kind.POLL_OUTCOME)}
    assert "proposal.settled" in actions(db)
    assert snap.delegated is None, "an endorsed decision was not taken under delegation"


def test_declining_after_the_close_makes_it_not_agreed(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    everyone_agrees(db, pid)
    [e] = asked(db, pid)
    answer(db, e.id, "UCFO", endorse=False, comment="Not in this year's plan.")
    snap = polls.read_poll(db, pid)
    assert snap.outcome is Outcome.NOT_AGREED
    assert "Declined for Leeds by the Chief Finance Officer: Not in this year's plan." in snap.result.reasons
    assert f"{Kind.POLL_OUTCOME}:{pid}:{LATER.isoformat()}" in {j.key for j in db.jobs(Kind.POLL_OUTCOME)}


def test_an_answer_while_the_poll_is_open_leaves_its_outcome_to_the_close(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    [e] = asked(db, pid)
    answer(db, e.id, "UCFO")
    assert polls.read_poll(db, pid).outcome is None and "proposal.settled" not in actions(db)
    assert everyone_agrees(db, pid).outcome is Outcome.AGREED


def test_a_poll_that_fails_withdraws_its_open_escalations(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    assert polls.close_if_due(db, proposal_id=pid, now=NOW.replace(day=30))
    [e] = asked(db, pid)
    assert polls.read_poll(db, pid).outcome is Outcome.NO_QUORUM and e.state is EscalationState.WITHDRAWN
    assert due_key(e.id, DUE) in db.store.cancelled


def test_a_decline_after_the_close_withdraws_the_other_organisations_requests(db):
    load_scheme(db)
    give_chain(db, "York", replace(CEO, position=1, approvers=("UYORK",)))
    set_limit(db, "U3", "none")
    pid = propose(db, 50 * K)
    everyone_agrees(db, pid)
    leeds, york = asked(db, pid)
    answer(db, leeds.id, "UCFO", endorse=False, comment="Not in this year's plan.")
    assert polls.read_poll(db, pid).outcome is Outcome.NOT_AGREED
    york = asked(db, pid)[1]
    assert york.state is EscalationState.WITHDRAWN and due_key(york.id, DUE) in db.store.cancelled


# Decisions taken under delegation


def test_a_decision_agreed_without_escalation_under_a_scheme_is_queued_as_taken_under_delegation(db):
    load_scheme(db)
    pid = propose(db, 5 * K)
    snap = everyone_agrees(db, pid)
    assert snap.outcome is Outcome.AGREED
    assert (snap.delegated.proposal_id, snap.delegated.number, snap.delegated.reviewed_at) == (pid, "CB-2026-001",
                                                                                                None)
    _, queue = chains.delegated_queue(db, team_id=TEAM, channel_id=CHANNEL)
    assert [(q.item.proposal_id, q.risks) for q in queue] == [(pid, ("commits £5,000",))]


def test_only_the_chair_marks_a_decision_taken_under_delegation_as_reviewed(db):
    load_scheme(db)
    pid = propose(db, 5 * K)
    everyone_agrees(db, pid)
    with pytest.raises(NotAllowed, match="Only the chair"):
        chains.mark_reviewed(db, team_id=TEAM, proposal_id=pid, actor="U2", note="Fine.", now=LATER)
    assert polls.read_poll(db, pid).delegated.reviewed_at is None
    done = chains.mark_reviewed(db, team_id=TEAM, proposal_id=pid, actor=CHAIR, note=" Noted at the  meeting. ",
                                now=LATER)
    assert (done.reviewed_by, done.reviewed_at, done.note) == (CHAIR, LATER, "Noted at the meeting.")
    assert polls.read_poll(db, pid).delegated == done
    assert chains.delegated_queue(db, team_id=TEAM, channel_id=CHANNEL)[1] == []
    assert "delegated.reviewed" in actions(db)


# Timers


def overdue(db, escalation_id: int) -> Step | None:
    due = escalations.read(db, escalation_id)[0].due_at
    return escalations.on_due(db, escalation_id=escalation_id, due=due, now=due)


def test_an_unanswered_request_is_first_reminded_with_a_new_timer(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    assert overdue(db, e.id) is Step.REMIND
    e = escalations.read(db, e.id)[0]
    assert e.reminded and e.level_title == "Chief Finance Officer" and e.due_at == datetime(2026, 12, 8, 10, 0)
    reminder = next(j for j in db.jobs(Kind.ESCALATION_ASK) if j.payload["reminder"])
    assert reminder.payload == {"escalation": e.id, "to": "UCFO", "reminder": True}
    assert {j.due_at for j in db.jobs(Kind.ESCALATION_DUE)} == {DUE, e.due_at}


def test_a_request_still_unanswered_moves_up_a_level_and_the_previous_approver_is_told(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    overdue(db, e.id)
    assert overdue(db, e.id) is Step.MOVE_UP
    e = escalations.read(db, e.id)[0]
    assert (e.level_title, e.approvers, e.reminded) == ("Chief Executive", ("UCEO",), False)
    assert e.due_at == datetime(2026, 12, 15, 10, 0)
    assert [j.payload["to"] for j in db.jobs(Kind.ESCALATION_ASK) if j.payload["escalation"] == e.id
            and not j.payload["reminder"]] == ["UCFO", "UCEO"]
    [moved] = notices(db, "escalation.moved")
    assert moved.payload["to"]["user_id"] == "UCFO"


def test_a_request_unanswered_at_the_top_of_the_chain_is_brought_to_the_chair(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    assert [overdue(db, e.id) for _ in range(4)] == [Step.REMIND, Step.MOVE_UP, Step.REMIND, Step.TOPPED_OUT]
    e = escalations.read(db, e.id)[0]
    assert e.state is EscalationState.OPEN and e.due_at is None and e.level_title == "Chief Executive"
    [top] = notices(db, "escalation.topped_out")
    assert top.payload["to"]["user_id"] == CHAIR


def test_a_timer_for_a_due_time_that_has_moved_on_does_nothing(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    overdue(db, e.id)
    assert escalations.on_due(db, escalation_id=e.id, due=DUE, now=DUE) is None
    assert escalations.read(db, e.id)[0].level_title == "Chief Finance Officer"


def test_an_answered_request_has_no_timer_left_to_act(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    answer(db, e.id, "UCFO")
    assert escalations.on_due(db, escalation_id=e.id, due=DUE, now=DUE) is None


# Setting limits and chains


def test_the_chair_sets_a_members_limit_and_every_version_is_kept(db):
    first = set_limit(db, "U2", "10k")
    second = set_limit(db, "U2", "£20,000")
    assert (first.authority.version, second.authority.version) == (1, 2)
    assert (second.organisation, second.authority.amount_pence, second.authority.granted_by) == ("Leeds", 20 * K,
                                                                                                CHAIR)
    scheme = authority.limits_of(db, team_id=TEAM, channel_id=CHANNEL, actor="U2", user_id="U2", now=NOW)
    assert [(lim.category.key, lim.authority.amount_pence) for lim in scheme.limits] == [("finance", 20 * K)]
    assert [a for _, action, a in db.store.audit if action == "authority.set"][-1]["version"] == 2


def test_a_manager_cannot_raise_their_own_limit_but_may_lower_it(db):
    boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="USEC", organisation="Leeds",
                      role=Role.SECRETARY, now=NOW)
    set_limit(db, "USEC", "10k")
    with pytest.raises(NotAllowed, match="can't raise your own"):
        set_limit(db, "USEC", "50k", actor="USEC")
    assert set_limit(db, "USEC", "5k", actor="USEC").authority.amount_pence == 5 * K


def test_a_member_who_does_not_manage_the_board_cannot_set_limits(db):
    with pytest.raises(NotAllowed):
        set_limit(db, "U3", "10k", actor="U2")


def test_a_limit_in_an_unknown_category_is_refused(db):
    with pytest.raises(InvalidValue, match="not a category"):
        set_limit(db, "U2", "10k", category="catering")


def test_changing_a_chain_while_a_request_waits_keeps_its_level_and_tells_the_chair(db):
    load_scheme(db)
    pid = propose(db, 50 * K)
    change = give_chain(db, "Leeds", Level(1, "Deputy Chief Executive", ("UDCE",), None, 200 * K), CEO, now=LATER)
    assert change.pending == 1 and [lv.title for lv in change.levels] == ["Deputy Chief Executive", "Chief Executive"]
    [e] = asked(db, pid)
    assert (e.level_position, e.level_title, e.approvers) == (2, "Chief Finance Officer", ("UCFO",))
    [kept] = [j for j in notices(db, "escalations.kept")
              if j.key == f"{Kind.NOTICE}:kept:{LATER.isoformat()}:{CHAIR}"]
    assert kept.payload["data"]["levels"] == ["Chief Finance Officer"] and kept.payload["data"]["count"] == 1


def test_a_request_kept_at_its_level_through_a_chain_change_moves_up_to_a_higher_level(db):
    load_scheme(db)
    [e] = asked(db, propose(db, 50 * K))
    give_chain(db, "Leeds", DOF, Level(2, "Deputy Finance Officer", ("UDFO",), None, 60 * K), replace(CFO, position=3),
               replace(CEO, position=4))
    assert [overdue(db, e.id) for _ in range(2)] == [Step.REMIND, Step.MOVE_UP]
    assert escalations.read(db, e.id)[0].level_title == "Chief Executive"
