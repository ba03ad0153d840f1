"""Checklist templates: areas of questions with answer options, and the checks a template must pass to be used."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import NotFound

KINDS = ("assessment", "selector", "pulse")
TYPES = ("informal", "strategic", "formal")  # where a selector's option points
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
VALUE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*", re.ASCII)
ID_LIMIT = 60  # ids are stored in 60-character columns
VALUE_LIMIT = 40  # so are answers, in 40
TITLE_LIMIT = 150  # a Slack header
TEXT_LIMIT = 300
HELP_LIMIT = 1000
EVIDENCE_TEXT_LIMIT = 1000
LABEL_LIMIT = 75  # a Slack button or radio option
REASON_LIMIT = 300
MAX_OPTIONS = 10  # a Slack radio group
DEFAULT_GREEN, DEFAULT_AMBER = 0.75, 0.5
DEFAULT_MIN_RESPONDENTS = 3  # an unattributed round's report waits for this many answers
LEAST_MIN_RESPONDENTS = 3  # with two, each of them could read the other's answers off the report
UNATTRIBUTED_QUESTION_LIMIT = 50  # all answered in one Slack form (100 blocks at most)

TEMPLATE_KEYS = ("id", "title", "version", "kind", "areas")
TEMPLATE_OPTIONAL = ("attributed", "scale", "thresholds", "min_respondents")
AREA_KEYS = ("id", "title", "questions")
QUESTION_KEYS = ("id", "text")
QUESTION_OPTIONAL = ("help", "evidence", "critical", "options")
OPTION_KEYS = ("value", "label")
OPTION_OPTIONAL = ("score", "points_to", "reason")


@dataclass(frozen=True)
class Option:
    """One answer a question offers: its stored value, button label, score (None: not scored) and selector advice."""

    value: str
    label: str
    score: int | None = None
    points_to: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Question:
    """One question, with its help, what good evidence looks like, and its options (its own, or the scale)."""

    id: str
    text: str
    help: str
    evidence: str
    critical: bool
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Area:
    """A titled group of questions, scored and rated together."""

    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Thresholds:
    """The share of an area's maximum score needed for green and for amber; below amber is red."""

    green: float
    amber: float


@dataclass(frozen=True)
class Template:
    """A checklist: its kind, whether answers carry names, its default options, RAG thresholds and areas.

    `min_respondents`: how many must have answered an unattributed round before its report is shown.
    """

    id: str
    title: str
    version: int
    kind: str
    attributed: bool
    scale: tuple[Option, ...]
    thresholds: Thresholds
    areas: tuple[Area, ...]
    min_respondents: int = DEFAULT_MIN_RESPONDENTS

    def questions(self) -> tuple[Question, ...]:
        """Every question, in template order."""
        return tuple(q for area in self.areas for q in area.questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; NotFound when the template has none."""
        area_number, _, number, _ = self.position(question_id)
        return self.areas[area_number - 1].questions[number - 1]

    def area_of(self, question_id: str) -> Area:
        """The area holding this question; NotFound when the template has none."""
        return self.areas[self.position(question_id)[0] - 1]

    def position(self, question_id: str) -> tuple[int, int, int, int]:
        """(area number, areas, question number in its area, questions in that area), counting from 1."""
        for a, area in enumerate(self.areas, start=1):
            for q, question in enumerate(area.questions, start=1):
                if question.id == question_id:
                    return a, len(self.areas), q, len(area.questions)
        raise NotFound(f"“{self.title}” has no question “{question_id}”; it may have changed since you started.")

    def lowest(self, question: Question) -> Option:
        """The question's lowest-scoring option (the first of equals); ValueError when none is scored."""
        scored = [(o.score, o) for o in question.options if o.score is not None]
        if not scored:
            raise ValueError(f"question {question.id!r} has no scored options")
        return min(scored, key=lambda pair: pair[0])[1]
