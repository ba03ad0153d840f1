"""Checklist rounds and actions from gaps: who may open and close a round, who answers, what an action is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import assessment as sa
from bot.domain.boards import Board, ensure_can_manage
from bot.domain.checklists import Question, Template
from bot.domain.errors import Command, Conflict, InvalidValue, Name, NotAllowed, NotFound
from bot.domain.text import clean

ACTION_TITLE_LIMIT = 200
NOTE_LIMIT = 1000
EVIDENCE_LIMIT = 500
MAX_ROUND_DAYS = 120


@dataclass
class Round:
    """A board's round of one checklist, or one member's own run of it (`personal`)."""

    id: int | None
    board_id: int
    template_id: str
    version: int
    personal: bool
    opened_by: str
    opened_at: datetime
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether answers may still be given or changed."""
        return self.closed_at is None

    def ensure_open(self) -> None:
        """Refuse changes once the round has closed."""
        if not self.is_open:
            raise Conflict("This round has closed, so its answers can no longer be changed.")

    def close(self, *, by: str | None, now: datetime) -> None:
        """Close the round (by the chair, or at its date when `by` is None)."""
        self.ensure_open()
        self.closed_at, self.closed_by = now, by


@dataclass(frozen=True)
class Action:
    """Something the board will do about a gap: an owner and a due date, open until done."""

    id: int | None
    board_id: int
    title: str
    owner: str
    due_on: date
    created_by: str
    round_id: int | None = None
    question_id: str | None = None
    done_at: datetime | None = None
    done_by: str | None = None

    def overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.done_at is None and self.due_on < today


def check_closes(closes_at: datetime | None, now: datetime) -> datetime | None:
    """A round's closing time: in the future and within four months, or none."""
    if closes_at is None:
        return None
    if closes_at <= now:
        raise InvalidValue("A round must close in the future.", field="closes")
    if closes_at > now + timedelta(days=MAX_ROUND_DAYS):
        raise InvalidValue(f"A round can stay open for at most {MAX_ROUND_DAYS} days.", field="closes")
    return closes_at


def ensure_can_run_rounds(board: Board, user_id: str) -> None:
    """Opening and closing a board's round is for its chair or secretary."""
    ensure_can_manage(board, user_id)


def ensure_member(board: Board, user_id: str) -> None:
    """Only the board's members answer its checklists."""
    if board.member(user_id) is None:
        raise NotAllowed("Only members of {board} answer its checklists.", board=Name(board.name))


def clean_note(raw: str, *, limit: int = NOTE_LIMIT, field: str = "note") -> str:
    """A note or evidence link as typed, cleaned and within its limit."""
    text = clean(raw or "")
    if len(text) > limit:
        raise InvalidValue(f"Keep it to {limit:,} characters (it has {len(text):,}).", field=field)
    return text


def check_evidence(raw: str) -> str:
    """An evidence link: a web address (https or http), or a short description of where the evidence is."""
    text = clean_note(raw, limit=EVIDENCE_LIMIT, field="evidence")
    if text.lower().startswith(("javascript:", "data:", "file:")):
        raise InvalidValue("Give a web link (https://…) or say where the evidence is kept.", field="evidence")
    return text


def new_action(*, board: Board, actor: str, title: str, owner: str, due_on: date, today: date,
               round_id: int | None = None, question_id: str | None = None) -> Action:
    """An action from a gap: the chair or secretary gives it a title, an owner on the board and a due date."""
    assert board.id is not None  # a saved board
    ensure_can_manage(board, actor)
    text = clean(title or "")
    if not text:
        raise InvalidValue("Say what will be done.", field="title")
    if len(text) > ACTION_TITLE_LIMIT:
        raise InvalidValue(f"Keep the action to {ACTION_TITLE_LIMIT} characters.", field="title")
    if board.member(owner) is None:
        raise InvalidValue("The owner must be a member of the board.", field="owner")
    if due_on < today:
        raise InvalidValue("The due date can't be in the past.", field="due_on")
    return Action(None, board.id, text, owner, due_on, actor, round_id, question_id)


def ensure_may_finish(action: Action, board: Board, user_id: str) -> None:
    """An action is marked done by its owner, or by the chair or secretary."""
    if action.done_at is not None:
        raise Conflict("That action is already done.")
    if user_id != action.owner:
        ensure_can_manage(board, user_id)


class TooFewAnswers(InvalidValue):
    """An unattributed round's report is held back until enough members have answered."""

    def __init__(self, template: Template, answered: int):
        self.answered, self.needed = answered, template.min_respondents - answered
        super().__init__(f"The report of {{checklist}} is shown once at least "
                         f"{template.min_respondents} members have answered, so that no one's answers can be told "
                         f"from it; {answered} {'has' if answered == 1 else 'have'} so far, so {self.needed} more "
                         f"{'is' if self.needed == 1 else 'are'} needed.", checklist=Name(template.title))


def ensure_enough_answered(template: Template, answered: int) -> None:
    """Refuse an unattributed round's report while fewer than the template's minimum have answered."""
    if not template.attributed and answered < template.min_respondents:
        raise TooFewAnswers(template, answered)


def ensure_reportable(template: Template, r: Round) -> None:
    """An unattributed round is reported once closed: reports as answers arrive would show each one by difference."""
    if not template.attributed and r.is_open:
        raise InvalidValue("The report of {checklist} is posted when the round closes: reports "
                           "while answers still arrive would show each new answer by the difference.",
                           checklist=Name(template.title))


def ensure_takes_text(template: Template) -> None:
    """Notes and evidence links are for attributed checklists: free text can show who wrote it."""
    if not template.attributed:
        raise InvalidValue("{checklist} takes no notes or evidence links: its answers are never "
                           "linked to anyone, and what someone writes can show who they are.",
                           checklist=Name(template.title))


def ensure_one_at_a_time(template: Template) -> None:
    """An unattributed checklist is answered in one form, never question by question."""
    if not template.attributed:
        raise InvalidValue("{checklist} is answered all at once in its form (the Answer button in "
                           "my DM), so that your answers are never stored with your name.",
                           checklist=Name(template.title))


def ensure_board_round(template: Template) -> None:
    """An unattributed checklist is answered only in a board's round: a run of one would name its only answerer."""
    if not template.attributed:
        raise NotFound("No round of {checklist} is open. Its answers are pooled with the board's "
                       "other members', so it is answered only in a round: the chair can open one with {command}.",
                       checklist=Name(template.title), command=Command(f"/collab checklist open {template.id}"))


def ensure_not_sent(template: Template, sent: bool) -> None:
    """An unattributed checklist's form is sent once: its answers can't be found again to change."""
    if sent:
        raise Conflict("You've already answered {checklist} in this round. Answers are final once "
                       "sent: they are kept with no link to you, so they can't be found again to change.",
                       checklist=Name(template.title))


def check_submission(template: Template, values: dict[str, str]) -> dict[str, str]:
    """An unattributed checklist's whole form: each chosen value must be one its question offers; blanks skipped."""
    chosen = {}
    for question_id, value in values.items():
        if not value:
            continue
        question = template.question(question_id)
        if value not in {o.value for o in question.options}:
            raise InvalidValue("Choose one of the answers offered.")
        chosen[question_id] = value
    if not chosen:
        raise InvalidValue("No answers were chosen, so nothing was saved.")
    return chosen


def coarse(now: datetime) -> datetime:
    """An unattributed round's progress time: the day only, so no moment joins it to an outbox job or log line."""
    return datetime.combine(now.date(), datetime.min.time())


@dataclass(frozen=True)
class Step:
    """Where a respondent is: the round, its template, the question shown (None: all answered) and answers.

    For an unattributed checklist `answers` is always empty (they are kept only as counts), and `submitted` says
    whether this member has sent their form.
    """

    round: Round
    template: Template
    question: Question | None
    answers: dict[str, sa.Answer]
    board_name: str = ""
    submitted: bool = False


@dataclass(frozen=True)
class RoundReport:
    """A round's report as the channel sees it."""

    round: Round
    number: int
    template: Template
    report: sa.Report
    board: Board
    respondents: int
    distribution: dict[str, dict[str, int]]
