"""Board, organisation and member use cases against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.domain.errors import Conflict, InvalidValue, NotAllowed, NotFound
from bot.services import boards
from bot.services.audit import verify_audit
from prompts.errors import mrkdwn
from storage.models import AuditEventRow, BoardRow, MemberRow, Organisation

TEAM, CHANNEL, CHAIR = "T1", "C1", "UCHAIR"
NOW = datetime(2026, 11, 23, 10, 0)


def make_board(db, *, channel=CHANNEL, actor=CHAIR, name="North Finance Network", timezone="Europe/London"):
    return boards.setup_board(
        db, team_id=TEAM, channel_id=channel, actor=actor, name=name, kind=BoardKind.PEER_NETWORK,
        collaboration_type=CollaborationType.INFORMAL, timezone=timezone, default_rule=DecisionRule.CONSENSUS,
        organisation="Leeds Teaching Hospitals", role=Role.CHAIR, now=NOW,
    )


def count(db, model) -> int:
    with db.read() as uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_setting_up_a_board_makes_the_creator_its_chair(db):
    board = make_board(db)
    found = boards.list_members(db, team_id=TEAM, channel_id=CHANNEL)
    assert found.name == board.name == "North Finance Network"
    assert [(m.user_id, m.organisation, m.role) for m in found.members] == [
        (CHAIR, "Leeds Teaching Hospitals", Role.CHAIR)]


def test_a_channel_holds_only_one_board(db):
    make_board(db)
    with pytest.raises(Conflict):
        make_board(db, name="Another")
    assert count(db, BoardRow) == 1


def test_a_bad_time_zone_writes_nothing(db):
    with pytest.raises(InvalidValue) as err:
        make_board(db, timezone="Mars/Olympus")
    assert err.value.field == "timezone"
    assert count(db, BoardRow) == count(db, Organisation) == count(db, AuditEventRow) == 0


def test_organisation_names_are_unique_ignoring_case(db):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Kirklees Council", now=NOW)
    with pytest.raises(Conflict):
        boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="kirklees  council", now=NOW)
    names = [name for name, *_ in boards.list_organisations(db, team_id=TEAM)]
    assert names == ["Kirklees Council", "Leeds Teaching Hospitals"]


def test_adding_a_member_twice_changes_nothing_the_second_time(db):
    make_board(db)
    first = boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                              organisation="leeds teaching hospitals", role=Role.MEMBER, now=NOW)
    events = count(db, AuditEventRow)
    second = boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                               organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=NOW)
    assert (first.outcome, second.outcome) == ("added", "unchanged")
    assert count(db, MemberRow) == 2
    assert count(db, AuditEventRow) == events


def test_changing_a_members_role_is_recorded_with_what_it_was(db):
    make_board(db)
    boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                      organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=NOW)
    change = boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                               organisation="Leeds Teaching Hospitals", role=Role.SECRETARY, now=NOW)
    assert change.outcome == "updated"
    with db.read() as uow:
        last = uow.session.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())).scalars().first()
        assert last.action == "member.updated" and '"was"' in last.payload


def test_a_member_who_is_not_chair_or_secretary_cannot_add_members(db):
    make_board(db)
    boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                      organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=NOW)
    before = count(db, AuditEventRow)
    with pytest.raises(NotAllowed):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor="U2", user_id="U3",
                          organisation="Leeds Teaching Hospitals", role=Role.CHAIR, now=NOW)
    assert count(db, MemberRow) == 2 and count(db, AuditEventRow) == before


def test_an_unknown_organisation_is_refused_with_a_hint(db):
    make_board(db)
    with pytest.raises(NotFound) as err:
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                          organisation="Nowhere Trust", role=Role.MEMBER, now=NOW)
    assert "/collab org add" in mrkdwn(err.value)


def test_the_last_chair_cannot_be_removed_or_demoted(db):
    make_board(db)
    with pytest.raises(Conflict):
        boards.remove_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=CHAIR, now=NOW)
    with pytest.raises(Conflict):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=CHAIR,
                          organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=NOW)
    assert count(db, MemberRow) == 1


def test_removing_a_member_takes_them_off_the_board_and_their_home(db):
    make_board(db)
    boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                      organisation="Leeds Teaching Hospitals", role=Role.MEMBER, now=NOW)
    assert [s.board_name for s in boards.seats(db, team_id=TEAM, user_id="U2")] == ["North Finance Network"]
    board = boards.remove_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", now=NOW)
    assert [m.user_id for m in board.members] == [CHAIR]
    assert boards.seats(db, team_id=TEAM, user_id="U2") == []


def test_commands_in_an_unlinked_channel_say_how_to_set_up(db):
    with pytest.raises(NotFound) as err:
        boards.list_members(db, team_id=TEAM, channel_id="CNONE")
    assert "/collab setup" in mrkdwn(err.value)


def test_every_change_is_in_a_verifiable_audit_chain(db):
    make_board(db)
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Calderdale Council", now=NOW)
    boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2",
                      organisation="Calderdale Council", role=Role.OBSERVER, now=NOW)
    boards.remove_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id="U2", now=NOW)
    with db.read() as uow:
        actions = uow.session.execute(select(AuditEventRow.action).order_by(AuditEventRow.seq)).scalars().all()
    assert actions == ["organisation.added", "board.created", "member.added", "organisation.added",
                       "member.added", "member.removed"]
    check = verify_audit(db)
    assert check.broken is None and check.events == 6
