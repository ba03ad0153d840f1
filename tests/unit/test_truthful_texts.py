"""Texts people read say what is true: what they may do, what a button is called, how a thing is named."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role, ensure_can_manage
from bot.domain.delegation import OrgType
from bot.domain.errors import NotAllowed
from bot.domain.reviews import Review, ReviewKind
from prompts.blocks.chains import rules_list
from prompts.blocks.polls import decisions_list
from prompts.blocks.replies import board_created, organisation_changed, organisation_list
from prompts.blocks.reviews import review_list, review_modal, review_reminder
from prompts.errors import mrkdwn as error_text
from tests.unit.test_poll_blocks import snapshot

BOARD = Board(1, "Finance Directors", BoardKind.PEER_NETWORK, CollaborationType.INFORMAL, "C1", "Europe/London",
              DecisionRule.CONSENSUS, [Member("UCHAIR", "Leeds", Role.CHAIR), Member("UMEM", "York", Role.MEMBER)])


def mrkdwn(content: dict) -> str:
    """Every text of a message or view, as one string."""
    return json.dumps(content)


def mou_review() -> Review:
    return Review(3, 1, ReviewKind.MOU, "Annual review", date(2027, 1, 4), "yearly", "channel",
                  datetime(2027, 1, 4, 9, 0))


def test_a_member_asking_to_see_what_only_the_chair_sees_is_told_just_that():
    with pytest.raises(NotAllowed) as refused:
        ensure_can_manage(BOARD, "UMEM", to_see="a decision's vote history")
    assert error_text(refused.value) == ("Only the chair or secretary of *Finance Directors* can see "
                                         "a decision's vote history.")


def test_the_review_form_names_the_button_the_reminder_really_has():
    form = mrkdwn(review_modal(metadata="m", today=date(2027, 1, 4)))
    buttons = [e["text"]["text"] for b in review_reminder(mou_review(), board_name="B", timezone="Europe/London")[
        "blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Done", "Remind me in a week"]
    assert "Snooze" not in form and "in a week" in form


@pytest.mark.parametrize(("kind", "noun"), [
    ("voluntary", "a voluntary sector organisation"), ("independent", "an independent sector organisation"),
    ("nhs_trust", "an NHS trust"), ("local_authority", "a local authority"), ("other", "another type of organisation"),
])
def test_an_organisations_type_reads_as_a_whole_noun(kind, noun):
    text = organisation_changed("Age UK Leeds", kind=kind)["text"]
    assert text == f"*Age UK Leeds* is recorded as {noun}."


def test_every_organisation_type_has_words_in_a_sentence():
    for kind in OrgType:
        assert "recorded as" in organisation_changed("X", kind=kind.value)["text"]


def test_the_review_list_writes_mou_in_capitals():
    listed = mrkdwn(review_list("Finance Directors", "Europe/London", [mou_review()]))
    assert "(MoU or terms of reference review)" in listed and "mou" not in listed


def test_recent_decisions_do_not_send_a_slack_user_to_a_server_command():
    text = mrkdwn(decisions_list([snapshot(3, closed=True)]))
    assert "collab-bot export" not in text and "--board" not in text
    assert "ask whoever runs collab-bot to export it" in text


@pytest.mark.parametrize("content", [
    board_created(BOARD), organisation_list([]), review_list("B", "Europe/London", [mou_review()]),
    rules_list(BOARD, [], {}),
], ids=["board created", "no organisations", "reviews", "rules"])
def test_placeholders_in_backticks_are_escaped_for_mrkdwn(content):
    text = mrkdwn(content)
    assert "<organisation" not in text and "<number>" not in text and "<category>" not in text
    assert "&lt;" in text
