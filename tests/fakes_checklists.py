"""In-memory fakes of the checklists' repositories (storage/checklists.py): rounds, answers, templates, actions.

Their state lives in the Store (as `store.checklists`), so the fake unit of work's copy-on-enter and copy-on-commit
cover it. Rounds are handed out as copies, as the SQL version builds new ones from rows: a change sticks only once
saved. Actions and answers are frozen, so handing them out is safe.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.domain.assessment import Answer
from bot.domain.checklists import Template
from bot.domain.rounds import Action, Round
from bot.services import repositories_checklists as ports
from storage.checklist_files import parsed, shipped_templates

if TYPE_CHECKING:
    from tests.fakes import Store

LISTED = 200  # the SQL list stops at this many rows


@dataclass
class Response:
    """One row of checklist_responses: when a respondent began a round, and finished it."""

    started_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True)
class StoredAnswer:
    """One row of checklist_answers: the answer (an empty value is stored as None) and when it was given."""

    value: str | None
    note: str
    evidence: str
    answered_at: datetime


@dataclass(frozen=True)
class LoadedTemplate:
    """One row of checklist_templates."""

    board_id: int
    template_id: str
    version: int
    source: str
    loaded_by: str
    loaded_at: datetime


@dataclass
class ChecklistState:
    """The checklists' rows as the fake database holds them."""

    actions: dict[int, Action] = field(default_factory=dict)
    action_created: dict[int, datetime] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    responses: dict[tuple[int, str], Response] = field(default_factory=dict)  # (round, respondent) -> progress
    answers: dict[tuple[int, str, str], StoredAnswer] = field(default_factory=dict)  # (round, respondent, question)
    tallies: dict[tuple[int, str, str], int] = field(default_factory=dict)  # (round, question, value) -> how many
    templates: list[LoadedTemplate] = field(default_factory=list)  # in the order loaded


def state_of(s: Store) -> ChecklistState:
    """The store's checklist state."""
    return s.checklists


class FakeRounds(ports.RoundRepository):
    def __init__(self, s: Store):
        self.c = state_of(s)

    def add(self, r: Round) -> int:
        round_id = max(self.c.rounds, default=0) + 1
        self.c.rounds[round_id] = replace(r, id=round_id)
        return round_id

    def get(self, round_id: int, *, lock: bool = False) -> Round | None:
        found = self.c.rounds.get(round_id)
        return replace(found) if found else None

    def save(self, r: Round) -> None:
        if r.id in self.c.rounds:  # as the SQL UPDATE: only when and by whom it closes
            self.c.rounds[r.id] = replace(self.c.rounds[r.id], closes_at=r.closes_at, closed_at=r.closed_at,
                                          closed_by=r.closed_by)

    def _newest(self, rounds) -> Round | None:
        found = max(rounds, key=lambda r: r.id, default=None)
        return replace(found) if found else None

    def _board(self, board_id: int, template_id: str | None = None) -> list[Round]:
        return [r for r in self.c.rounds.values() if r.board_id == board_id and not r.personal
                and (template_id is None or r.template_id == template_id)]

    def open_round(self, board_id: int, template_id: str, *, personal_for: str | None = None) -> Round | None:
        mine = [r for r in self.c.rounds.values() if r.board_id == board_id and r.template_id == template_id
                and r.closed_at is None]
        if personal_for:
            return self._newest(r for r in mine if r.personal and r.opened_by == personal_for)
        return self._newest(r for r in mine if not r.personal)

    def latest(self, board_id: int, template_id: str | None = None) -> Round | None:
        return self._newest(self._board(board_id, template_id or None))

    def before(self, r: Round) -> Round | None:
        return self._newest(x for x in self._board(r.board_id, r.template_id)
                            if (x.id or 0) < (r.id or 0) and x.closed_at is not None)

    def numbered(self, board_id: int, template_id: str) -> list[Round]:
        return [replace(r) for r in sorted(self._board(board_id, template_id), key=lambda r: r.id or 0)]


class FakeAnswers(ports.AnswerRepository):
    def __init__(self, s: Store):
        self.c = state_of(s)

    def start(self, round_id: int, respondent: str, *, at: datetime) -> None:
        self.c.responses.setdefault((round_id, respondent), Response(at))

    def of(self, round_id: int, respondent: str) -> list[Answer]:
        return [Answer(q, a.value or "", a.note, a.evidence) for (r, who, q), a in sorted(self.c.answers.items())
                if (r, who) == (round_id, respondent)]

    def put(self, round_id: int, respondent: str, answer: Answer, *, at: datetime) -> None:
        self.c.answers[(round_id, respondent, answer.question_id)] = StoredAnswer(
            answer.value or None, answer.note, answer.evidence, at)

    def finish(self, round_id: int, respondent: str, *, at: datetime) -> None:
        found = self.c.responses.get((round_id, respondent))
        if found is not None and found.finished_at is None:
            found.finished_at = at

    def finished(self, round_id: int) -> set[str]:
        return {who for (r, who), p in self.c.responses.items() if r == round_id and p.finished_at is not None}

    def all(self, round_id: int) -> dict[str, list[Answer]]:
        found: dict[str, list[Answer]] = defaultdict(list)
        for (r, who, q), a in sorted(self.c.answers.items()):
            if r == round_id and a.value is not None:
                found[who].append(Answer(q, a.value, a.note, a.evidence))
        return dict(found)

    def respondents(self, round_id: int) -> int:
        return sum(1 for r, _ in self.c.responses if r == round_id)

    def has_finished(self, round_id: int, respondent: str) -> bool:
        found = self.c.responses.get((round_id, respondent))
        return found is not None and found.finished_at is not None

    def pool(self, round_id: int, chosen: dict[str, str], options: list[tuple[str, str]]) -> None:
        for question_id, value in options:
            self.c.tallies.setdefault((round_id, question_id, value), 0)
        for question_id, value in chosen.items():
            self.c.tallies[(round_id, question_id, value)] += 1

    def tally(self, round_id: int) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for (r, question_id, value), count in self.c.tallies.items():
            if r == round_id:
                found[question_id][value] = count
        return dict(found)


class FakeTemplates(ports.TemplateRepository):
    def __init__(self, s: Store):
        self.c = state_of(s)

    def put(self, board_id: int, template_id: str, version: int, source: str, *, by: str, at: datetime) -> None:
        if self._source(board_id, template_id, version) is not None:
            raise IntegrityError("INSERT INTO checklist_templates", None,
                                 ValueError("uq_checklist_templates_version"))
        self.c.templates.append(LoadedTemplate(board_id, template_id, version, source, by, at))

    def shipped(self) -> dict[str, Template]:
        return shipped_templates()

    def own(self, board_id: int) -> dict[str, Template]:
        rows = sorted((t for t in self.c.templates if t.board_id == board_id), key=lambda t: t.version)
        return {t.template_id: parsed(t.source) for t in rows}

    def own_version(self, board_id: int, template_id: str, version: int) -> Template | None:
        source = self._source(board_id, template_id, version)
        return parsed(source) if source is not None else None

    def _source(self, board_id: int, template_id: str, version: int) -> str | None:
        return next((t.source for t in self.c.templates
                     if (t.board_id, t.template_id, t.version) == (board_id, template_id, version)), None)


class FakeActions(ports.ActionRepository):
    def __init__(self, s: Store):
        self.c = state_of(s)

    def add(self, a: Action, *, at: datetime) -> int:
        action_id = len(self.c.actions) + 1
        self.c.actions[action_id] = replace(a, id=action_id, done_at=None, done_by=None)
        self.c.action_created[action_id] = at
        return action_id

    def get(self, action_id: int, *, lock: bool = False) -> Action | None:
        return self.c.actions.get(action_id)

    def finish(self, action_id: int, *, by: str, at: datetime) -> None:
        if action_id in self.c.actions:
            self.c.actions[action_id] = replace(self.c.actions[action_id], done_at=at, done_by=by)

    def open_of(self, board_id: int) -> list[Action]:
        found = [a for a in self.c.actions.values() if a.board_id == board_id and a.done_at is None]
        return sorted(found, key=lambda a: (a.due_on, a.id))[:LISTED]


def repositories(s: Store) -> tuple[FakeRounds, FakeAnswers, FakeTemplates, FakeActions]:
    """The unit of work's checklist_rounds, checklist_answers, checklist_templates and actions."""
    return FakeRounds(s), FakeAnswers(s), FakeTemplates(s), FakeActions(s)
