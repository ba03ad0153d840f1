"""Delegated authority read as a scheme of delegation would state it: who may commit, whom to ask, and when."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role
from bot.domain.decisions import Outcome, Result
from bot.domain.delegation import (
    ORG_TYPE_LABELS,
    CategoryRule,
    Chain,
    Deputy,
    Escalation,
    EscalationState,
    Level,
    Need,
    OrgType,
    Step,
    agree_note,
    answerers,
    check_chain,
    check_deputy,
    check_override,
    combine,
    due_after,
    ensure_may_grant,
    first_level,
    governance_flag,
    holds_authority,
    needs,
    on_due,
    open_escalation,
    rule_for,
)
from bot.domain.errors import Conflict, InvalidValue, NotAllowed
from bot.domain.schedule import WorkingCalendar
from bot.domain.scheme import Authority, Grant

CAL = WorkingCalendar("Europe/London")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 14, 5)  # a Tuesday; 14:05 GMT is 14:05 in London
K = 100_000  # £1,000 in pence
ORG = 7

CFO = Level(1, "Chief Finance Officer", ("UCFO",), None, 100 * K)
COO = Level(2, "Director of Operations", ("UCOO",), None, 500 * K, approves_other=False, response_days=3)
BOARD = Level(3, "Trust Board", (), "CBOARD", None)
CHAIN = Chain(ORG, (CFO, COO, BOARD))


def authority(user="U1", *, org=ORG, category="finance", amount=None, unlimited=False, allowed=False,
              start=date(2026, 4, 1), end=None) -> Authority:
    return Authority(user, org, category, start, end, amount, unlimited, allowed)


def need_for(amount, *, auths=(), voters=("U1",), chains=None, money=True, category="finance") -> list[Need]:
    return needs(amounts={ORG: amount}, voters={ORG: list(voters)}, authorities=list(auths), category=category,
                 money=money, chains={ORG: CHAIN} if chains is None else chains, on=TODAY)


def opened(level=CFO, *, deputies=(), amount=150 * K, proposer="UPROP") -> Escalation:
    return open_escalation(need=Need(ORG, amount, level), proposal_id=1, organisation="Northshire NHS Trust",
                           brought_by=proposer, deputies=list(deputies), now=NOW, calendar=CAL, money=True)


def board(*members: tuple[str, Role]) -> Board:
    return Board(1, "Northshire Partnership", BoardKind.PARTNERSHIP_BOARD, CollaborationType.STRATEGIC, "CB",
                 "Europe/London", DecisionRule.CONSENSUS, [Member(u, "Org", r) for u, r in members])


# Who may commit an organisation


def test_every_organisation_type_has_a_label():
    assert set(ORG_TYPE_LABELS) == set(OrgType)
    assert ORG_TYPE_LABELS[OrgType.VOLUNTARY] == "Voluntary sector"


def test_a_member_with_an_exact_limit_needs_no_escalation():
    assert need_for(250 * K, auths=[authority(amount=250 * K)]) == []


def test_a_member_whose_limit_is_a_penny_short_needs_escalation():
    assert [n.level for n in need_for(250 * K + 1, auths=[authority(amount=250 * K)])] == [COO]


def test_expired_authority_does_not_count():
    auth = authority(amount=500 * K, end=TODAY.replace(day=23))
    assert not holds_authority("U1", ORG, [auth], category="finance", amount_pence=K, money=True, on=TODAY)


def test_authority_ending_today_still_counts():
    auth = authority(amount=500 * K, end=TODAY)
    assert holds_authority("U1", ORG, [auth], category="finance", amount_pence=K, money=True, on=TODAY)


def test_future_authority_does_not_count():
    auth = authority(amount=500 * K, start=TODAY.replace(day=25))
    assert not holds_authority("U1", ORG, [auth], category="finance", amount_pence=K, money=True, on=TODAY)


def test_unlimited_authority_covers_any_amount():
    assert need_for(10**12, auths=[authority(unlimited=True)]) == []


def test_authority_for_another_organisation_or_category_does_not_count():
    auths = [authority(amount=500 * K, org=ORG + 1), authority(amount=500 * K, category="workforce")]
    assert len(need_for(K, auths=auths)) == 1


def test_one_member_of_an_organisation_covering_is_enough():
    assert need_for(50 * K, auths=[authority("U2", amount=50 * K)], voters=("U1", "U2", "U3")) == []


def test_authority_of_someone_who_is_not_voting_does_not_count():
    assert len(need_for(50 * K, auths=[authority("UOBS", amount=50 * K)], voters=("U1",))) == 1


def test_yes_no_category_needs_an_allowed_member():
    refused = authority(category="policy", allowed=False)
    assert need_for(None, auths=[refused], money=False, category="policy")[0].level == CFO
    allowed = authority(category="policy", allowed=True)
    assert need_for(None, auths=[allowed], money=False, category="policy") == []


def test_organisations_come_back_in_order_of_id_and_covered_ones_drop_out():
    found = needs(amounts={9: K, 3: K, 5: K}, voters={5: ["U5"]}, authorities=[authority("U5", org=5, amount=K)],
                  category="finance", money=True, chains={}, on=TODAY)
    assert [n.organisation_id for n in found] == [3, 9]


def test_missing_chain_is_no_route():
    [need] = need_for(K, chains={})
    assert need.level is None and need.problem == "has no escalation chain"


def test_chain_that_tops_out_is_no_route():
    chain = Chain(ORG, (CFO, COO))
    [need] = need_for(600 * K, chains={ORG: chain})
    assert need.level is None and need.problem == "its escalation chain tops out at £500,000"


def test_a_chain_with_no_level_for_the_category_is_no_route():
    chain = Chain(ORG, (Level(1, "CFO", ("UCFO",), None, None, approves_other=False),))
    [need] = need_for(None, chains={ORG: chain}, money=False, category="service_change")
    assert need.problem == "no level of its chain can approve service change decisions"


def test_the_first_level_asked_is_the_lowest_that_covers_the_amount():
    assert first_level(CHAIN, 100 * K, money=True) == CFO
    assert first_level(CHAIN, 100 * K + 1, money=True) == COO
    assert first_level(CHAIN, None, money=False, above=1) == BOARD
    assert first_level(None, K, money=True) is None


# Checking a chain typed in a modal


def test_check_chain_renumbers_and_cleans_levels():
    typed = [Level(5, "  Chief\tFinance Officer ", ("UCFO", "UCFO"), "", 100 * K), Level(9, "Board", (), "C1", None)]
    levels = check_chain(typed)
    assert [lv.position for lv in levels] == [1, 2]
    assert levels[0].title == "Chief Finance Officer" and levels[0].approvers == ("UCFO",)
    assert levels[0].channel_id is None


@pytest.mark.parametrize(("levels", "field", "words"), [
    ([], "level_1", "at least one level"),
    ([Level(1, f"L{i}", ("U",), None, (i + 1) * K) for i in range(9)], "level_9", "at most 8"),
    ([CFO, Level(2, "   ", ("U",), None, None)], "level_2", "title"),
    ([Level(1, "x" * 81, ("U",), None, None)], "level_1", "80 characters"),
    ([Level(1, "CFO", (), None, None)], "level_1", "approver"),
    ([Level(1, "CFO", ("U",), None, None, response_days=0)], "level_1", "working days"),
    ([Level(1, "CFO", ("U",), None, None, response_days=31)], "level_1", "working days"),
    ([Level(1, "CFO", ("U",), None, 0)], "level_1", "more than £0"),
    ([BOARD, CFO], "level_1", "Only the last level can be unlimited"),
    ([CFO, Level(2, "COO", ("U",), None, 100 * K)], "level_2", "higher than that of level 1 (up to £100,000)"),
])
def test_check_chain_names_the_level_that_is_wrong(levels, field, words):
    with pytest.raises(InvalidValue) as error:
        check_chain(levels)
    assert error.value.field == field and words in error.value.message


def test_a_level_limit_reads_in_pounds():
    assert CFO.describe_limit() == "up to £100,000" and BOARD.describe_limit() == "unlimited"


# Deputies


def test_a_deputy_acts_on_both_days_of_their_period_only():
    cover = Deputy("UCFO", "UDEP", date(2026, 11, 20), date(2026, 11, 24))
    assert cover.acting_on(date(2026, 11, 20)) and cover.acting_on(date(2026, 11, 24))
    assert not cover.acting_on(date(2026, 11, 25))


def test_deputies_of_people_not_on_the_level_are_ignored():
    level = Level(1, "Execs", ("UA", "UB"), None, None)
    covers = [Deputy("UA", "UDEP", TODAY, TODAY), Deputy("UZ", "UX", TODAY, TODAY)]
    assert answerers(level, covers, TODAY) == [("UDEP", "UA"), ("UB", None)]


@pytest.mark.parametrize(("approver", "deputy", "start", "end", "field"), [
    ("UA", "UA", TODAY, TODAY, "deputy"),
    ("UA", "UB", TODAY, date(2026, 11, 23), "until_date"),
])
def test_a_deputy_must_be_someone_else_and_end_after_starting(approver, deputy, start, end, field):
    with pytest.raises(InvalidValue) as error:
        check_deputy(approver, deputy, start, end)
    assert error.value.field == field


def test_a_deputy_answers_for_the_approver_during_their_period():
    esc = opened(deputies=[Deputy("UCFO", "UDEP", TODAY, date(2026, 12, 4))])
    assert esc.approvers == ("UDEP",) and esc.acting_for == (("UDEP", "UCFO"),)
    esc.answer(user_id="UDEP", endorse=True, comment="Within budget.", now=NOW)
    assert (esc.state, esc.answered_by, esc.answered_for) == (EscalationState.ENDORSED, "UDEP", "UCFO")
    assert esc.record_line() == ("Endorsed by <@UDEP> for <@UCFO> (Chief Finance Officer), 24 Nov 2026 14:05 UTC: "
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


def test_the_proposer_cannot_answer_even_on_a_channel_level():
    esc = opened(level=BOARD)
    assert esc.may_answer("USOMEONE") and not esc.may_answer("UPROP")


def test_only_the_approvers_asked_may_answer():
    esc = opened()
    with pytest.raises(NotAllowed, match=r"Only <@UCFO> \(Chief Finance Officer\) can answer"):
        esc.answer(user_id="USTRANGER", endorse=True, comment="", now=NOW)


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
    assert esc.record_line() == ("Declined by <@UCFO> (Chief Finance Officer), 24 Nov 2026 14:05 UTC: "
                                 "Not in this year's plan.")
    with pytest.raises(Conflict, match="already been answered: declined by <@UCFO>"):
        esc.answer(user_id="UCFO", endorse=True, comment="", now=NOW)


def test_a_withdrawn_escalation_cannot_be_answered():
    esc = opened()
    esc.state = EscalationState.WITHDRAWN
    with pytest.raises(Conflict, match="withdrawn"):
        esc.answer(user_id="UCFO", endorse=True, comment="", now=NOW)


def test_record_lines_say_what_an_escalation_waits_on():
    assert opened(level=COO).record_line() == "Waiting on Director of Operations"
    no_route = opened(level=None)
    no_route.problem = "has no escalation chain"
    assert no_route.record_line() == "No route: Northshire NHS Trust has no escalation chain"


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
    assert esc.record_line() == "Endorsed by <@UCFO> (Chief Finance Officer), 24 Nov 2026 14:05 UTC"


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


# Which rule for which issue

RULES = {"finance": CategoryRule("finance", DecisionRule.SUPERMAJORITY, Fraction(3, 4))}


def test_a_category_with_its_own_rule_uses_it():
    assert rule_for("finance", RULES, default=DecisionRule.CONSENSUS) == RULES["finance"]


def test_a_category_without_its_own_rule_uses_the_board_default():
    assert rule_for("policy", RULES, default=DecisionRule.CONSENSUS) == CategoryRule("policy", DecisionRule.CONSENSUS)


def test_keeping_the_category_rule_is_not_an_override():
    b = board(("UMEM", Role.MEMBER))
    assert check_override(b, "UMEM", chosen=DecisionRule.SUPERMAJORITY, expected=RULES["finance"]) is False


def test_the_chair_may_override_the_category_rule():
    b = board(("UCHAIR", Role.CHAIR))
    assert check_override(b, "UCHAIR", chosen=DecisionRule.UNANIMOUS, expected=RULES["finance"]) is True


@pytest.mark.parametrize("user", ["USEC", "UMEM", "UNOBODY"])
def test_only_the_chair_may_override_the_category_rule(user):
    b = board(("UCHAIR", Role.CHAIR), ("USEC", Role.SECRETARY), ("UMEM", Role.MEMBER))
    with pytest.raises(NotAllowed, match="uses for finance decisions"):
        check_override(b, user, chosen=DecisionRule.MAJORITY, expected=RULES["finance"])


# Governance fit


@pytest.mark.parametrize("collaboration", list(CollaborationType))
def test_nothing_marked_is_never_flagged(collaboration):
    assert governance_flag(collaboration, set()) is None


def test_formal_boards_are_never_flagged():
    assert governance_flag(CollaborationType.FORMAL, {"transfers_funds", "binding"}) is None


def test_a_strategic_collaboration_transferring_funds_is_flagged():
    assert governance_flag(CollaborationType.STRATEGIC, {"binding", "transfers_funds"}) == (
        "This involves a transfer of funds and a binding commitment, which needs formal arrangements; "
        "take advice from your trust secretary.")


def test_several_marks_are_listed_in_order():
    flag = governance_flag(CollaborationType.INFORMAL, {"binding", "transfers_services", "transfers_staff"})
    assert flag.startswith("This involves a transfer of staff, a transfer of services and a binding commitment,")


def test_an_unknown_mark_is_refused():
    with pytest.raises(InvalidValue) as error:
        governance_flag(CollaborationType.FORMAL, {"transfers_land"})
    assert error.value.field == "marks"


# Changing the scheme


@pytest.mark.parametrize(("current", "new", "money"), [
    (None, Grant(amount_pence=K), True),
    (authority(amount=K), Grant(amount_pence=K + 1), True),
    (authority(amount=500 * K), Grant(unlimited=True), True),
    (authority(allowed=False), Grant(allowed=True), False),
    (None, Grant(allowed=True), False),
])
def test_a_member_can_never_raise_their_own_limit(current, new, money):
    with pytest.raises(NotAllowed, match="can't raise your own"):
        ensure_may_grant(actor_id="U1", target_id="U1", current=current, new=new, money=money)


@pytest.mark.parametrize(("current", "new", "money"), [
    (authority(amount=K), Grant(amount_pence=K), True),
    (authority(unlimited=True), Grant(amount_pence=500 * K), True),
    (authority(amount=K), Grant(), True),
    (None, Grant(), True),
    (authority(allowed=True), Grant(allowed=False), False),
])
def test_a_member_may_keep_or_lower_their_own_limit(current, new, money):
    ensure_may_grant(actor_id="U1", target_id="U1", current=current, new=new, money=money)


def test_someone_else_may_raise_a_members_limit():
    ensure_may_grant(actor_id="USEC", target_id="U1", current=None, new=Grant(unlimited=True), money=True)
