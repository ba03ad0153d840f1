"""Scoring a round of checklist answers: area scores and RAG, gaps, disagreements, the selector and navigation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.checklists import Area, Option, Question, Template

INFORMAL = "informal"
STRATEGIC = "strategic"
FORMAL = "formal"
TAKE_ADVICE = "Take advice from your trust secretary before going further."
REMINDER = "The type describes how the governance is arranged, not how committed the partners are."
DEFAULT_INFORMAL = "Nothing in your answers calls for a joint committee or a formal agreement."
DISCUSS_AT = 0.5  # the least spread that makes a question worth talking about
DISAGREEMENT_LIMIT = 5  # per area
_TOLERANCE = 1e-9  # so a score exactly at a threshold is not pushed below it by rounding


@dataclass(frozen=True)
class Answer:
    """One member's answer to one question, with an optional note and evidence."""

    question_id: str
    value: str
    note: str = ""
    evidence: str = ""


class Rag(StrEnum):
    """Red, amber or green; NONE when there are no scored answers."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NONE = "none"


@dataclass(frozen=True)
class Gap:
    """A question scoring below amber, or a critical question someone answered with its lowest option."""

    question_id: str
    text: str
    share: float


@dataclass(frozen=True)
class Disagreement:
    """A question members answered far apart: a discussion item."""

    question_id: str
    text: str
    spread: float  # (highest answer - lowest answer) / (top option - lowest option)
    counts: dict[str, int]  # option value -> how many chose it


@dataclass(frozen=True)
class AreaResult:
    """How one area scored in a round."""

    area_id: str
    title: str
    score: float | None  # share of the maximum, 0..1, over members' scored answers
    rag: Rag
    answered: int  # scored answers; "not sure" answers are counted apart
    not_sure: int
    critical_noes: tuple[str, ...]  # question ids
    gaps: tuple[Gap, ...]
    disagreements: tuple[Disagreement, ...]
    change: float | None  # score minus the previous round's, when both exist


@dataclass(frozen=True)
class Report:
    """A scored round: counts and distributions only, never who answered what."""

    template_id: str
    title: str
    members: int  # how many answered at least one question
    areas: tuple[AreaResult, ...]
    overall: float | None
    overall_rag: Rag


@dataclass(frozen=True)
class Recommendation:
    """The selector's suggested collaborative type and why."""

    kind: str  # informal | strategic | formal
    reasons: tuple[str, ...]
    take_advice: bool
    reminder: str = REMINDER


def option_for(question: Question, value: str) -> Option:
    """The option a value chooses; ValueError when the question has no such option."""
    for option in question.options:
        if option.value == value:
            return option
    raise ValueError(f"{value!r} is not an answer to question {question.id!r}")


def _bounds(question: Question) -> tuple[int, int] | None:
    """The question's lowest and top option scores, or None when no option is scored."""
    scores = [o.score for o in question.options if o.score is not None]
    return (min(scores), max(scores)) if scores else None


def _by_question(template: Template, answers: Mapping[str, Sequence[Answer]]) -> dict[str, list[Option]]:
    """Each question's chosen options across members; a member's last answer to a question wins."""
    questions = {q.id: q for q in template.questions()}
    chosen: dict[str, list[Option]] = {qid: [] for qid in questions}
    for member_answers in answers.values():
        latest = {a.question_id: a for a in member_answers if a.question_id in questions}
        for qid, answer in latest.items():
            chosen[qid].append(option_for(questions[qid], answer.value))
    return chosen


def rag_for(template: Template, score: float | None) -> Rag:
    """The RAG rating of a share of the maximum under the template's thresholds."""
    if score is None:
        return Rag.NONE
    if score >= template.thresholds.green - _TOLERANCE:
        return Rag.GREEN
    if score >= template.thresholds.amber - _TOLERANCE:
        return Rag.AMBER
    return Rag.RED


def _counts(question: Question, chosen: list[Option]) -> dict[str, int]:
    """How many chose each of the question's options, in option order."""
    counts = {o.value: 0 for o in question.options}
    for option in chosen:
        counts[option.value] += 1
    return counts


@dataclass(frozen=True)
class _Tally:
    """One question's scored totals in a round."""

    got: int
    most: int
    lowest_chosen: bool


def _tally(question: Question, chosen: list[Option]) -> _Tally | None:
    """Sum the scored answers to a question against their maximum; None when none is scored."""
    bounds = _bounds(question)
    scores = [o.score for o in chosen if o.score is not None]
    if bounds is None or not scores:
        return None
    return _Tally(got=sum(scores), most=bounds[1] * len(scores), lowest_chosen=min(scores) == bounds[0])


def _disagreement(question: Question, chosen: list[Option]) -> Disagreement | None:
    """The question as a discussion item when its scored answers are far enough apart."""
    bounds = _bounds(question)
    scores = [o.score for o in chosen if o.score is not None]
    if bounds is None or bounds[1] == bounds[0] or len(scores) < 2:
        return None
    spread = (max(scores) - min(scores)) / (bounds[1] - bounds[0])
    if spread < DISCUSS_AT:
        return None
    return Disagreement(question.id, question.text, spread, _counts(question, chosen))


def _area(
    template: Template, area: Area, chosen: dict[str, list[Option]], previous: AreaResult | None
) -> tuple[AreaResult, int, int]:
    """Score one area; also return its scored total and maximum for the overall score."""
    got = most = answered = not_sure = 0
    critical: list[str] = []
    gaps: list[tuple[bool, float, int, Gap]] = []
    disagreements: list[tuple[float, int, Disagreement]] = []
    for index, question in enumerate(area.questions):
        picks = chosen[question.id]
        not_sure += sum(1 for o in picks if o.score is None)
        tally = _tally(question, picks)
        if tally is None:
            continue
        answered += sum(1 for o in picks if o.score is not None)
        got, most = got + tally.got, most + tally.most
        critical_no = question.critical and tally.lowest_chosen
        if critical_no:
            critical.append(question.id)
        share = tally.got / tally.most if tally.most else 1.0
        if critical_no or share < template.thresholds.amber - _TOLERANCE:
            gaps.append((not critical_no, share, index, Gap(question.id, question.text, share)))
        item = _disagreement(question, picks)
        if item is not None:
            disagreements.append((-item.spread, index, item))
    score = got / most if most else None
    rag = Rag.RED if critical else rag_for(template, score)
    change = None
    if previous is not None and previous.score is not None and score is not None:
        change = score - previous.score
    result = AreaResult(
        area_id=area.id, title=area.title, score=score, rag=rag, answered=answered, not_sure=not_sure,
        critical_noes=tuple(critical), gaps=tuple(g for *_, g in sorted(gaps, key=lambda t: t[:3])),
        disagreements=tuple(d for *_, d in sorted(disagreements, key=lambda t: t[:2]))[:DISAGREEMENT_LIMIT],
        change=change,
    )
    return result, got, most


def score_round(
    template: Template, answers: Mapping[str, Sequence[Answer]], previous: Report | None = None
) -> Report:
    """Score every member's answers (member key -> answers) by area, comparing with the previous round."""
    chosen = _by_question(template, answers)
    known = {q.id for q in template.questions()}
    members = sum(1 for member_answers in answers.values() if any(a.question_id in known for a in member_answers))
    before = {a.area_id: a for a in previous.areas} if previous is not None else {}
    areas: list[AreaResult] = []
    got = most = 0
    for area in template.areas:
        result, area_got, area_most = _area(template, area, chosen, before.get(area.id))
        areas.append(result)
        got, most = got + area_got, most + area_most
    overall = got / most if most else None
    overall_rag = Rag.RED if any(a.critical_noes for a in areas) else rag_for(template, overall)
    return Report(template.id, template.title, members, tuple(areas), overall, overall_rag)


def distribution(template: Template, answers: Mapping[str, Sequence[Answer]]) -> dict[str, dict[str, int]]:
    """How many members chose each option of each question (question id -> option value -> count)."""
    chosen = _by_question(template, answers)
    return {q.id: _counts(q, chosen[q.id]) for q in template.questions()}


def answers_from_counts(counts: Mapping[str, Mapping[str, int]]) -> dict[str, list[Answer]]:
    """Stand-in respondents carrying pooled counts (question id -> value -> count), for scoring an unattributed round.

    Each question's answers are dealt out in option order, so the stand-ins hold the counts and nothing else: no
    stand-in is a person.
    """
    dealt: dict[str, list[Answer]] = {}
    for question_id, by_value in counts.items():
        picks = [value for value, n in by_value.items() for _ in range(n)]
        for k, value in enumerate(picks):
            dealt.setdefault(f"pooled-{k}", []).append(Answer(question_id, value))
    return dealt


def recommend(template: Template, answers: Sequence[Answer]) -> Recommendation:
    """The collaborative type a selector's answers point to, with the reasons in question order."""
    if template.kind != "selector":
        raise ValueError(f"{template.id!r} is not a selector")
    questions = {q.id: q for q in template.questions()}
    latest: dict[str, Answer] = {}
    for answer in answers:
        if answer.question_id not in questions:
            raise ValueError(f"{answer.question_id!r} is not a question in {template.id!r}")
        latest[answer.question_id] = answer
    picked = [
        option_for(q, latest[q.id].value) for q in template.questions() if q.id in latest
    ]

    def reasons(kind: str) -> tuple[str, ...]:
        return tuple(o.reason for o in picked if o.points_to == kind and o.reason)

    if any(o.points_to == FORMAL for o in picked):
        return Recommendation(FORMAL, (*reasons(FORMAL), TAKE_ADVICE), True)
    if any(o.points_to == STRATEGIC for o in picked):
        return Recommendation(STRATEGIC, reasons(STRATEGIC), False)
    return Recommendation(INFORMAL, reasons(INFORMAL) or (DEFAULT_INFORMAL,), False)


def progress(template: Template, answered_ids: set[str]) -> tuple[int, int]:
    """How many of the template's questions are answered, and how many there are."""
    ids = [q.id for q in template.questions()]
    return sum(1 for qid in ids if qid in answered_ids), len(ids)


def next_question(template: Template, answered_ids: set[str], *, after: str | None = None) -> Question | None:
    """The first unanswered question, or the first after `after` (wrapping round); None when all are answered."""
    questions = list(template.questions())
    ids = [q.id for q in questions]
    if after in ids:
        start = ids.index(after) + 1
        questions = questions[start:] + questions[:start]
    return next((q for q in questions if q.id not in answered_ids), None)


def previous_question(template: Template, current_id: str) -> Question | None:
    """The question before this one in template order; None for the first or an unknown id."""
    questions = list(template.questions())
    ids = [q.id for q in questions]
    if current_id not in ids or ids.index(current_id) == 0:
        return None
    return questions[ids.index(current_id) - 1]
