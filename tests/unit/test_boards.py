"""Who may manage a board, and the rule that a board always keeps a chair or secretary."""

from __future__ import annotations

import pytest

from bot.domain.boards import (
    MAX_NAME_LENGTH,
    Board,
    BoardKind,
    CollaborationType,
    DecisionRule,
    Member,
    Role,
    clean_name,
    ensure_can_manage,
    ensure_can_remove,
    ensure_role_change_keeps_a_manager,
    parse_choice,
    parse_timezone,
)
from bot.domain.errors import Conflict, InvalidValue, NotAllowed, NotFound
from prompts.errors import mrkdwn


def board(*members: tuple[str, Role], name: str = "North East Finance Network") -> Board:
    return Board(
        id=1, name=name, kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
        channel_id="C1", timezone="Europe/London", default_rule=DecisionRule.CONSENSUS,
        members=[Member(user_id, f"Org of {user_id}", role) for user_id, role in members],
    )


FULL = board(("UCHAIR", Role.CHAIR), ("USEC", Role.SECRETARY), ("UMEM", Role.MEMBER), ("UOBS", Role.OBSERVER))


@pytest.mark.parametrize("user_id", ["UCHAIR", "USEC"])
def test_only_a_chair_or_secretary_may_change_a_board(user_id):
    assert ensure_can_manage(FULL, user_id).user_id == user_id


@pytest.mark.parametrize("user_id", ["UMEM", "UOBS", "USTRANGER"])
def test_members_observers_and_non_members_may_not_change_a_board(user_id):
    with pytest.raises(NotAllowed) as caught:
        ensure_can_manage(FULL, user_id)
    assert "North East Finance Network" in mrkdwn(caught.value)


def test_the_not_allowed_message_escapes_the_board_name():
    hostile = board(("U1", Role.MEMBER), name="<!channel> & co")
    with pytest.raises(NotAllowed) as caught:
        ensure_can_manage(hostile, "U1")
    assert "<!channel>" not in mrkdwn(caught.value)
    assert "&lt;!channel&gt; &amp; co" in mrkdwn(caught.value)


@pytest.mark.parametrize("actor", ["UMEM", "UOBS", "USTRANGER"])
def test_only_a_manager_may_remove_someone(actor):
    with pytest.raises(NotAllowed):
        ensure_can_remove(FULL, actor, "UMEM")


def test_a_manager_may_remove_a_member_or_an_observer():
    assert ensure_can_remove(FULL, "UCHAIR", "UMEM").user_id == "UMEM"
    assert ensure_can_remove(FULL, "USEC", "UOBS").user_id == "UOBS"


def test_removing_a_non_member_is_not_found():
    with pytest.raises(NotFound) as caught:
        ensure_can_remove(FULL, "UCHAIR", "UNOBODY")
    assert "<@UNOBODY>" in mrkdwn(caught.value)


def test_with_two_managers_one_may_be_removed():
    assert ensure_can_remove(FULL, "UCHAIR", "USEC").role == Role.SECRETARY
    assert ensure_can_remove(FULL, "USEC", "UCHAIR").role == Role.CHAIR


def test_with_two_chairs_a_chair_may_remove_themselves():
    two_chairs = board(("U1", Role.CHAIR), ("U2", Role.CHAIR))
    assert ensure_can_remove(two_chairs, "U1", "U1").user_id == "U1"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARY])
def test_the_last_chair_or_secretary_cannot_be_removed(role):
    lonely = board(("UBOSS", role), ("UMEM", Role.MEMBER))
    with pytest.raises(Conflict) as caught:
        ensure_can_remove(lonely, "UBOSS", "UBOSS")
    assert "last chair or secretary" in mrkdwn(caught.value)


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARY])
@pytest.mark.parametrize("new_role", [Role.MEMBER, Role.OBSERVER])
def test_the_last_chair_or_secretary_cannot_be_demoted(role, new_role):
    lonely = board(("UBOSS", role), ("UMEM", Role.MEMBER))
    with pytest.raises(Conflict):
        ensure_role_change_keeps_a_manager(lonely, "UBOSS", new_role)


def test_the_last_chair_may_become_secretary():
    lonely = board(("UBOSS", Role.CHAIR))
    assert ensure_role_change_keeps_a_manager(lonely, "UBOSS", Role.SECRETARY) is None


def test_with_two_managers_one_may_be_demoted():
    assert ensure_role_change_keeps_a_manager(FULL, "UCHAIR", Role.MEMBER) is None


@pytest.mark.parametrize("target", ["UMEM", "UOBS", "UNEW"])
def test_changing_a_non_managers_role_never_conflicts(target):
    lonely = board(("UBOSS", Role.CHAIR), ("UMEM", Role.MEMBER), ("UOBS", Role.OBSERVER))
    assert ensure_role_change_keeps_a_manager(lonely, target, Role.OBSERVER) is None


@pytest.mark.parametrize(("raw", "kind"), [("peer network", BoardKind.PEER_NETWORK),
                                           ("Partnership-Board", BoardKind.PARTNERSHIP_BOARD),
                                           (" advisory_group ", BoardKind.ADVISORY_GROUP)])
def test_a_choice_forgives_case_spaces_and_hyphens(raw, kind):
    assert parse_choice(BoardKind, raw, field_name="kind", label="kind of group") == kind


def test_a_bad_choice_names_the_field_and_lists_the_choices_in_words():
    with pytest.raises(InvalidValue) as caught:
        parse_choice(DecisionRule, "dictator", field_name="rule", label="decision rule")
    assert caught.value.field == "rule"
    assert "consensus, unanimous, supermajority, majority, advisory" in mrkdwn(caught.value)


def test_a_name_is_trimmed_and_single_spaced():
    assert clean_name("  Leeds   Teaching\tHospitals ", field_name="n", label="name") == "Leeds Teaching Hospitals"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_an_empty_name_is_invalid(raw):
    with pytest.raises(InvalidValue) as caught:
        clean_name(raw, field_name="board_name", label="board name")
    assert caught.value.field == "board_name"


def test_a_name_may_be_at_most_the_maximum_length():
    assert clean_name("x" * MAX_NAME_LENGTH, field_name="n", label="name") == "x" * MAX_NAME_LENGTH
    with pytest.raises(InvalidValue):
        clean_name("x" * (MAX_NAME_LENGTH + 1), field_name="n", label="name")


@pytest.mark.parametrize("raw", ["Europe/London", " America/New_York ", "UTC"])
def test_an_iana_time_zone_is_accepted(raw):
    assert parse_timezone(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", "Mars/Olympus", "../../etc/passwd", "Europe/London.", "GMT+25"])
def test_anything_else_is_not_a_time_zone(raw):
    with pytest.raises(InvalidValue) as caught:
        parse_timezone(raw, field_name="tz")
    assert caught.value.field == "tz"
