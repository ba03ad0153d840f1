"""Which categories go through sign-off: only those the workspace's scheme records a limit (or, for money, a chain)
in; the rest ask nobody and queue nothing as taken under delegation."""

from __future__ import annotations

from bot.domain.decisions import Outcome
from bot.domain.delegation import SignOffScope
from bot.outbound.registry import Kind
from bot.services import authority
from prompts.blocks.scheme import scheme_view
from tests.unit import test_delegation_services as base
from tests.unit.test_delegation_services import (
    CEO,
    CFO,
    CHAIR,
    CHANNEL,
    DOF,
    NOW,
    TEAM,
    K,
    asked,
    everyone_agrees,
    give_chain,
    propose,
    set_limit,
)

db = base.db  # a fixture


def test_a_limit_in_one_category_checks_that_category_only():
    scope = SignOffScope(frozenset({"finance"}), chained=False)
    assert scope.checks("finance", money=True) and not scope.checks("service_change", money=False)


def test_a_chain_checks_money_categories_but_not_yes_no_ones():
    scope = SignOffScope(frozenset(), chained=True)
    assert scope.checks("finance", money=True) and not scope.checks("workforce", money=False)


def test_a_finance_limit_alone_asks_nobody_about_a_service_change(db):
    give_chain(db, "Leeds", DOF, CFO, CEO)
    set_limit(db, "U2", "10k")
    pid = propose(db, None, category="service_change")
    assert asked(db, pid) == []
    assert db.jobs(Kind.ESCALATION_ASK) == [] and db.jobs(Kind.ESCALATION_DUE) == []
    snap = everyone_agrees(db, pid)
    assert snap.outcome is Outcome.AGREED and snap.delegated is None, "not checked, so not taken under delegation"


def test_a_finance_limit_still_checks_finance_proposals(db):
    give_chain(db, "Leeds", DOF, CFO, CEO)
    set_limit(db, "U2", "10k")
    assert {e.organisation for e in asked(db, propose(db, 50 * K))} == {"Leeds", "York"}


def test_a_yes_no_limit_switches_checking_on_for_its_category(db):
    give_chain(db, "Leeds", DOF, CFO, CEO)
    set_limit(db, "U3", "yes", category="service_change")
    [e] = asked(db, propose(db, None, category="service_change"))
    assert e.organisation == "Leeds"


def shown(db, user: str = CHAIR) -> str:
    scheme = authority.limits_of(db, team_id=TEAM, channel_id=CHANNEL, actor=user, user_id=user, now=NOW)
    return scheme_view(scheme, own=True)["text"]


def test_authority_before_any_scheme_says_nothing_is_checked(db):
    assert "nothing is checked" in shown(db)


def test_authority_names_the_categories_that_are_checked(db):
    set_limit(db, "U2", "10k")
    text = shown(db)
    assert "nothing is checked" not in text and "in Finance decisions goes to your organisation" in text
