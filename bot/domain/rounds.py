"""Checklist rounds and actions from gaps: who may open and close a round, who answers, what an action is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import assessment as sa
from bot.domain.boards import Board, ensure_can_manage
from bot.domain.checklists import Question, Template
from bot.domain.errors import Conflict, InvalidValue, NotAllowed
from bot.domain.text import clean, escape

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
        raise NotAllowed(f"Only members of *{escape(board.name)}* answer its checklists.")


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


@dataclass(frozen=True)
class Step:
    """Where a respondent is: the round, its template, the question shown (None: all answered) and answers."""

    round: Round
    template: Template
    question: Question | None
    answers: dict[str, sa.Answer]
    board_name: str = ""


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
