"""Example levels, chains, authority and escalations shared by the delegation and escalation tests."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role
from bot.domain.delegation import (
    Chain,
    Level,
    Need,
    needs,
)
from bot.domain.escalation import (
    Escalation,
    open_escalation,
)
from bot.domain.schedule import WorkingCalendar
from bot.domain.scheme import Authority

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
