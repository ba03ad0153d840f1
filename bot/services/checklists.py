"""Checklist walk-throughs in a DM, one question at a time, and the board's rounds of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain import assessment as sa
from bot.domain import rounds as rd
from bot.domain.boards import Board, CollaborationType
from bot.domain.checklists import Template
from bot.domain.errors import InvalidValue, NotFound
from bot.domain.events import Notice, Replaced, Route
from bot.domain.events_boards import CollaborationTypeChanged
from bot.domain.events_checklists import ChecklistAnswered
from bot.domain.proposals import ensure_chair
from bot.domain.rounds import Step
from bot.services.boards import linked_board
from bot.services.checklist_templates import DEFAULT_TEMPLATE, template_for, templates_of
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

GONE = "That checklist round no longer exists."


def _step(uow: AbstractUnitOfWork, r: rd.Round, template: Template, user_id: str, *, at: str | None = None,
          direction: str = "next") -> Step:
    assert r.id is not None  # a saved round
    if not template.attributed:  # answered in one form: the DM shows it until sent, then the end
        submitted = uow.checklist_answers.has_finished(r.id, user_id)
        return Step(r, template, None if submitted else template.questions()[0], {}, submitted=submitted)
    answers = {a.question_id: a for a in uow.checklist_answers.of(r.id, user_id)}
    answered = {q for q, a in answers.items() if a.value}
    if direction == "back" and at:
        question = sa.previous_question(template, at)
    elif direction in ("skip", "next") and at:
        question = sa.next_question(template, answered, after=at)
    elif direction == "here" and at:
        question = template.question(at)
    else:
        question = sa.next_question(template, answered)
    return Step(r, template, question, answers)


def _begin(uow: AbstractUnitOfWork, r: rd.Round, template: Template, *, team_id: str, user_id: str,
           now: datetime) -> Step:
    """Note that the member has begun, and DM them the first unanswered question."""
    assert r.id is not None  # a saved round
    uow.checklist_answers.start(r.id, user_id, at=now if template.attributed else rd.coarse(now))
    step = _step(uow, r, template, user_id)
    uow.record(Notice(now, Route(team_id, user_id), "checklist.question",
                      {"round": r.id, "question": step.question.id if step.question else None},
                      key=f"checklist:{r.id}:{user_id}:{now.isoformat()}"))
    return step


def _board_round(uow: AbstractUnitOfWork, round_id: int, team_id: str) -> tuple[rd.Round, Board, Template]:
    r = uow.checklist_rounds.get(round_id)
    board = uow.boards.get(r.board_id) if r else None
    if r is None or board is None or board.team_id != team_id:
        raise NotFound(GONE)
    return r, board, template_for(uow, r.board_id, r.template_id, r.version)


def _answerable(uow: AbstractUnitOfWork, round_id: int, team_id: str,
                user_id: str) -> tuple[rd.Round, Board, Template]:
    """The open round a member answers, locked so that answering and closing queue behind each other."""
    if uow.checklist_rounds.get(round_id, lock=True) is None:
        raise NotFound(GONE)
    r, board, template = _board_round(uow, round_id, team_id)
    rd.ensure_member(board, user_id)
    r.ensure_open()
    return r, board, template


def start(db: AbstractDatabase, *, team_id: str, channel_id: str, user_id: str, template_id: str | None,
          now: datetime) -> Step:
    """Start or resume a member's checklist: the board's open round of it, or else their own run; a DM follows."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        rd.ensure_member(board, user_id)
        template = templates_of(uow, board.id).get(template_id or DEFAULT_TEMPLATE)
        if template is None:
            names = ", ".join(sorted(templates_of(uow, board.id)))
            raise InvalidValue(f"There is no checklist called “{template_id}”. Choose one of: {names}.")
        r = (uow.checklist_rounds.open_round(board.id, template.id)
             or uow.checklist_rounds.open_round(board.id, template.id, personal_for=user_id))
        if r is None:
            rd.ensure_board_round(template)
            r = rd.Round(None, board.id, template.id, template.version, True, user_id, now)
            r.id = uow.checklist_rounds.add(r)
        template = template_for(uow, board.id, r.template_id, r.version)  # the version the round was opened on
        step = _begin(uow, r, template, team_id=team_id, user_id=user_id, now=now)
        uow.commit()
        return replace(step, board_name=board.name)


def round_view(db: AbstractDatabase, round_id: int) -> tuple[rd.Round, Template, Board]:
    """A round with its template and board, for the messages about it."""
    with db.read() as uow:
        r = uow.checklist_rounds.get(round_id)
        if r is None:
            raise NotFound(GONE)
        board = uow.boards.get(r.board_id, only=[])
        if board is None:
            raise NotFound(GONE)
        return r, template_for(uow, r.board_id, r.template_id, r.version), board


def show(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, question_id: str | None,
         writing: bool = False) -> Step:
    """A respondent's view of one question (or of the end, when `question_id` is None); `writing`: for a note."""
    with db.read() as uow:
        r, board, template = _board_round(uow, round_id, team_id)
        if writing:
            rd.ensure_takes_text(template)
        step = _step(uow, r, template, user_id, at=question_id, direction="here" if question_id else "next")
        return replace(step, board_name=board.name)


def answer(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, question_id: str,
           value: str | None = None, note: str | None = None, evidence: str | None = None, now: datetime,
           reply_to: Route | None = None) -> Step:
    """Save an answer, note or evidence link (changeable until the round closes) and move on to the next question."""
    with db.uow() as uow:
        r, board, template = _answerable(uow, round_id, team_id, user_id)
        if note is not None or evidence is not None:
            rd.ensure_takes_text(template)
        rd.ensure_one_at_a_time(template)
        question = template.question(question_id)
        if value is not None and value not in {o.value for o in question.options}:
            raise InvalidValue("Choose one of the answers offered.")
        before = next((a for a in uow.checklist_answers.of(round_id, user_id) if a.question_id == question_id),
                      sa.Answer(question_id, ""))
        uow.checklist_answers.start(round_id, user_id, at=now)
        saved = sa.Answer(question_id, before.value if value is None else value,
                          before.note if note is None else rd.clean_note(note),
                          before.evidence if evidence is None else rd.check_evidence(evidence))
        uow.checklist_answers.put(round_id, user_id, saved, at=now)
        # Attributed answers only: unattributed rounds are answered by `submit` and counted when they close.
        uow.record(ChecklistAnswered(now, user_id, round_id, question_id, saved.value, saved.note, saved.evidence))
        step = _step(uow, r, template, user_id, at=question_id, direction="next" if value else "here")
        if step.question is None:
            uow.checklist_answers.finish(round_id, user_id, at=now)
        if reply_to is not None and reply_to.response_url:
            uow.record(Replaced(now, reply_to, "checklist.question", {
                "round": r.id, "question": step.question.id if step.question else None},
                key=f"checklist:{r.id}:{user_id}:{question_id}:{now.isoformat()}"))
        uow.commit()
        return step


def submit(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, values: dict[str, str], now: datetime,
           reply_to: Route | None = None) -> Step:
    """An unattributed checklist's form: its answers join the round's counts, with no link to who sent them.

    They are final: nothing stored could tell them apart again. The member's progress says only that they have
    answered, and when to the day; the redraw of their DM carries neither an answer nor the moment.
    """
    with db.uow() as uow:
        r, board, template = _answerable(uow, round_id, team_id, user_id)
        rd.ensure_not_sent(template, uow.checklist_answers.has_finished(round_id, user_id))
        chosen = rd.check_submission(template, values)
        uow.checklist_answers.pool(round_id, chosen, [(q.id, o.value) for q in template.questions() for o in q.options])
        uow.checklist_answers.start(round_id, user_id, at=rd.coarse(now))
        uow.checklist_answers.finish(round_id, user_id, at=rd.coarse(now))
        if reply_to is not None and reply_to.response_url:
            uow.record(Replaced(now, reply_to, "checklist.question", {"round": r.id, "question": None},
                                key=f"checklist:{r.id}:{user_id}:sent"))
        uow.commit()
        return Step(r, template, None, {}, board_name=board.name, submitted=True)


def answer_area(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, values: dict[str, str],
                now: datetime, reply_to: Route | None = None) -> Step:
    """Save a whole area's answers from one form; the DM then shows the first question still unanswered.

    An unattributed checklist's form holds every question, and is sent once (`submit`).
    """
    with db.read() as uow:
        _, _, template = _board_round(uow, round_id, team_id)
    if not template.attributed:
        return submit(db, team_id=team_id, round_id=round_id, user_id=user_id, values=values, now=now,
                      reply_to=reply_to)
    for question_id, value in values.items():
        if value:
            answer(db, team_id=team_id, round_id=round_id, user_id=user_id, question_id=question_id, value=value,
                   now=now)
    with db.uow() as uow:
        r, _, template = _board_round(uow, round_id, team_id)
        step = _step(uow, r, template, user_id)
        if reply_to is not None and reply_to.response_url:
            uow.record(Replaced(now, reply_to, "checklist.question", {
                "round": r.id, "question": step.question.id if step.question else None},
                key=f"checklist:{r.id}:{user_id}:area:{now.isoformat()}"))
            uow.commit()
        return step


def move(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, question_id: str, direction: str,
         now: datetime, reply_to: Route) -> Step:
    """Back, Skip or Pause: the DM shows the question before, the next unanswered one, or that it is paused."""
    with db.uow() as uow:
        r, board, template = _board_round(uow, round_id, team_id)
        rd.ensure_member(board, user_id)
        step = _step(uow, r, template, user_id, at=question_id, direction=direction)
        if direction == "back" and step.question is None:
            step = replace(step, question=template.question(question_id))  # already at the first question
        data = {"round": r.id, "question": step.question.id if step.question else None,
                "paused": direction == "pause"}
        uow.record(Replaced(now, reply_to, "checklist.question", data,
                            key=f"checklist:{r.id}:{user_id}:{direction}:{now.isoformat()}"))
        uow.commit()
        return step


def resume(db: AbstractDatabase, *, team_id: str, round_id: int, user_id: str, now: datetime) -> Step:
    """Start or Carry on from an invitation: a DM with the first unanswered question."""
    with db.uow() as uow:
        r, board, template = _board_round(uow, round_id, team_id)
        rd.ensure_member(board, user_id)
        r.ensure_open()
        step = _begin(uow, r, template, team_id=team_id, user_id=user_id, now=now)
        uow.commit()
        return step


def apply_recommendation(db: AbstractDatabase, *, team_id: str, round_id: int, actor: str, now: datetime,
                         reply_to: Route) -> tuple[Board, sa.Recommendation]:
    """The chair applies the selector's recommendation from their own answers: it sets the board's type."""
    with db.uow() as uow:
        r, board, template = _board_round(uow, round_id, team_id)
        ensure_chair(board, actor, doing="change the board's collaboration type")
        if template.kind != "selector":
            raise InvalidValue("Only the collaboration-type selector recommends a type.")
        given = [a for a in uow.checklist_answers.of(round_id, actor) if a.value]
        if not given:
            raise InvalidValue("Answer the selector's questions yourself first; the recommendation comes from them.")
        advice = sa.recommend(template, given)
        kind = CollaborationType(advice.kind)
        if kind is not board.collaboration_type:
            uow.boards.set_collaboration_type(r.board_id, kind)
            uow.record(CollaborationTypeChanged(now, actor, r.board_id, board.collaboration_type.value, kind.value,
                                                round_id, tuple(advice.reasons)))
        uow.record(Notice(now, reply_to, "checklist.applied", {"round": r.id}, key=f"applied:{r.id}:{now}"))
        uow.commit()
        return replace(board, collaboration_type=kind), advice
