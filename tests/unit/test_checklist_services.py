"""Checklists and their rounds through the services, on the in-memory unit of work: walking through a checklist in
a DM, the board's rounds (opening, reminding, closing, reporting), the pulse check's pooled answers and the
selector."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.domain.boards import CollaborationType
from bot.domain.errors import Conflict, InvalidValue, NotAllowed, NotFound
from bot.domain.events import Route
from bot.domain.rounds import TooFewAnswers
from bot.outbound.registry import Kind
from bot.services import boards, checklists, rounds
from bot.services.checklist_templates import load_for_board
from storage.checklist_files import read_template, shipped_paths, shipped_templates
from tests.fakes import FakeDatabase
from tests.unit.board_on_fakes import CHAIR, CHANNEL, SECRETARY, TEAM, four_member_board

NOW = datetime(2026, 11, 30, 10, 0)
LATER = NOW + timedelta(hours=2)
MEMBERS = (CHAIR, "U2", "U3", SECRETARY)
HOOK = "https://hooks.example/checklist"
DIAGNOSTIC, PULSE, SELECTOR = "board-diagnostic", "pulse-check", "collaboration-type"


@pytest.fixture
def db() -> FakeDatabase:
    """An informal board: the chair, two members and a secretary, all for Leeds. No round is open."""
    return four_member_board(NOW)


def questions(template_id: str) -> list[str]:
    return [q.id for q in shipped_templates()[template_id].questions()]


def start(db, user: str = "U2", template_id: str | None = None, *, now: datetime = NOW):
    return checklists.start(db, team_id=TEAM, channel_id=CHANNEL, user_id=user, template_id=template_id, now=now)


def open_round(db, template_id: str = DIAGNOSTIC, *, actor: str = CHAIR, closes: timedelta | None = timedelta(days=7),
               now: datetime = NOW):
    r, _, _ = rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=actor, template_id=template_id,
                                closes_at=now + closes if closes else None, now=now)
    return r


def answer(db, round_id: int, user: str, question_id: str, value: str | None = None, *, now: datetime = NOW,
           **kwargs):
    return checklists.answer(db, team_id=TEAM, round_id=round_id, user_id=user, question_id=question_id,
                             value=value, now=now, **kwargs)


def answer_all(db, round_id: int, user: str, template_id: str, value: str, *, now: datetime = NOW):
    for question_id in questions(template_id):
        step = answer(db, round_id, user, question_id, value, now=now)
    return step


def move(db, round_id: int, question_id: str, direction: str, *, user: str = "U2"):
    return checklists.move(db, team_id=TEAM, round_id=round_id, user_id=user, question_id=question_id,
                           direction=direction, now=LATER, reply_to=Route(TEAM, user, None, HOOK))


def close(db, round_id: int, *, by: str | None = CHAIR, now: datetime = LATER) -> bool:
    return rounds.close_round(db, round_id=round_id, by=by, now=now, team_id=TEAM)


def notices(db, what: str) -> list:
    return [j for j in db.jobs(Kind.NOTICE) if j.payload["what"] == what]


def redraws(db) -> list:
    return [j for j in db.jobs(Kind.REPLACE) if j.payload["what"] == "checklist.question"]


def stored_rounds(db) -> list:
    return list(db.store.checklists.rounds.values())


def answers_of(db, round_id: int, user: str) -> dict:
    with db.read() as uow:
        return {a.question_id: a for a in uow.checklist_answers.of(round_id, user)}


def board_type(db) -> CollaborationType:
    return boards.board_for_channel(db, team_id=TEAM, channel_id=CHANNEL).collaboration_type


def audited(db, action: str) -> list[tuple[str, dict]]:
    return [(actor, payload) for actor, done, payload in db.store.audit if done == action]


# Walking through a checklist


def test_with_no_board_round_open_starting_begins_the_members_own_run_and_dms_its_first_question(db):
    step = start(db, "U2")
    assert step.round.personal and step.round.opened_by == "U2" and step.round.template_id == DIAGNOSTIC
    assert step.question.id == questions(DIAGNOSTIC)[0] and step.board_name == "North Finance Network"
    [notice] = notices(db, "checklist.question")
    assert notice.payload["to"]["user_id"] == "U2" and notice.channel == "U2", "a DM, paced per person"
    assert notice.payload["data"] == {"round": step.round.id, "question": questions(DIAGNOSTIC)[0]}
    assert [r.id for r in stored_rounds(db)] == [step.round.id]


def test_starting_again_resumes_at_the_first_unanswered_question_in_the_same_run(db):
    first = start(db, "U2")
    answer(db, first.round.id, "U2", questions(DIAGNOSTIC)[0], "yes")
    again = start(db, "U2", now=LATER)
    assert again.round.id == first.round.id and len(stored_rounds(db)) == 1
    assert again.question.id == questions(DIAGNOSTIC)[1]
    assert [n.payload["data"]["question"] for n in notices(db, "checklist.question")] == questions(DIAGNOSTIC)[:2]
    assert db.store.checklists.responses[(first.round.id, "U2")].started_at == NOW, "begun once"


def test_each_member_has_a_run_of_their_own(db):
    mine, theirs = start(db, "U2"), start(db, "U3")
    assert mine.round.id != theirs.round.id and theirs.round.opened_by == "U3"


def test_with_a_board_round_open_starting_joins_it_rather_than_a_run_of_ones_own(db):
    earlier = start(db, "U2")
    r = open_round(db, now=LATER)
    step = start(db, "U2", now=LATER)
    assert step.round.id == r.id and not step.round.personal
    assert sorted(x.personal for x in stored_rounds(db)) == [False, True], "no second run of U2's own"
    assert step.round.id != earlier.round.id


def test_starting_a_checklist_the_board_does_not_have_is_refused_naming_those_it_has(db):
    with pytest.raises(InvalidValue, match="pulse-check"):
        start(db, "U2", "no-such-checklist")
    assert stored_rounds(db) == [] and notices(db, "checklist.question") == []


def test_only_members_start_a_checklist(db):
    with pytest.raises(NotAllowed):
        start(db, "USTRANGER")
    assert stored_rounds(db) == []


def test_an_invitations_start_button_dms_the_first_unanswered_question_of_the_round(db):
    r = open_round(db)
    answer(db, r.id, "U2", questions(DIAGNOSTIC)[0], "partly")
    step = checklists.resume(db, team_id=TEAM, round_id=r.id, user_id="U2", now=LATER)
    assert step.question.id == questions(DIAGNOSTIC)[1]
    [notice] = notices(db, "checklist.question")
    assert notice.payload["data"] == {"round": r.id, "question": questions(DIAGNOSTIC)[1]}


# Answering


def test_an_answer_is_saved_and_the_reply_moves_on_to_the_next_question(db):
    r = open_round(db)
    q1, q2 = questions(DIAGNOSTIC)[:2]
    route = Route(TEAM, "U2", None, HOOK)
    step = answer(db, r.id, "U2", q1, "partly", reply_to=route)
    assert step.question.id == q2 and step.answers[q1].value == "partly"
    assert answers_of(db, r.id, "U2")[q1].value == "partly"
    [redraw] = redraws(db)
    assert redraw.payload["to"]["response_url"] == HOOK
    assert redraw.payload["data"] == {"round": r.id, "question": q2}


def test_without_a_message_to_redraw_an_answer_queues_nothing(db):
    r = open_round(db)
    jobs = len(db.jobs())
    answer(db, r.id, "U2", questions(DIAGNOSTIC)[0], "yes", reply_to=Route(TEAM, "U2"))
    assert len(db.jobs()) == jobs


def test_an_answer_can_be_changed_while_the_round_is_open(db):
    r = open_round(db)
    q1 = questions(DIAGNOSTIC)[0]
    answer(db, r.id, "U2", q1, "yes")
    answer(db, r.id, "U2", q1, "no", now=LATER)
    assert answers_of(db, r.id, "U2")[q1].value == "no"
    assert len(answers_of(db, r.id, "U2")) == 1


def test_a_note_keeps_the_answer_already_given_and_stays_on_its_question(db):
    r = open_round(db)
    q1 = questions(DIAGNOSTIC)[0]
    answer(db, r.id, "U2", q1, "partly")
    step = answer(db, r.id, "U2", q1, note="  We have a skills review   but no plan yet ", now=LATER)
    assert step.question.id == q1
    saved = answers_of(db, r.id, "U2")[q1]
    assert (saved.value, saved.note) == ("partly", "We have a skills review but no plan yet")
    answer(db, r.id, "U2", q1, evidence="https://intranet.example/skills-review", now=LATER)
    saved = answers_of(db, r.id, "U2")[q1]
    assert (saved.value, saved.note, saved.evidence) == ("partly", "We have a skills review but no plan yet",
                                                          "https://intranet.example/skills-review")


def test_a_note_before_any_answer_leaves_the_question_unanswered(db):
    r = open_round(db)
    q1 = questions(DIAGNOSTIC)[0]
    step = answer(db, r.id, "U2", q1, note="Not sure who did the review")
    assert step.question.id == q1 and step.answers[q1].value == ""
    with db.read() as uow:
        assert uow.checklist_answers.all(r.id) == {}, "only given answers are reported"
    assert start(db, "U2", now=LATER).question.id == q1


def test_an_answer_not_among_the_options_is_refused_and_nothing_is_saved(db):
    r = open_round(db)
    jobs = len(db.jobs())
    with pytest.raises(InvalidValue):
        answer(db, r.id, "U2", questions(DIAGNOSTIC)[0], "maybe", reply_to=Route(TEAM, "U2", None, HOOK))
    assert answers_of(db, r.id, "U2") == {} and db.store.checklists.responses == {}
    assert len(db.jobs()) == jobs


def test_an_evidence_link_to_a_script_is_refused(db):
    r = open_round(db)
    with pytest.raises(InvalidValue):
        answer(db, r.id, "U2", questions(DIAGNOSTIC)[0], evidence="javascript:alert(1)")
    assert answers_of(db, r.id, "U2") == {}


def test_only_members_answer(db):
    r = open_round(db)
    with pytest.raises(NotAllowed):
        answer(db, r.id, "USTRANGER", questions(DIAGNOSTIC)[0], "yes")
    assert db.store.checklists.answers == {}


def test_answering_a_whole_area_saves_each_answer_and_redraws_once(db):
    r = open_round(db)
    skills = questions(DIAGNOSTIC)[:3]
    step = checklists.answer_area(db, team_id=TEAM, round_id=r.id, user_id="U2",
                                  values={skills[0]: "yes", skills[1]: "", skills[2]: "no"}, now=NOW,
                                  reply_to=Route(TEAM, "U2", None, HOOK))
    assert {q: a.value for q, a in answers_of(db, r.id, "U2").items()} == {skills[0]: "yes", skills[2]: "no"}
    assert step.question.id == skills[1]
    [redraw] = redraws(db)
    assert redraw.payload["data"]["question"] == skills[1]


# Back, Skip and Pause


def test_back_shows_the_question_before(db):
    r = open_round(db)
    q1, q2 = questions(DIAGNOSTIC)[:2]
    answer(db, r.id, "U2", q1, "yes")
    step = move(db, r.id, q2, "back")
    assert step.question.id == q1 and step.answers[q1].value == "yes"
    [redraw] = redraws(db)
    assert redraw.payload["data"] == {"round": r.id, "question": q1, "paused": False}


def test_back_at_the_first_question_stays_there(db):
    r = open_round(db)
    assert move(db, r.id, questions(DIAGNOSTIC)[0], "back").question.id == questions(DIAGNOSTIC)[0]


def test_skip_shows_the_next_unanswered_question(db):
    r = open_round(db, DIAGNOSTIC)
    q = questions(DIAGNOSTIC)
    answer(db, r.id, "U2", q[2], "yes")
    assert move(db, r.id, q[1], "skip").question.id == q[3], "the answered one after it is passed over"


def test_skip_at_the_last_question_wraps_round_to_the_first_unanswered(db):
    r = open_round(db, DIAGNOSTIC)
    q = questions(DIAGNOSTIC)
    answer(db, r.id, "U2", q[0], "yes")
    assert move(db, r.id, q[-1], "skip").question.id == q[1]


def test_skip_with_everything_answered_shows_the_end(db):
    r = open_round(db, DIAGNOSTIC)
    answer_all(db, r.id, "U2", DIAGNOSTIC, "yes")
    assert move(db, r.id, questions(DIAGNOSTIC)[0], "skip").question is None


def test_pause_sends_the_paused_view(db):
    r = open_round(db, DIAGNOSTIC)
    move(db, r.id, questions(DIAGNOSTIC)[0], "pause")
    [redraw] = redraws(db)
    assert redraw.payload["data"]["paused"] is True and redraw.payload["to"]["response_url"] == HOOK


def test_only_members_move_through_a_checklist(db):
    r = open_round(db)
    with pytest.raises(NotAllowed):
        move(db, r.id, questions(DIAGNOSTIC)[0], "skip", user="USTRANGER")
    assert redraws(db) == []


# Finishing and closing


def test_the_last_answer_marks_the_respondent_finished(db):
    r = open_round(db, DIAGNOSTIC)
    q = questions(DIAGNOSTIC)
    for question_id in q[:-1]:
        answer(db, r.id, "U2", question_id, "yes")
    with db.read() as uow:
        assert uow.checklist_answers.finished(r.id) == set()
    step = answer(db, r.id, "U2", q[-1], "no", reply_to=Route(TEAM, "U2", None, HOOK))
    assert step.question is None
    assert redraws(db)[-1].payload["data"] == {"round": r.id, "question": None}, "the end is shown"
    with db.read() as uow:
        assert uow.checklist_answers.finished(r.id) == {"U2"}


def test_a_closed_round_refuses_changes(db):
    r = open_round(db)
    q1 = questions(DIAGNOSTIC)[0]
    answer(db, r.id, "U2", q1, "yes")
    assert close(db, r.id)
    with pytest.raises(Conflict):
        answer(db, r.id, "U2", q1, "no", now=LATER)
    with pytest.raises(Conflict):
        answer(db, r.id, "U2", q1, note="Too late", now=LATER)
    with pytest.raises(Conflict):
        checklists.resume(db, team_id=TEAM, round_id=r.id, user_id="U3", now=LATER)
    assert answers_of(db, r.id, "U2")[q1].value == "yes"


def test_closing_a_round_twice_closes_and_reports_it_once(db):
    r = open_round(db)
    assert close(db, r.id, now=LATER) is True
    assert close(db, r.id, now=LATER + timedelta(minutes=1)) is False
    [post] = db.jobs(Kind.REPORT_POST)
    [chart] = db.jobs(Kind.REPORT_CHART)
    assert post.payload == chart.payload == {"round": r.id} and post.channel == chart.channel == CHANNEL
    [(actor, payload)] = audited(db, "checklist.closed")
    assert actor == CHAIR and payload["round_id"] == r.id
    closed = checklists.round_view(db, r.id)[0]
    assert (closed.closed_at, closed.closed_by) == (LATER, CHAIR)


def test_a_round_closing_at_its_date_is_closed_by_no_one(db):
    r = open_round(db)
    assert close(db, r.id, by=None, now=NOW + timedelta(days=7))
    assert checklists.round_view(db, r.id)[0].closed_by is None
    assert audited(db, "checklist.closed")[0][0] == "scheduler"


def test_only_the_chair_or_secretary_closes_a_round(db):
    r = open_round(db)
    with pytest.raises(NotAllowed):
        close(db, r.id, by="U2")
    assert checklists.round_view(db, r.id)[0].is_open and db.jobs(Kind.REPORT_POST) == []
    assert close(db, r.id, by=SECRETARY)


def test_a_round_of_another_workspace_is_not_closed(db):
    r = open_round(db)
    assert rounds.close_round(db, round_id=r.id, by=CHAIR, now=LATER, team_id="TOTHER") is False
    assert checklists.round_view(db, r.id)[0].is_open


def test_closing_the_open_round_leaves_members_own_runs_alone(db):
    run = start(db, "U2")
    r = open_round(db)
    closed = rounds.close_open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, template_id=None, now=LATER)
    assert closed.id == r.id and not checklists.round_view(db, r.id)[0].is_open
    assert checklists.round_view(db, run.round.id)[0].is_open


# Opening rounds


def test_opening_a_round_invites_every_member_and_schedules_its_close_and_a_reminder_the_day_before(db):
    r, template, invited = rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, template_id=None,
                                             closes_at=NOW + timedelta(days=7), now=NOW)
    assert (template.id, invited, r.personal, r.opened_by) == (DIAGNOSTIC, 4, False, CHAIR)
    invites = notices(db, "checklist.invite")
    assert sorted(j.payload["to"]["user_id"] for j in invites) == sorted(MEMBERS)
    assert all(j.payload["data"] == {"round": r.id} for j in invites)
    [closing] = db.jobs(Kind.ROUND_CLOSE)
    [reminder] = db.jobs(Kind.ROUND_REMIND)
    assert (closing.due_at, closing.payload) == (NOW + timedelta(days=7), {"round": r.id})
    assert (reminder.due_at, reminder.payload) == (NOW + timedelta(days=6), {"round": r.id})
    [(actor, payload)] = audited(db, "checklist.opened")
    assert actor == CHAIR and payload["round_id"] == r.id and payload["template"] == DIAGNOSTIC


def test_a_round_closing_sooner_than_the_reminder_lead_has_no_reminder(db):
    open_round(db, closes=timedelta(hours=12))
    assert len(db.jobs(Kind.ROUND_CLOSE)) == 1 and db.jobs(Kind.ROUND_REMIND) == []


def test_a_round_with_no_closing_date_schedules_neither_close_nor_reminder(db):
    open_round(db, closes=None)
    assert db.jobs(Kind.ROUND_CLOSE) == db.jobs(Kind.ROUND_REMIND) == []
    assert len(notices(db, "checklist.invite")) == 4


def test_a_round_must_close_in_the_future(db):
    with pytest.raises(InvalidValue):
        open_round(db, closes=timedelta(hours=-1))
    assert stored_rounds(db) == []


def test_a_second_open_round_of_the_same_checklist_is_refused_but_another_checklist_may_open(db):
    open_round(db)
    with pytest.raises(InvalidValue, match="already open"):
        open_round(db, now=LATER)
    assert open_round(db, PULSE).template_id == PULSE
    assert len(stored_rounds(db)) == 2


def test_a_members_own_run_does_not_stop_a_round_opening(db):
    start(db, "U2")
    assert not open_round(db).personal


def test_only_the_chair_or_secretary_opens_a_round(db):
    with pytest.raises(NotAllowed):
        open_round(db, actor="U2")
    assert stored_rounds(db) == [] and notices(db, "checklist.invite") == []
    assert open_round(db, actor=SECRETARY).opened_by == SECRETARY


def test_a_scheduled_reassessment_opens_a_round_unless_one_is_open(db):
    board_id = boards.board_for_channel(db, team_id=TEAM, channel_id=CHANNEL).id
    start(db, "U2")
    r = rounds.open_scheduled(db, board_id=board_id, template_id=DIAGNOSTIC, now=NOW)
    assert r is not None and not r.personal and r.opened_by == "collab-bot" and r.closes_at is None
    assert len(notices(db, "checklist.invite")) == 4
    assert rounds.open_scheduled(db, board_id=board_id, template_id=DIAGNOSTIC, now=LATER) is None
    assert rounds.open_scheduled(db, board_id=board_id, template_id="no-such-checklist", now=LATER) is None
    assert len([x for x in stored_rounds(db) if not x.personal]) == 1
    close(db, r.id)
    assert rounds.open_scheduled(db, board_id=board_id, template_id=DIAGNOSTIC, now=LATER).id != r.id


# The pulse check never names who answered


def send(db, round_id: int, user: str, values: dict[str, str] | str, *, now: datetime = NOW, reply: bool = False):
    """Send a member's pulse form (a value for every statement when `values` is one value)."""
    chosen = dict.fromkeys(questions(PULSE), values) if isinstance(values, str) else values
    return checklists.answer_area(db, team_id=TEAM, round_id=round_id, user_id=user, values=chosen, now=now,
                                  reply_to=Route(TEAM, user, None, HOOK) if reply else None)


def test_a_pulse_form_adds_to_counts_and_progress_records_only_that_the_member_answered_to_the_day(db):
    r = open_round(db, PULSE)
    start(db, "U2", PULSE, now=NOW + timedelta(minutes=7))
    step = send(db, r.id, "U2", {questions(PULSE)[0]: "1", questions(PULSE)[1]: ""}, now=NOW + timedelta(minutes=9),
                reply=True)
    assert step.submitted and step.question is None and step.answers == {}
    c = db.store.checklists
    assert c.answers == {}, "no answer is kept per person"
    assert c.tallies[(r.id, questions(PULSE)[0], "1")] == 1 and sum(c.tallies.values()) == 1
    assert len(c.tallies) == 5 * 5, "every statement and point counted from the start, whatever was chosen"
    progress = c.responses[(r.id, "U2")]
    assert progress.started_at == progress.finished_at == datetime(2026, 11, 30), "the day, never the moment"
    [redraw] = redraws(db)
    assert redraw.payload["data"] == {"round": r.id, "question": None} and "09" not in redraw.key


def test_pulse_answers_are_final_once_sent(db):
    r = open_round(db, PULSE)
    send(db, r.id, "U2", "4")
    with pytest.raises(Conflict, match="final"):
        send(db, r.id, "U2", "1")
    assert sum(db.store.checklists.tallies.values()) == 5


def test_a_pulse_is_never_answered_question_by_question_nor_with_a_note_or_evidence(db):
    r = open_round(db, PULSE)
    for extra in ({"value": "3"}, {"note": "Said in confidence"}, {"evidence": "https://example.org/minutes"}):
        with pytest.raises(InvalidValue):
            answer(db, r.id, "U2", questions(PULSE)[0], **extra)
    with pytest.raises(InvalidValue, match="notes or evidence"):
        checklists.show(db, team_id=TEAM, round_id=r.id, user_id="U2", question_id=questions(PULSE)[0], writing=True)
    assert db.store.checklists.answers == {} and sum(db.store.checklists.tallies.values()) == 0


def test_a_pulse_form_with_an_answer_it_does_not_offer_saves_nothing(db):
    r = open_round(db, PULSE)
    with pytest.raises(InvalidValue):
        send(db, r.id, "U2", {questions(PULSE)[0]: "4", questions(PULSE)[1]: "yes"})
    assert sum(db.store.checklists.tallies.values()) == 0 and (r.id, "U2") not in db.store.checklists.responses


def test_a_pulse_has_no_run_of_ones_own(db):
    with pytest.raises(NotFound, match="checklist open pulse-check"):
        start(db, "U2", PULSE)
    assert stored_rounds(db) == []


def test_a_pulse_report_waits_for_the_templates_minimum_and_the_round_closing(db):
    r = open_round(db, PULSE)
    send(db, r.id, "U2", "1")
    send(db, r.id, "U3", "5")
    with pytest.raises(InvalidValue, match="posted when the round closes"):
        rounds.request_report(db, team_id=TEAM, channel_id=CHANNEL, actor="U3", template_id=PULSE, now=LATER)
    close(db, r.id)
    with pytest.raises(TooFewAnswers, match="at least 3 members have answered.*2 have so far, so 1 more is needed"):
        rounds.report_of(db, r.id)
    with pytest.raises(TooFewAnswers):
        rounds.request_report(db, team_id=TEAM, channel_id=CHANNEL, actor="U3", template_id=PULSE, now=LATER)


def test_a_pulse_report_shows_counts_on_the_scale_and_carries_no_member_id(db):
    r = open_round(db, PULSE)
    for user, value in (("U2", "1"), ("U3", "5"), (CHAIR, "5")):
        send(db, r.id, user, value)
    close(db, r.id)
    report = rounds.report_of(db, r.id)
    assert report.respondents == report.report.members == 3
    assert report.distribution[questions(PULSE)[0]] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 2}
    shown = repr(report.report) + repr(report.distribution)
    assert not any(user in shown for user in MEMBERS)
    [(_, closed)] = audited(db, "checklist.closed")
    assert closed["answered"] == 3 and closed["counts"][questions(PULSE)[0]]["5"] == 2, "totals, once closed"


def test_members_of_an_attributed_checklist_answer_under_their_own_id(db):
    r = open_round(db)
    answer(db, r.id, "U2", questions(DIAGNOSTIC)[0], "yes")
    assert list(db.store.checklists.answers) == [(r.id, "U2", questions(DIAGNOSTIC)[0])]


# Reports


def test_a_report_compares_each_area_with_the_boards_previous_closed_round(db):
    skills_needs, purpose_population = questions(DIAGNOSTIC)[0], questions(DIAGNOSTIC)[3]
    first = open_round(db)
    answer(db, first.id, "U2", skills_needs, "no")
    answer(db, first.id, "U3", skills_needs, "partly")
    close(db, first.id)
    second = open_round(db, now=LATER)
    answer(db, second.id, "U2", skills_needs, "yes", now=LATER)
    answer(db, second.id, "U3", purpose_population, "yes", now=LATER)
    report = rounds.report_of(db, second.id)
    areas = {a.area_id: a for a in report.report.areas}
    assert report.number == 2
    assert areas["skills"].score == 1.0 and areas["skills"].change == pytest.approx(1.0 - 0.25)
    assert areas["purpose"].score == 1.0 and areas["purpose"].change is None, "nothing to compare with"
    assert all(a.change is None for a in rounds.report_of(db, first.id).report.areas), "the first has no previous"


def test_a_report_does_not_compare_with_a_round_of_another_checklist(db):
    skills_needs = questions(DIAGNOSTIC)[0]
    pulse = open_round(db, PULSE)
    for user in ("U2", "U3", CHAIR):
        send(db, pulse.id, user, "1")
    close(db, pulse.id)
    first = open_round(db)
    answer(db, first.id, "U2", skills_needs, "no")
    report = rounds.report_of(db, first.id)
    assert report.number == 1 and all(a.change is None for a in report.report.areas)


def test_rounds_are_numbered_in_order_leaving_out_members_own_runs(db):
    start(db, "U2")
    first = open_round(db)
    close(db, first.id)
    second = open_round(db, now=LATER)
    assert rounds.report_of(db, second.id).number == 2
    found = rounds.report_by_number(db, board_name="North Finance Network", template_id=DIAGNOSTIC, number=1)
    assert found.round.id == first.id


def test_a_report_is_asked_for_the_boards_latest_round_never_a_members_own_run(db):
    r = open_round(db)
    close(db, r.id)
    run = start(db, "U2", now=LATER)
    assert run.round.personal
    asked = rounds.request_report(db, team_id=TEAM, channel_id=CHANNEL, actor="U3", template_id=None,
                                  now=LATER + timedelta(hours=1))
    assert asked.id == r.id
    assert [j.payload for j in db.jobs(Kind.REPORT_POST)] == [{"round": r.id}] * 2, "one from the close, one asked"


# Reminders


def test_reminders_go_only_to_members_who_have_not_finished(db):
    r = open_round(db)
    answer_all(db, r.id, "U2", DIAGNOSTIC, "yes")
    answer(db, r.id, "U3", questions(DIAGNOSTIC)[0], "yes")
    assert rounds.remind_unfinished(db, round_id=r.id, now=NOW + timedelta(days=6)) == 3
    assert sorted(j.payload["to"]["user_id"] for j in notices(db, "checklist.reminder")) == sorted(
        [CHAIR, "U3", SECRETARY])


def test_pulse_reminders_skip_members_who_sent_their_form(db):
    r = open_round(db, PULSE)
    send(db, r.id, "U3", "4")
    assert rounds.remind_unfinished(db, round_id=r.id, now=NOW + timedelta(days=6)) == 3
    assert "U3" not in {j.payload["to"]["user_id"] for j in notices(db, "checklist.reminder")}


def test_a_closed_round_reminds_no_one(db):
    r = open_round(db)
    close(db, r.id)
    assert rounds.remind_unfinished(db, round_id=r.id, now=NOW + timedelta(days=6)) == 0
    assert notices(db, "checklist.reminder") == []


# The collaboration-type selector


def apply(db, round_id: int, actor: str = CHAIR):
    return checklists.apply_recommendation(db, team_id=TEAM, round_id=round_id, actor=actor, now=LATER,
                                           reply_to=Route(TEAM, actor, None, HOOK))


def test_applying_the_recommendation_sets_the_boards_type_from_the_chairs_own_answers_and_audits_it(db):
    r = open_round(db, SELECTOR)
    answer(db, r.id, "U2", "type-document", "statutory")  # formal, but U2's answers are not the chair's
    answer(db, r.id, CHAIR, "type-document", "mou")
    answer(db, r.id, CHAIR, "type-decisions", "shared")
    board, advice = apply(db, r.id)
    assert advice.kind == "strategic" and board.collaboration_type is CollaborationType.STRATEGIC
    assert board_type(db) is CollaborationType.STRATEGIC
    [(actor, payload)] = audited(db, "board.collaboration_type")
    assert actor == CHAIR and (payload["was"], payload["now"], payload["round_id"]) == ("informal", "strategic", r.id)
    assert payload["reasons"] == list(advice.reasons)
    [applied] = notices(db, "checklist.applied")
    assert applied.payload["to"]["response_url"] == HOOK and applied.payload["data"] == {"round": r.id}


def test_applying_the_type_the_board_already_has_changes_and_audits_nothing(db):
    r = open_round(db, SELECTOR)
    answer(db, r.id, CHAIR, "type-document", "none")
    board, advice = apply(db, r.id)
    assert advice.kind == "informal" and board_type(db) is CollaborationType.INFORMAL
    assert audited(db, "board.collaboration_type") == []


def test_only_the_chair_applies_a_recommendation(db):
    r = open_round(db, SELECTOR)
    for user in (SECRETARY, "U2"):
        answer(db, r.id, user, "type-document", "statutory")
        with pytest.raises(NotAllowed):
            apply(db, r.id, user)
    assert board_type(db) is CollaborationType.INFORMAL and notices(db, "checklist.applied") == []


def test_only_the_selector_recommends_a_type(db):
    r = open_round(db)
    answer(db, r.id, CHAIR, questions(DIAGNOSTIC)[0], "no")
    with pytest.raises(InvalidValue):
        apply(db, r.id)
    assert board_type(db) is CollaborationType.INFORMAL


def test_the_chair_applies_the_recommendation_of_their_own_selector_run(db):
    run = start(db, CHAIR, SELECTOR)
    answer(db, run.round.id, CHAIR, "type-transfers", "transfer")
    board, advice = apply(db, run.round.id)
    assert advice.kind == "formal" and advice.take_advice and board_type(db) is CollaborationType.FORMAL


# A board's own templates


def own_pulse(tmp_path, *, version: int, first_question: str = "pulse-existing"):
    source = next(p for p in shipped_paths() if p.name == "pulse_check.yaml").read_text("utf-8")
    path = tmp_path / f"pulse-{version}.yaml"
    path.write_text(source.replace("version: 1", f"version: {version}").replace("title: ", "title: Our ", 1)
                    .replace("id: pulse-existing", f"id: {first_question}"), "utf-8")
    return path


def load_own(db, path):
    """Give the board its own version of a template from a file, as `checklist load` does; the template."""
    template, source = read_template(path)
    load_for_board(db, board_name="North Finance Network", template=template, source=source, actor=CHAIR, now=NOW)
    return template


def test_a_board_runs_its_own_version_of_a_checklist_once_loaded(db, tmp_path):
    template = load_own(db, own_pulse(tmp_path, version=2))
    with pytest.raises(Conflict):
        load_own(db, own_pulse(tmp_path, version=2))
    open_round(db, PULSE)
    step = start(db, "U2", PULSE)
    assert step.template.title == template.title and step.round.version == 2


def test_joining_a_round_opened_before_a_new_version_was_loaded_walks_through_the_rounds_version(db, tmp_path):
    r = open_round(db, PULSE)
    load_own(db, own_pulse(tmp_path, version=2, first_question="pulse-structures"))
    step = start(db, "U2", PULSE, now=LATER)
    assert step.round.id == r.id
    [notice] = notices(db, "checklist.question")
    shown = checklists.show(db, team_id=TEAM, round_id=r.id, user_id="U2",
                            question_id=notice.payload["data"]["question"])
    assert shown.question.id == "pulse-existing" and step.template.version == r.version == 1
