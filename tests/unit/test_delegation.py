"""Delegated authority read as a scheme of delegation would state it: who may commit, whom to ask, and when."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from bot.domain.boards import CollaborationType, DecisionRule, Role
from bot.domain.delegation import (
    ORG_TYPE_LABELS,
    CategoryRule,
    Chain,
    Deputy,
    Level,
    OrgType,
    answerers,
    check_chain,
    check_deputy,
    check_override,
    ensure_may_grant,
    first_level,
    governance_flag,
    holds_authority,
    needs,
    rule_for,
)
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.scheme import Grant, overlaps, remainders
from prompts.errors import mrkdwn
from tests.unit.delegation_examples import (
    BOARD,
    CFO,
    CHAIN,
    COO,
    ORG,
    TODAY,
    K,
    authority,
    board,
    need_for,
)

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
    assert error.value.field == field and words in mrkdwn(error.value)


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


# A limit changed from a later date


def test_a_limit_raised_from_next_month_keeps_todays_until_then():
    today = authority(amount=100 * K, start=date(2026, 4, 1))
    raised = authority(amount=250 * K, start=date(2026, 12, 1))
    assert remainders(today, raised) == [authority(amount=100 * K, start=date(2026, 4, 1), end=date(2026, 11, 30))]


def test_a_limit_for_a_period_inside_another_leaves_both_ends():
    year = authority(amount=100 * K, start=date(2026, 4, 1), end=date(2027, 3, 31))
    winter = authority(amount=500 * K, start=date(2026, 12, 1), end=date(2027, 1, 31))
    assert remainders(year, winter) == [
        authority(amount=100 * K, start=date(2026, 4, 1), end=date(2026, 11, 30)),
        authority(amount=100 * K, start=date(2027, 2, 1), end=date(2027, 3, 31))]


def test_a_limit_from_the_same_day_replaces_the_old_one_whole():
    old, new = authority(amount=100 * K), authority(amount=250 * K)
    assert overlaps(old, new) and remainders(old, new) == []


def test_periods_that_only_touch_do_not_overlap():
    assert not overlaps(authority(end=date(2026, 11, 30)), authority(start=date(2026, 12, 1)))
