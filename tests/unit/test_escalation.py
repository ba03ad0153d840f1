"""Escalations as an organisation meets them: who answers, the walk up the chain on time, and the result."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from bot.domain.decisions import Outcome, Result
from bot.domain.delegation import (
    Chain,
    Deputy,
    Level,
    Need,
)
from bot.domain.errors import Conflict, InvalidValue, NotAllowed
from bot.domain.escalation import (
    Escalation,
    EscalationState,
    Step,
    agree_note,
    combine,
    due_after,
    on_due,
    open_escalation,
)
from prompts.blocks.polls import record_line
from prompts.errors import mrkdwn
from tests.unit.delegation_examples import (
    BOARD,
    CAL,
    CFO,
    CHAIN,
    COO,
    NOW,
    ORG,
    TODAY,
    K,
    opened,
)


def test_a_deputy_answers_for_the_approver_during_their_period():
    esc = opened(deputies=[Deputy("UCFO", "UDEP", TODAY, date(2026, 12, 4))])
    assert esc.approvers == ("UDEP",) and esc.acting_for == (("UDEP", "UCFO"),)
    esc.answer(user_id="UDEP", endorse=True, comment="Within budget.", now=NOW)
    assert (esc.state, esc.answered_by, esc.answered_for) == (EscalationState.ENDORSED, "UDEP", "UCFO")
    assert record_line(esc, "Europe/London") == ("Endorsed by <@UDEP> for <@UCFO> (Chief Finance Officer), "
                                                "Tue 24 Nov 2026 14:05 GMT: "
                                 "Within budget.")


def test_a_deputy_outside_their_period_is_not_asked():
    esc = opened(deputies=[Deputy("UCFO", "UDEP", date(2026, 12, 1), date(2026, 12, 4))])
    assert esc.approvers == ("UCFO",) and not esc.may_answer("UDEP")


# Answering an escalation


def test_the_proposer_cannot_endorse():
    esc = opened(level=Level(1, "CFO", ("UPROP", "UCFO"), None, None), proposer="UPROP")
    with pytest.raises(NotAllowed, match="can't endorse it"):
        esc.answer(user_id="UPROP", endorse=True, comment="", now=NOW)
    assert esc.state is EscalationState.OPEN


def test_on_a_channel_level_only_a_member_of_that_channel_who_sits_for_the_organisation_may_answer():
    esc = opened(level=BOARD)
    assert esc.may_answer("USOMEONE", in_channel="CBOARD", of_organisation=True)
    assert not esc.may_answer("USOMEONE"), "anyone in the workspace"
    assert not esc.may_answer("USOMEONE", in_channel="CBOARD"), "a channel member for another organisation"
    assert not esc.may_answer("USOMEONE", of_organisation=True), "not in the channel"
    assert not esc.may_answer("USOMEONE", in_channel="COTHER", of_organisation=True)
    assert not esc.may_answer("UPROP", in_channel="CBOARD", of_organisation=True), "never the proposer"


def test_a_refusal_on_a_channel_level_says_who_may_answer_and_that_nothing_was_recorded():
    esc = opened(level=BOARD)
    with pytest.raises(NotAllowed) as refused:
        esc.answer(user_id="USTRANGER", endorse=True, comment="", now=NOW)
    assert re.search(r"Only members of <#CBOARD> who sit for Northshire NHS Trust on a board "
                     r"can answer .* Nothing was recorded\.", mrkdwn(refused.value))
    assert esc.state is EscalationState.OPEN


def test_only_the_approvers_asked_may_answer():
    esc = opened()
    with pytest.raises(NotAllowed) as refused:
        esc.answer(user_id="USTRANGER", endorse=True, comment="", now=NOW)
    assert re.search(r"Only <@UCFO> \(Chief Finance Officer\) can answer", mrkdwn(refused.value))


def test_a_decline_needs_a_reason():
    esc = opened()
    with pytest.raises(InvalidValue) as error:
        esc.answer(user_id="UCFO", endorse=False, comment=" \u200b ", now=NOW)
    assert error.value.field == "comment"


def test_a_comment_is_limited_to_a_thousand_characters():
    with pytest.raises(InvalidValue):
        opened().answer(user_id="UCFO", endorse=True, comment="x" * 1001, now=NOW)


def test_an_answered_escalation_cannot_be_answered_again():
    esc = opened()
    esc.answer(user_id="UCFO", endorse=False, comment="Not in this year's plan.", now=NOW)
    assert record_line(esc, "Europe/London") == ("Declined by <@UCFO> (Chief Finance Officer), "
                                                "Tue 24 Nov 2026 14:05 GMT: Not in this year's plan.")
    with pytest.raises(Conflict) as refused:
        esc.answer(user_id="UCFO", endorse=True, comment="", now=NOW, timezone="America/New_York")
    assert re.search("already been answered: declined by <@UCFO> on Tue 24 Nov 2026 09:05 EST", mrkdwn(refused.value))


def test_a_sign_off_line_shows_the_boards_own_time_and_zone_never_utc():
    esc = opened()
    esc.answer(user_id="UCFO", endorse=True, comment="", now=datetime(2026, 7, 1, 5, 33))
    assert record_line(esc, "Europe/London").endswith("Wed 1 Jul 2026 06:33 BST")
    assert record_line(esc, "America/New_York").endswith("Wed 1 Jul 2026 01:33 EDT")
    assert record_line(esc, "UTC").endswith("Wed 1 Jul 2026 05:33 UTC")


def test_a_withdrawn_escalation_cannot_be_answered():
    esc = opened()
    esc.state = EscalationState.WITHDRAWN
    with pytest.raises(Conflict, match="withdrawn"):
        esc.answer(user_id="UCFO", endorse=True, comment="", now=NOW)


def test_record_lines_say_what_an_escalation_waits_on():
    assert record_line(opened(level=COO), "Europe/London") == "Waiting on Director of Operations"
    no_route = opened(level=None)
    no_route.problem = "has no escalation chain"
    assert record_line(no_route, "Europe/London") == "No route: Northshire NHS Trust has no escalation chain"


def test_with_no_level_an_escalation_records_no_route():
    esc = open_escalation(need=Need(ORG, K, None, "has no escalation chain"), proposal_id=1, organisation="Org",
                          brought_by="UPROP", deputies=[], now=NOW, calendar=CAL, money=True)
    assert (esc.state, esc.due_at, esc.problem) == (EscalationState.NO_ROUTE, None, "has no escalation chain")


# Timeouts and the working calendar


def test_working_days_skip_weekends_and_bank_holidays():
    start = datetime(2026, 12, 24, 10, 0)  # Thursday; 25 Dec and 28 Dec (Boxing Day's substitute) are holidays
    assert not CAL.is_working_day(date(2026, 12, 28))
    assert due_after(start, 1, CAL) == datetime(2026, 12, 29, 10, 0)
    assert due_after(start, 2, CAL) == datetime(2026, 12, 30, 10, 0)


def test_a_start_on_a_day_off_counts_from_the_next_working_day():
    assert due_after(datetime(2026, 11, 28, 9, 0), 1, CAL) == datetime(2026, 12, 1, 9, 0)  # Sat -> Tue


def test_the_due_time_keeps_the_local_time_across_a_clock_change():
    start = datetime(2026, 10, 23, 8, 0)  # Friday 09:00 BST; the clocks go back on Sunday 25 October
    assert due_after(start, 1, CAL) == datetime(2026, 10, 26, 9, 0)  # Monday 09:00 GMT


def test_timeout_reminds_first_then_moves_up_a_level():
    esc = opened()
    assert esc.due_at == datetime(2026, 12, 1, 14, 5)  # five working days
    assert on_due(esc, CHAIN, deputies=[], now=esc.due_at, calendar=CAL, money=True) is Step.REMIND
    assert esc.reminded and esc.due_at == datetime(2026, 12, 8, 14, 5)
    assert on_due(esc, CHAIN, deputies=[], now=esc.due_at, calendar=CAL, money=True) is Step.MOVE_UP
    assert (esc.level_position, esc.level_title, esc.approvers) == (2, "Director of Operations", ("UCOO",))
    assert not esc.reminded and esc.due_at == datetime(2026, 12, 11, 14, 5)  # COO has three working days


def test_moving_up_skips_levels_that_cannot_approve_the_amount():
    esc = opened(level=CFO, amount=600 * K)
    esc.reminded = True
    assert on_due(esc, CHAIN, deputies=[], now=NOW, calendar=CAL, money=True) is Step.MOVE_UP
    assert (esc.level_position, esc.channel_id, esc.approvers, esc.acting_for) == (3, "CBOARD", (), ())


def test_moving_up_asks_the_deputy_of_an_approver_who_is_away():
    esc = opened(level=CFO)
    esc.reminded = True
    cover = Deputy("UCOO", "UDEP", TODAY, TODAY)
    assert on_due(esc, CHAIN, deputies=[cover], now=NOW, calendar=CAL, money=True) is Step.MOVE_UP
    assert esc.approvers == ("UDEP",) and esc.acting_for == (("UDEP", "UCOO"),)


def test_an_approver_with_a_deputy_may_still_answer_themselves():
    esc = opened(deputies=[Deputy("UCFO", "UDEP", TODAY, TODAY)])
    esc.answer(user_id="UCFO", endorse=True, comment="", now=NOW)
    assert (esc.answered_by, esc.answered_for) == ("UCFO", None)
    assert record_line(esc, "Europe/London") == "Endorsed by <@UCFO> (Chief Finance Officer), Tue 24 Nov 2026 14:05 GMT"


def test_only_an_open_escalation_moves_on():
    esc = escalation(EscalationState.ENDORSED)
    with pytest.raises(Conflict):
        on_due(esc, CHAIN, deputies=[], now=NOW, calendar=CAL, money=True)


def test_a_chain_with_nowhere_higher_to_go_tops_out():
    esc = opened(level=BOARD)
    esc.reminded = True
    assert on_due(esc, CHAIN, deputies=[], now=NOW, calendar=CAL, money=True) is Step.TOPPED_OUT
    assert esc.reminded and esc.due_at is None and esc.state is EscalationState.OPEN


# Combining with the decision rule

AGREED = Result(Outcome.AGREED, ("Quorum met and nobody objected.",))


def escalation(state: EscalationState, org="Northshire NHS Trust") -> Escalation:
    esc = opened()
    esc.organisation = org
    if state in (EscalationState.ENDORSED, EscalationState.DECLINED):
        esc.answer(user_id="UCFO", endorse=state is EscalationState.ENDORSED, comment="Too costly.", now=NOW)
    else:
        esc.state = state
    return esc


def test_one_decline_makes_the_decision_not_agreed():
    result = combine(AGREED, [escalation(EscalationState.ENDORSED), escalation(EscalationState.DECLINED, "Council")])
    declined = escalation(EscalationState.DECLINED, "Council")
    assert result.outcome is Outcome.NOT_AGREED
    assert result.reasons == AGREED.reasons + (f"Declined for Council by the {declined.level_title}: Too costly.",)


def test_open_escalation_makes_it_agreed_subject_to_endorsement():
    result = combine(AGREED, [escalation(EscalationState.OPEN, "A"), escalation(EscalationState.NO_ROUTE, "B")])
    assert result == Result(Outcome.AGREED_SUBJECT, AGREED.reasons + ("Waiting for endorsement by A and B.",))
    assert agree_note("A") == "subject to endorsement by A"


def test_every_endorsement_in_keeps_it_agreed_and_says_so():
    result = combine(AGREED, [escalation(EscalationState.ENDORSED), escalation(EscalationState.WITHDRAWN)])
    assert result.outcome is Outcome.AGREED and result.reasons[-1] == "Endorsed by every organisation that needed it."
    assert combine(AGREED, [escalation(EscalationState.WITHDRAWN)]) == AGREED


@pytest.mark.parametrize("outcome", [Outcome.NOT_AGREED, Outcome.NO_QUORUM, Outcome.NOTED])
def test_not_agreed_stays_not_agreed_whatever_the_escalations(outcome):
    result = Result(outcome, ("Reason.",))
    assert combine(result, [escalation(EscalationState.DECLINED), escalation(EscalationState.OPEN)]) is result


# Who is free to answer


DIRECTOR = Level(1, "Director of Operations", ("UDIR",), None, 50 * K)
TOP = Chain(ORG, (DIRECTOR, Level(2, "Chief Finance Officer", ("UCFO",), None, None)))


def routed(*, deputies=(), barred=frozenset(), chain=TOP, amount=20 * K) -> Escalation:
    return open_escalation(need=Need(ORG, amount, chain.levels[0]), proposal_id=1, organisation="Northshire NHS Trust",
                           brought_by="UPROP", deputies=list(deputies), now=NOW, calendar=CAL, money=True,
                           chain=chain, barred=barred)


def test_the_proposer_named_as_the_directors_deputy_sends_the_request_to_the_cfo():
    esc = routed(deputies=[Deputy("UDIR", "UPROP", TODAY, date(2026, 12, 4))])
    assert (esc.state, esc.level_title, esc.approvers) == (EscalationState.OPEN, "Chief Finance Officer", ("UCFO",))
    assert esc.skipped == ("Director of Operations",)


def test_a_barred_approver_is_left_out_and_the_others_at_the_level_are_asked():
    esc = routed(chain=Chain(ORG, (Level(1, "Directors", ("UDIR", "UREC", "UOTHER"), None, None),)),
                 barred=frozenset({"UREC"}))
    assert (esc.level_title, esc.approvers, esc.skipped) == ("Directors", ("UDIR", "UOTHER"), ())


def test_when_nobody_on_any_level_is_free_there_is_no_route():
    esc = routed(chain=Chain(ORG, (DIRECTOR,)), barred=frozenset({"UDIR"}))
    assert esc.state is EscalationState.NO_ROUTE and "brought the proposal or is recused" in esc.problem


def test_moving_up_passes_over_a_level_whose_only_approver_is_recused():
    chain = Chain(ORG, (DIRECTOR, Level(2, "Deputy CEO", ("UREC",), None, 100 * K),
                        Level(3, "Chief Executive", ("UCEO",), None, None)))
    esc = routed(chain=chain)
    on_due(esc, chain, deputies=[], now=NOW, calendar=CAL, money=True, barred=frozenset({"UREC"}))
    assert on_due(esc, chain, deputies=[], now=NOW, calendar=CAL, money=True,
                  barred=frozenset({"UREC"})) is Step.MOVE_UP
    assert (esc.level_title, esc.approvers, esc.skipped) == ("Chief Executive", ("UCEO",), ("Deputy CEO",))
