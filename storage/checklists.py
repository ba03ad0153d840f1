"""Checklist rounds, respondents' answers and actions from gaps, taken and returned as domain objects."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.assessment import Answer
from bot.domain.checklists import Template
from bot.domain.rounds import Action, Round
from bot.services import repositories_checklists as ports
from storage.checklist_files import parsed, shipped_templates
from storage.models_checklists import ActionRow, AnswerRow, ChecklistTemplateRow, ResponseRow, RoundRow, TallyRow
from storage.repositories import upsert

ROUND_FIELDS = ("board_id", "template_id", "version", "personal", "opened_by", "opened_at", "closes_at",
                "closed_at", "closed_by")


def _round(row: RoundRow) -> Round:
    return Round(row.id, **{f: getattr(row, f) for f in ROUND_FIELDS})


def _action(row: ActionRow) -> Action:
    return Action(row.id, row.board_id, row.title, row.owner, row.due_on, row.created_by, row.round_id,
                  row.question_id, row.done_at, row.done_by)


class RoundRepository(ports.RoundRepository):
    def __init__(self, session: Session):
        self.session = session

    def add(self, r: Round) -> int:
        """Save a new round; its id."""
        row = RoundRow(**{f: getattr(r, f) for f in ROUND_FIELDS})
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, round_id: int, *, lock: bool = False) -> Round | None:
        """A round; with `lock`, answers and closing queue behind this transaction."""
        query = select(RoundRow).where(RoundRow.id == round_id)
        row = self.session.execute(query.with_for_update() if lock else query).scalar()
        return _round(row) if row else None

    def save(self, r: Round) -> None:
        """Write back when a round closes and who closed it."""
        self.session.execute(update(RoundRow).where(RoundRow.id == r.id).values(
            closes_at=r.closes_at, closed_at=r.closed_at, closed_by=r.closed_by))

    def open_round(self, board_id: int, template_id: str, *, personal_for: str | None = None) -> Round | None:
        """The board's open round of a template (or, with `personal_for`, that member's own open run)."""
        query = select(RoundRow).where(RoundRow.board_id == board_id, RoundRow.template_id == template_id,
                                       RoundRow.closed_at.is_(None))
        query = (query.where(RoundRow.personal.is_(True), RoundRow.opened_by == personal_for) if personal_for
                 else query.where(RoundRow.personal.is_(False)))
        row = self.session.execute(query.order_by(RoundRow.id.desc()).limit(1)).scalar()
        return _round(row) if row else None

    def latest(self, board_id: int, template_id: str | None = None) -> Round | None:
        """The board's newest round (of a template, if given), open or closed; personal runs left out."""
        query = select(RoundRow).where(RoundRow.board_id == board_id, RoundRow.personal.is_(False))
        if template_id:
            query = query.where(RoundRow.template_id == template_id)
        row = self.session.execute(query.order_by(RoundRow.id.desc()).limit(1)).scalar()
        return _round(row) if row else None

    def before(self, r: Round) -> Round | None:
        """The board's previous closed round of the same template, to compare against."""
        row = self.session.execute(select(RoundRow).where(
            RoundRow.board_id == r.board_id, RoundRow.template_id == r.template_id, RoundRow.personal.is_(False),
            RoundRow.id < r.id, RoundRow.closed_at.is_not(None)).order_by(RoundRow.id.desc()).limit(1)).scalar()
        return _round(row) if row else None

    def numbered(self, board_id: int, template_id: str) -> list[Round]:
        """The board's rounds of a template, oldest first (their number is their place in this list)."""
        rows = self.session.execute(select(RoundRow).where(
            RoundRow.board_id == board_id, RoundRow.template_id == template_id, RoundRow.personal.is_(False))
            .order_by(RoundRow.id)).scalars()
        return [_round(r) for r in rows]


class AnswerRepository(ports.AnswerRepository):
    def __init__(self, session: Session):
        self.session = session

    def start(self, round_id: int, respondent: str, *, at: datetime) -> None:
        """Note that a respondent has begun (once)."""
        self.session.execute(upsert(self.session)(ResponseRow).values(
            round_id=round_id, respondent=respondent, started_at=at).on_conflict_do_nothing())

    def of(self, round_id: int, respondent: str) -> list[Answer]:
        """One respondent's answers in a round (a skipped question has no value)."""
        rows = self.session.execute(select(AnswerRow).where(
            AnswerRow.round_id == round_id, AnswerRow.respondent == respondent)).scalars()
        return [Answer(r.question_id, r.value or "", r.note, r.evidence) for r in rows]

    def put(self, round_id: int, respondent: str, answer: Answer, *, at: datetime) -> None:
        """Record (or change) a respondent's answer, note or evidence to one question."""
        values = dict(value=answer.value or None, note=answer.note, evidence=answer.evidence, answered_at=at)
        self.session.execute(upsert(self.session)(AnswerRow).values(
            round_id=round_id, respondent=respondent, question_id=answer.question_id, **values)
            .on_conflict_do_update(index_elements=["round_id", "respondent", "question_id"], set_=values))

    def finish(self, round_id: int, respondent: str, *, at: datetime) -> None:
        """Note that a respondent has answered every question."""
        self.session.execute(update(ResponseRow).where(
            ResponseRow.round_id == round_id, ResponseRow.respondent == respondent,
            ResponseRow.finished_at.is_(None)).values(finished_at=at))

    def finished(self, round_id: int) -> set[str]:
        """The respondents who have answered every question."""
        return set(self.session.execute(select(ResponseRow.respondent).where(
            ResponseRow.round_id == round_id, ResponseRow.finished_at.is_not(None))).scalars())

    def all(self, round_id: int) -> dict[str, list[Answer]]:
        """Every given answer of a round by respondent (respondents are pseudonyms in unattributed rounds)."""
        found: dict[str, list[Answer]] = defaultdict(list)
        rows = self.session.execute(select(AnswerRow).where(
            AnswerRow.round_id == round_id, AnswerRow.value.is_not(None))
            .order_by(AnswerRow.respondent, AnswerRow.question_id)).scalars()
        for r in rows:
            assert r.value is not None  # chosen above
            found[r.respondent].append(Answer(r.question_id, r.value, r.note, r.evidence))
        return dict(found)

    def respondents(self, round_id: int) -> int:
        """How many have begun the round."""
        return self.session.execute(select(func.count()).select_from(ResponseRow).where(
            ResponseRow.round_id == round_id)).scalar_one()

    def has_finished(self, round_id: int, respondent: str) -> bool:
        """Whether this respondent has finished (for an unattributed round: sent their form)."""
        return self.session.execute(select(ResponseRow.finished_at).where(
            ResponseRow.round_id == round_id, ResponseRow.respondent == respondent)).scalar() is not None

    def pool(self, round_id: int, chosen: dict[str, str], options: list[tuple[str, str]]) -> None:
        """Add one form's answers to an unattributed round's counts, rewriting every count of the round.

        `options` is every (question, value) of the template in order: the round's rows are made from it at once,
        whatever was chosen, and one UPDATE then rewrites them all, so no row stands out by order or transaction.
        """
        self.session.execute(upsert(self.session)(TallyRow).values(
            [{"round_id": round_id, "question_id": q, "value": v, "count": 0} for q, v in options])
            .on_conflict_do_nothing())
        picked = or_(*[and_(TallyRow.question_id == q, TallyRow.value == v) for q, v in chosen.items()])
        self.session.execute(update(TallyRow).where(TallyRow.round_id == round_id).values(
            count=TallyRow.count + case((picked, 1), else_=0)))

    def tally(self, round_id: int) -> dict[str, dict[str, int]]:
        """An unattributed round's counts: question id -> value -> how many chose it."""
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for question_id, value, count in self.session.execute(select(
                TallyRow.question_id, TallyRow.value, TallyRow.count).where(TallyRow.round_id == round_id)):
            found[question_id][value] = count
        return dict(found)


class ActionRepository(ports.ActionRepository):
    def __init__(self, session: Session):
        self.session = session

    def add(self, a: Action, *, at: datetime) -> int:
        """Save a new action; its id."""
        row = ActionRow(board_id=a.board_id, round_id=a.round_id, question_id=a.question_id, title=a.title,
                        owner=a.owner, due_on=a.due_on, created_by=a.created_by, created_at=at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, action_id: int, *, lock: bool = False) -> Action | None:
        """One action."""
        query = select(ActionRow).where(ActionRow.id == action_id)
        row = self.session.execute(query.with_for_update() if lock else query).scalar()
        return _action(row) if row else None

    def finish(self, action_id: int, *, by: str, at: datetime) -> None:
        """Mark an action done."""
        self.session.execute(update(ActionRow).where(ActionRow.id == action_id).values(done_at=at, done_by=by))

    def open_of(self, board_id: int) -> list[Action]:
        """A board's open actions, soonest due first."""
        rows = self.session.execute(select(ActionRow).where(ActionRow.board_id == board_id,
                                                            ActionRow.done_at.is_(None))
                                    .order_by(ActionRow.due_on, ActionRow.id).limit(200)).scalars()
        return [_action(r) for r in rows]


class TemplateRepository(ports.TemplateRepository):
    def __init__(self, session: Session):
        self.session = session

    def put(self, board_id: int, template_id: str, version: int, source: str, *, by: str, at: datetime) -> None:
        """Keep a board's own template (a version once loaded is never changed)."""
        self.session.add(ChecklistTemplateRow(board_id=board_id, template_id=template_id, version=version,
                                              source=source, loaded_by=by, loaded_at=at))
        self.session.flush()

    def shipped(self) -> dict[str, Template]:
        """The templates that ship with collab-bot (prompts/checklists), by id."""
        return shipped_templates()

    def own(self, board_id: int) -> dict[str, Template]:
        """The newest version of each template the board loaded, by id."""
        rows = self.session.execute(select(ChecklistTemplateRow).where(ChecklistTemplateRow.board_id == board_id)
                                    .order_by(ChecklistTemplateRow.version)).scalars()
        newest = {r.template_id: r.source for r in rows}
        return {template_id: parsed(source) for template_id, source in newest.items()}

    def own_version(self, board_id: int, template_id: str, version: int) -> Template | None:
        """One version the board loaded, to score a round against the template it was answered on."""
        source = self.session.execute(select(ChecklistTemplateRow.source).where(
            ChecklistTemplateRow.board_id == board_id, ChecklistTemplateRow.template_id == template_id,
            ChecklistTemplateRow.version == version)).scalar()
        return parsed(source) if source is not None else None


def due_in(actions: list[Action], *, on: date) -> list[Action]:
    """The actions due on a day."""
    return [a for a in actions if a.due_on == on]
