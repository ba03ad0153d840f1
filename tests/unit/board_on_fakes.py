"""A board on the in-memory fakes, as several service tests start: the chair, two members and a secretary."""

from __future__ import annotations

from datetime import datetime

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.services import boards
from tests.fakes import FakeDatabase

TEAM, CHANNEL, CHAIR, SECRETARY = "T1", "C1", "UCHAIR", "USEC"


def four_member_board(now: datetime) -> FakeDatabase:
    """An informal board, North Finance Network, all four sitting for Leeds."""
    db = FakeDatabase(now)
    boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="North Finance Network",
                       kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                       timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Leeds",
                       role=Role.CHAIR, now=now)
    for user, role in (("U2", Role.MEMBER), ("U3", Role.MEMBER), (SECRETARY, Role.SECRETARY)):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, organisation="Leeds",
                          role=role, now=now)
    return db
