"""Decision rules read as the governance handbook would state them: quorum, objections, thresholds, one vote per org."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.boards import DecisionRule
from bot.domain.decisions import (
    DEFAULT_SUPERMAJORITY,
    Outcome,
    Position,
    Quorum,
    Vote,
    Voter,
    decide,
    everyone_has_voted,
    parse_quorum,
    quorum_met,
    quorum_needed,
    tally,
)
from bot.domain.errors import InvalidValue

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CODE = {"a": Position.AGREE, "r": Position.RESERVATIONS, "s": Position.STAND_ASIDE,
        "o": Position.OBJECT, "x": Position.ABSTAIN}
AGREED, NOT_AGREED, NO_QUORUM = Outcome.AGREED, Outcome.NOT_AGREED, Outcome.NO_QUORUM
CONSENSUS, UNANIMOUS, SUPER, MAJORITY, ADVISORY = (DecisionRule.CONSENSUS, DecisionRule.UNANIMOUS,
                                                   DecisionRule.SUPERMAJORITY, DecisionRule.MAJORITY,
                                                   DecisionRule.ADVISORY)
QUORATE_RULES = [CONSENSUS, SUPER, MAJORITY]


def vote(user: str, org: str, code: str, minute: int) -> Vote:
    return Vote(user, org, CODE[code], T0 + timedelta(minutes=minute))


def run(rule: DecisionRule, cast: str, *, eligible: int = 5, quorum: str = "1", threshold=DEFAULT_SUPERMAJORITY):
    """Outcome when voter i (each in their own organisation) takes position cast[i]; letters as in CODE."""
    people = [Voter(f"U{i}", f"ORG{i}") for i in range(eligible)]
    ballot = [vote(f"U{i}", f"ORG{i}", c, i) for i, c in enumerate(cast)]
    return decide(rule, tally(ballot, people), quorum=parse_quorum(quorum), threshold=threshold).outcome


@pytest.mark.parametrize("cast", ["aaaao", "ooooo", "ssso", "rrrro", "xxo"])
def test_one_objection_blocks_consensus(cast):
    assert run(CONSENSUS, cast, quorum="3") == NOT_AGREED


@pytest.mark.parametrize("cast", ["arss", "rrr", "ass", "aax", "aaaa"])
def test_stand_asides_reservations_and_abstentions_do_not_block_consensus(cast):
    assert run(CONSENSUS, cast, quorum="3") == AGREED


@pytest.mark.parametrize("cast", ["sss", "xxx", "sx s".replace(" ", "")])
def test_consensus_needs_at_least_one_member_in_favour(cast):
    assert run(CONSENSUS, cast, quorum="3") == NOT_AGREED


@pytest.mark.parametrize("rule", QUORATE_RULES)
def test_exactly_at_quorum_is_enough(rule):
    assert run(rule, "aaa", quorum="3") == AGREED


@pytest.mark.parametrize("rule", QUORATE_RULES)
def test_one_short_of_quorum_is_no_quorum(rule):
    assert run(rule, "aa", quorum="3") == NO_QUORUM


@pytest.mark.parametrize("rule", QUORATE_RULES)
def test_zero_votes_is_no_quorum(rule):
    assert run(rule, "", quorum="1") == NO_QUORUM


@pytest.mark.parametrize("rule", QUORATE_RULES)
def test_an_objection_below_quorum_is_no_quorum_rather_than_a_rejection(rule):
    assert run(rule, "o", quorum="3") == NO_QUORUM


@pytest.mark.parametrize("cast", ["aax", "aas", "axs", "xxx"])
def test_abstentions_and_stand_asides_count_towards_quorum(cast):
    assert run(CONSENSUS, cast, quorum="3") != NO_QUORUM


def test_a_quorum_larger_than_the_electorate_can_never_be_met():
    assert run(CONSENSUS, "aaa", eligible=3, quorum="4") == NO_QUORUM


@pytest.mark.parametrize(("quorum", "eligible", "needed"), [
    ("1/2", 5, 3), ("1/2", 4, 2), ("60%", 5, 3), ("0.5", 1, 1), ("1/3", 7, 3), ("2/3", 9, 6),
    ("1/10", 3, 1), ("100%", 4, 4), ("1/2", 0, 1), ("3", 10, 3), ("3", 1, 3),
])
def test_quorum_needed_rounds_a_fraction_up_with_a_minimum_of_one(quorum, eligible, needed):
    t = tally([], [Voter(f"U{i}", f"ORG{i}") for i in range(eligible)])
    assert quorum_needed(parse_quorum(quorum), t) == needed


def test_fraction_quorum_rounds_up_so_half_of_five_needs_three():
    assert run(CONSENSUS, "aa", eligible=5, quorum="1/2") == NO_QUORUM
    assert run(CONSENSUS, "aaa", eligible=5, quorum="1/2") == AGREED


ORGS = [Voter("U1", "Leeds"), Voter("U2", "Leeds"), Voter("U3", "Leeds"), Voter("U4", "York"), Voter("U5", "Hull")]


def test_every_organisation_quorum_with_one_org_silent_is_no_quorum():
    ballot = [vote("U1", "Leeds", "a", 0), vote("U2", "Leeds", "a", 1), vote("U4", "York", "a", 2)]
    t = tally(ballot, ORGS)
    assert not quorum_met(Quorum(every_organisation=True), t)
    assert decide(CONSENSUS, t, quorum=Quorum(every_organisation=True)).outcome == NO_QUORUM


def test_every_organisation_quorum_counts_organisations_not_people():
    ballot = [vote("U3", "Leeds", "a", 0), vote("U4", "York", "x", 1), vote("U5", "Hull", "r", 2)]
    t = tally(ballot, ORGS)
    assert quorum_needed(Quorum(every_organisation=True), t) == 3
    assert decide(CONSENSUS, t, quorum=Quorum(every_organisation=True)).outcome == AGREED
    assert not quorum_met(Quorum(every_organisation=True), tally([], []))


@pytest.mark.parametrize(("agree", "object_", "outcome"), [
    (2, 1, AGREED), (4, 2, AGREED), (6, 3, AGREED), (3, 0, AGREED), (1, 0, AGREED),
    (1, 1, NOT_AGREED), (3, 2, NOT_AGREED), (5, 3, NOT_AGREED), (7, 4, NOT_AGREED), (0, 3, NOT_AGREED),
])
def test_supermajority_passes_exactly_at_two_thirds_and_fails_just_under(agree, object_, outcome):
    assert run(SUPER, "a" * agree + "o" * object_, eligible=11) == outcome


def test_supermajority_ignores_stand_asides_and_abstentions_and_counts_reservations_as_agreeing():
    assert run(SUPER, "arossxx", eligible=7) == AGREED


@pytest.mark.parametrize("cast", ["xxx", "sss", "xs"])
def test_supermajority_with_no_decisive_votes_is_not_agreed(cast):
    assert run(SUPER, cast, quorum="2") == NOT_AGREED


def test_supermajority_respects_a_custom_threshold():
    assert run(SUPER, "aaao", threshold=Fraction(3, 4)) == AGREED
    assert run(SUPER, "aao", threshold=Fraction(3, 4)) == NOT_AGREED


@pytest.mark.parametrize(("cast", "outcome"), [
    ("ao", NOT_AGREED), ("aaoo", NOT_AGREED), ("aao", AGREED), ("rao", AGREED), ("a", AGREED),
    ("axxxo", NOT_AGREED), ("asss", AGREED), ("ooa", NOT_AGREED),
])
def test_majority_needs_more_than_half_and_a_tie_is_not_agreed(cast, outcome):
    assert run(MAJORITY, cast) == outcome


def test_all_abstain_meets_quorum_but_majority_is_not_agreed():
    assert run(MAJORITY, "xxx", eligible=3, quorum="3") == NOT_AGREED


@pytest.mark.parametrize(("cast", "outcome"), [
    ("aaa", AGREED), ("arr", AGREED), ("aa", NOT_AGREED), ("aas", NOT_AGREED), ("aax", NOT_AGREED),
    ("aao", NOT_AGREED), ("", NOT_AGREED),
])
def test_unanimity_needs_every_eligible_voter_to_agree(cast, outcome):
    assert run(UNANIMOUS, cast, eligible=3, quorum="1") == outcome


def test_unanimous_with_a_missing_voter_is_not_agreed_and_says_so():
    result = decide(UNANIMOUS, tally([vote("U0", "A", "a", 0)], [Voter("U0", "A"), Voter("U1", "B")]), quorum=Quorum(1))
    assert result.outcome == NOT_AGREED
    assert "1 did not vote." in result.reasons


def test_unanimity_with_nobody_eligible_is_not_agreed():
    assert run(UNANIMOUS, "", eligible=0) == NOT_AGREED


def test_unanimity_per_organisation_needs_every_organisation_not_every_person():
    ballot = [vote("U1", "Leeds", "a", 0), vote("U4", "York", "r", 1), vote("U5", "Hull", "a", 2)]
    assert decide(UNANIMOUS, tally(ballot, ORGS, per_organisation=True), quorum=Quorum(1)).outcome == AGREED
    assert decide(UNANIMOUS, tally(ballot, ORGS), quorum=Quorum(1)).outcome == NOT_AGREED


@pytest.mark.parametrize("cast", ["", "ooooo", "aaaaa", "xx", "aao"])
def test_advisory_never_decides(cast):
    assert run(ADVISORY, cast, quorum="5") == Outcome.NOTED


def test_a_changed_vote_counts_only_its_latest_position():
    people = [Voter("U0", "A"), Voter("U1", "B")]
    assert decide(CONSENSUS, tally([vote("U0", "A", "o", 0), vote("U1", "B", "a", 1)], people),
                  quorum=Quorum(2)).outcome == NOT_AGREED
    changed = tally([vote("U0", "A", "a", 0), vote("U1", "B", "a", 1)], people)
    assert changed.counts[Position.OBJECT] == 0 and changed.cast == 2
    assert decide(CONSENSUS, changed, quorum=Quorum(2)).outcome == AGREED


def test_a_changed_vote_keeps_its_organisations_first_place():
    people = [Voter("U0", "A"), Voter("U1", "A")]
    t = tally([vote("U1", "A", "o", 5), vote("U0", "A", "a", 0)], people, per_organisation=True)
    assert [v.user_id for v in t.counted] == ["U0"] and t.counts[Position.AGREE] == 1


def test_votes_of_members_removed_after_voting_are_not_counted():
    ballot = [vote("U0", "A", "a", 0), vote("U1", "B", "a", 1), vote("U2", "C", "o", 2)]
    t = tally(ballot, [Voter("U0", "A"), Voter("U1", "B")])
    assert t.cast == 2 and t.counts[Position.OBJECT] == 0
    assert decide(CONSENSUS, t, quorum=Quorum(2)).outcome == AGREED
    assert decide(CONSENSUS, t, quorum=Quorum(3)).outcome == NO_QUORUM


def test_one_vote_per_organisation_first_recorded_stands():
    ballot = [vote("U2", "Leeds", "a", 9), vote("U1", "Leeds", "o", 1), vote("U4", "York", "a", 2)]
    t = tally(ballot, ORGS, per_organisation=True)
    assert [v.user_id for v in t.counted] == ["U1", "U4"]
    assert [v.user_id for v in t.superseded] == ["U2"]
    assert decide(CONSENSUS, t, quorum=Quorum(2)).outcome == NOT_AGREED


def test_when_an_organisations_first_voter_is_no_longer_eligible_its_next_vote_counts():
    ballot = [vote("U1", "Leeds", "o", 0), vote("U3", "Leeds", "x", 4), vote("U2", "Leeds", "a", 2)]
    t = tally(ballot, [v for v in ORGS if v.user_id != "U1"], per_organisation=True)
    assert [v.user_id for v in t.counted] == ["U2"] and [v.user_id for v in t.superseded] == ["U3"]


def test_per_organisation_quorum_counts_organisations():
    ballot = [vote("U1", "Leeds", "a", 0), vote("U2", "Leeds", "a", 1), vote("U3", "Leeds", "a", 2)]
    t = tally(ballot, ORGS, per_organisation=True)
    assert t.cast == 1 and t.eligible_units == 3
    assert decide(MAJORITY, t, quorum=Quorum(2)).outcome == NO_QUORUM
    assert quorum_needed(Quorum(fraction=Fraction(1, 2)), t) == 2


def test_everyone_has_voted_only_when_nobody_eligible_is_waiting():
    ballot = [vote("U1", "Leeds", "x", 0), vote("U4", "York", "a", 1), vote("U5", "Hull", "o", 2)]
    assert everyone_has_voted(tally(ballot, ORGS, per_organisation=True))
    assert not everyone_has_voted(tally(ballot, ORGS))
    assert not everyone_has_voted(tally(ballot[:2], ORGS, per_organisation=True))
    assert everyone_has_voted(tally(ballot, [v for v in ORGS if v.user_id in {"U1", "U4", "U5"}]))
    assert not everyone_has_voted(tally([], []))


@pytest.mark.parametrize(("raw", "expected"), [
    ("3", Quorum(count=3)), (" 12 ", Quorum(count=12)), ("1/2", Quorum(fraction=Fraction(1, 2))),
    ("60%", Quorum(fraction=Fraction(3, 5))), ("0.5", Quorum(fraction=Fraction(1, 2))),
    ("100%", Quorum(fraction=Fraction(1))), ("every organisation", Quorum(every_organisation=True)),
    ("Every  Organisation", Quorum(every_organisation=True)), ("orgs", Quorum(every_organisation=True)),
])
def test_parse_quorum_accepts_counts_fractions_and_every_organisation(raw, expected):
    quorum = parse_quorum(raw)
    assert quorum == expected
    assert parse_quorum(quorum.encode()) == quorum


@pytest.mark.parametrize("raw", [
    "0", "-1", "lots", "3/2", "150%", "0%", "0/3", "1/0", "", "%", "-1/2", "10001",
    "²",
])
def test_parse_quorum_rejects_nonsense_naming_the_quorum_field(raw):
    with pytest.raises(InvalidValue) as error:
        parse_quorum(raw)
    assert error.value.field == "quorum"


PEOPLE = st.lists(st.tuples(st.integers(0, 3), st.none() | st.sampled_from(list(Position)), st.integers(0, 30),
                            st.booleans()), max_size=8)
QUORUMS = st.one_of(st.integers(1, 6).map(lambda n: Quorum(count=n)), st.just(Quorum(every_organisation=True)),
                    st.fractions(Fraction(1, 10), 1, max_denominator=10).map(lambda f: Quorum(fraction=f)))


def build(people, extra: Position | None = None, extra_org: int = 0):
    """Votes and eligible voters from (org, position or None, minute, eligible); `extra` adds a last eligible vote."""
    people = [*people, (extra_org, extra, 99, True)] if extra else people
    votes = [Vote(f"U{i}", f"ORG{o}", p, T0 + timedelta(minutes=m)) for i, (o, p, m, _) in enumerate(people) if p]
    return votes, [Voter(f"U{i}", f"ORG{o}") for i, (o, _, _, ok) in enumerate(people) if ok]


@given(PEOPLE, QUORUMS, st.booleans(), st.integers(0, 4))
def test_adding_an_objection_never_turns_a_failed_consensus_into_agreement(people, quorum, per_org, org):
    before = decide(CONSENSUS, tally(*build(people), per_organisation=per_org), quorum=quorum).outcome
    after = decide(CONSENSUS, tally(*build(people, Position.OBJECT, org), per_organisation=per_org),
                   quorum=quorum).outcome
    if before is not AGREED or not per_org:
        assert after is not AGREED


@given(PEOPLE, QUORUMS, st.booleans(), st.integers(0, 4), st.sampled_from([SUPER, MAJORITY]))
def test_adding_an_agree_never_turns_agreement_into_anything_else(people, quorum, per_org, org, rule):
    before = decide(rule, tally(*build(people), per_organisation=per_org), quorum=quorum).outcome
    after = decide(rule, tally(*build(people, Position.AGREE, org), per_organisation=per_org), quorum=quorum).outcome
    if before is AGREED:
        assert after is AGREED


@given(PEOPLE, st.booleans())
def test_tally_counts_every_eligible_vote_once(people, per_org):
    votes, eligible = build(people)
    t = tally(votes, eligible, per_organisation=per_org)
    allowed = {v.user_id for v in eligible}
    assert sum(t.counts.values()) == t.cast == len(t.counted)
    assert sorted(v.user_id for v in t.counted + t.superseded) == sorted(v.user_id for v in votes
                                                                         if v.user_id in allowed)
    assert (not t.superseded) or per_org


@given(PEOPLE)
def test_per_organisation_counts_at_most_the_earliest_eligible_vote_of_each_organisation(people):
    votes, eligible = build(people)
    t = tally(votes, eligible, per_organisation=True)
    assert len(t.counted) <= len(t.organisations)
    assert len({v.organisation for v in t.counted}) == len(t.counted)
    for kept in t.counted:
        assert all(kept.first_at <= v.first_at for v in t.superseded if v.organisation == kept.organisation)


@given(PEOPLE, st.booleans())
def test_unanimity_implies_consensus_with_every_organisation_quorum(people, per_org):
    t = tally(*build(people), per_organisation=per_org)
    if decide(UNANIMOUS, t, quorum=Quorum(1)).outcome is AGREED:
        assert everyone_has_voted(t)
        assert decide(CONSENSUS, t, quorum=Quorum(every_organisation=True)).outcome is AGREED


@given(PEOPLE, QUORUMS, st.booleans())
def test_advisory_is_always_noted_and_never_blocks(people, quorum, per_org):
    assert decide(ADVISORY, tally(*build(people), per_organisation=per_org), quorum=quorum).outcome is Outcome.NOTED


NOMINATED = [Voter("U1", "Leeds"), Voter("U2", "Leeds", org_voter=True), Voter("U4", "York")]


def test_with_one_vote_per_organisation_the_nominated_voter_counts_even_when_another_voted_first():
    t = tally([vote("U1", "Leeds", "x", 0), vote("U2", "Leeds", "a", 1)], NOMINATED, per_organisation=True)
    assert [v.user_id for v in t.counted] == ["U2"] and [v.user_id for v in t.superseded] == ["U1"]


def test_an_organisation_with_a_nominee_waits_for_the_nominee_alone():
    t = tally([vote("U1", "Leeds", "a", 0)], NOMINATED, per_organisation=True)
    assert t.counted == [] and {w.user_id for w in t.waiting} == {"U2", "U4"}
    assert not everyone_has_voted(t)


def test_without_a_nominee_the_first_to_vote_speaks_for_the_organisation():
    t = tally([vote("U2", "Leeds", "x", 1), vote("U1", "Leeds", "a", 0)], ORGS, per_organisation=True)
    assert [v.user_id for v in t.counted] == ["U1"]
