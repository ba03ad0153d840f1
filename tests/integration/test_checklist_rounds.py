"""Checklist rounds on both databases: answers kept once per member and round, closed rounds frozen, and the pulse
check's answers kept only as counts, never stored or reported with who gave them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.domain.errors import Conflict, InvalidValue
from bot.services import checklists, rounds
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board
from tests.integration.test_proposals import NOW, seat

MEMBERS = ("UPULSE1", "UPULSE2")


def board_with_members(db) -> None:
    make_board(db)
    seat(db, {user: "member" for user in MEMBERS})


def open_round(db, template: str) -> int:
    r, _, _ = rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, template_id=template,
                                closes_at=NOW + timedelta(days=7), now=NOW)
    return r.id


def answer(db, round_id: int, user: str, question: str, value: str, at=NOW):
    return checklists.answer(db, team_id=TEAM, round_id=round_id, user_id=user, question_id=question, value=value,
                             now=at)


def send(db, round_id: int, user: str, value: str, at=NOW):
    template = checklists.round_view(db, round_id)[1]
    return checklists.answer_area(db, team_id=TEAM, round_id=round_id, user_id=user, now=at,
                                  values={q.id: value for q in template.questions()})


def test_pulse_answers_are_stored_as_counts_and_reported_without_who_gave_them(db):
    board_with_members(db)
    seat(db, {"UPULSE3": "member"})
    rid = open_round(db, "pulse-check")
    for user, value in zip((*MEMBERS, "UPULSE3"), ("1", "5", "5"), strict=True):
        send(db, rid, user, value)
    with db.read() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM checklist_answers")).scalar() == 0
        pooled = [tuple(row) for row in uow.session.execute(text(
            "SELECT question_id, value, count FROM checklist_tallies WHERE count > 0 ORDER BY question_id, value"))]
    first = checklists.round_view(db, rid)[1].questions()[0].id
    assert (first, "1", 1) in pooled and (first, "5", 2) in pooled and len(pooled) == 10
    rounds.close_round(db, round_id=rid, by=CHAIR, now=NOW + timedelta(hours=1), team_id=TEAM)
    report = rounds.report_of(db, rid)
    assert report.report.members == 3 and report.distribution[first] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 2}
    assert not any(user in repr(report.report) or user in repr(report.distribution) for user in MEMBERS)


def test_a_member_answers_once_per_round_and_may_change_it_until_it_closes(db):
    board_with_members(db)
    rid = open_round(db, "board-diagnostic")
    question = checklists.show(db, team_id=TEAM, round_id=rid, user_id=MEMBERS[0], question_id=None).question
    answer(db, rid, MEMBERS[0], question.id, "yes")
    answer(db, rid, MEMBERS[0], question.id, "no", at=NOW + timedelta(minutes=5))
    step = checklists.show(db, team_id=TEAM, round_id=rid, user_id=MEMBERS[0], question_id=question.id)
    assert step.answers[question.id].value == "no"
    assert rounds.report_of(db, rid).report.members == 1
    assert rounds.close_round(db, round_id=rid, by=CHAIR, now=NOW + timedelta(hours=1), team_id=TEAM)
    with pytest.raises(Conflict):
        answer(db, rid, MEMBERS[0], question.id, "yes", at=NOW + timedelta(hours=2))


def test_only_one_round_of_a_checklist_is_open_at_a_time_and_only_the_chair_opens_it(db):
    board_with_members(db)
    open_round(db, "board-diagnostic")
    with pytest.raises(InvalidValue):
        open_round(db, "board-diagnostic")
    with pytest.raises(Exception, match="chair or secretary"):
        rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=MEMBERS[0], template_id="pulse-check",
                          closes_at=None, now=NOW)


def test_members_who_have_not_finished_are_reminded_and_those_who_have_are_not(db):
    board_with_members(db)
    rid = open_round(db, "pulse-check")
    send(db, rid, MEMBERS[0], "3")
    assert rounds.remind_unfinished(db, round_id=rid, now=NOW + timedelta(days=6)) == 2  # the chair and MEMBERS[1]


def test_a_board_loads_its_own_version_of_a_checklist_once_and_its_rounds_use_it(db, tmp_path):
    from bot.services.checklist_templates import load_for_board
    from storage.checklist_files import read_template, shipped_paths

    board_with_members(db)
    source = next(p for p in shipped_paths() if p.name == "pulse_check.yaml").read_text("utf-8")
    own = tmp_path / "pulse.yaml"
    own.write_text(source.replace("version: 1", "version: 2").replace("title: ", "title: Our ", 1), "utf-8")
    template, text = read_template(own)
    load_for_board(db, board_name="North Finance Network", template=template, source=text, actor=CHAIR, now=NOW)
    assert template.version == 2 and template.title.startswith("Our ")
    with pytest.raises(Conflict):
        load_for_board(db, board_name="North Finance Network", template=template, source=text, actor=CHAIR, now=NOW)
    rid = open_round(db, "pulse-check")
    assert checklists.round_view(db, rid)[1].title == template.title
