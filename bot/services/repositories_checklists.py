"""What the services ask the database for about checklists: rounds, answers, boards' templates, actions."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from bot.domain.assessment import Answer
from bot.domain.checklists import Template
from bot.domain.rounds import Action, Round


class RoundRepository(ABC):
    """Checklist rounds of a board."""

    @abstractmethod
    def add(self, r: Round) -> int:
        """Save a new round; its id."""

    @abstractmethod
    def get(self, round_id: int, *, lock: bool = False) -> Round | None:
        """A round; with `lock`, answers and closing queue behind this transaction."""

    @abstractmethod
    def save(self, r: Round) -> None:
        """Write back when a round closes and who closed it."""

    @abstractmethod
    def open_round(self, board_id: int, template_id: str, *, personal_for: str | None = None) -> Round | None:
        """The board's open round of a template (or, with `personal_for`, that member's own open run)."""

    @abstractmethod
    def latest(self, board_id: int, template_id: str | None = None) -> Round | None:
        """The board's newest round (of a template, if given), open or closed; personal runs left out."""

    @abstractmethod
    def before(self, r: Round) -> Round | None:
        """The board's previous closed round of the same template, to compare against."""

    @abstractmethod
    def numbered(self, board_id: int, template_id: str) -> list[Round]:
        """The board's rounds of a template, oldest first (their number is their place in this list)."""


class AnswerRepository(ABC):
    """Respondents' answers to a round, and an unattributed round's counts."""

    @abstractmethod
    def start(self, round_id: int, respondent: str, *, at: datetime) -> None:
        """Note that a respondent has begun (once)."""

    @abstractmethod
    def of(self, round_id: int, respondent: str) -> list[Answer]:
        """One respondent's answers in a round (a skipped question has no value)."""

    @abstractmethod
    def put(self, round_id: int, respondent: str, answer: Answer, *, at: datetime) -> None:
        """Record (or change) a respondent's answer, note or evidence to one question."""

    @abstractmethod
    def finish(self, round_id: int, respondent: str, *, at: datetime) -> None:
        """Note that a respondent has answered every question."""

    @abstractmethod
    def finished(self, round_id: int) -> set[str]:
        """The respondents who have answered every question."""

    @abstractmethod
    def all(self, round_id: int) -> dict[str, list[Answer]]:
        """Every given answer of a round by respondent (respondents are pseudonyms in unattributed rounds)."""

    @abstractmethod
    def respondents(self, round_id: int) -> int:
        """How many have begun the round."""

    @abstractmethod
    def has_finished(self, round_id: int, respondent: str) -> bool:
        """Whether this respondent has finished (for an unattributed round: sent their form)."""

    @abstractmethod
    def pool(self, round_id: int, chosen: dict[str, str], options: list[tuple[str, str]]) -> None:
        """Add one form's answers to an unattributed round's counts, rewriting every count of the round.

        `options` is every (question, value) of the template in order: the round's rows are made from it at once,
        whatever was chosen, and one UPDATE then rewrites them all, so no row stands out by order or transaction.
        """

    @abstractmethod
    def tally(self, round_id: int) -> dict[str, dict[str, int]]:
        """An unattributed round's counts: question id -> value -> how many chose it."""


class TemplateRepository(ABC):
    """The checklist templates a board loaded, every version kept."""

    @abstractmethod
    def put(self, board_id: int, template_id: str, version: int, source: str, *, by: str, at: datetime) -> None:
        """Keep a board's own template (a version once loaded is never changed)."""

    @abstractmethod
    def shipped(self) -> dict[str, Template]:
        """The templates that ship with collab-bot (prompts/checklists), by id."""

    @abstractmethod
    def own(self, board_id: int) -> dict[str, Template]:
        """The newest version of each template the board loaded, by id."""

    @abstractmethod
    def own_version(self, board_id: int, template_id: str, version: int) -> Template | None:
        """One version the board loaded, to score a round against the template it was answered on."""


class ActionRepository(ABC):
    """Actions agreed from checklist gaps."""

    @abstractmethod
    def add(self, a: Action, *, at: datetime) -> int:
        """Save a new action; its id."""

    @abstractmethod
    def get(self, action_id: int, *, lock: bool = False) -> Action | None:
        """One action."""

    @abstractmethod
    def finish(self, action_id: int, *, by: str, at: datetime) -> None:
        """Mark an action done."""

    @abstractmethod
    def open_of(self, board_id: int) -> list[Action]:
        """A board's open actions, soonest due first."""
