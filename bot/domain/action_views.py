"""What people see of actions from gaps: the "Create action" form's start, one action, a board's open actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.boards import Board
from bot.domain.rounds import Action


@dataclass(frozen=True)
class ActionForm:
    """What the "Create action" form starts from: the gap's question and a due date four weeks ahead."""

    board: Board
    round_id: int
    question_id: str
    question: str | None  # the gap's question text, when its checklist can still be read
    due_on: date


@dataclass(frozen=True)
class ActionView:
    """One action with its board, the board's open actions, and the board's date today."""

    board: Board
    action: Action
    open: list[Action]
    today: date


@dataclass(frozen=True)
class ActionList:
    """A board's open actions, soonest due first, as of its date today."""

    board: Board
    actions: list[Action]
    today: date
