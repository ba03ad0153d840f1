"""A checklist round's report as the board reads it: per area the score, red/amber/green, disagreements, gaps
and the change since the previous round; a "Create action" button beside each gap."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement, SectionBlock

from bot.domain.assessment import AreaResult, Rag
from bot.domain.checklists import Template
from bot.domain.rounds import RoundReport
from bot.domain.text import cut, escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.ids.checklists import ChecklistAction

RAG_MARKS = {Rag.RED: ":red_circle: Red", Rag.AMBER: ":large_orange_circle: Amber",
             Rag.GREEN: ":large_green_circle: Green", Rag.NONE: ":white_circle: No answers"}
GAPS_SHOWN = 3


def _percent(share: float | None) -> str:
    return "no scored answers" if share is None else f"{100 * share:.0f}%"


def _change(area: AreaResult) -> str:
    if area.change is None:
        return ""
    points = round(100 * area.change)
    return " (no change since the last round)" if points == 0 else f" ({points:+d} points since the last round)"


def _area_lines(area: AreaResult, labels: dict[str, str]) -> list[str]:
    lines = [f"*{escape(area.title)}*: {RAG_MARKS[area.rag]}, {_percent(area.score)}{_change(area)}"]
    if area.critical_noes:
        lines.append(f"• A critical question was answered “no” ({len(area.critical_noes)}), so this area is red.")
    if area.not_sure:
        lines.append(f"• {area.not_sure} “not sure” answer{'s' if area.not_sure != 1 else ''}: a gap in what "
                     "members know.")
    for d in area.disagreements:
        spread = ", ".join(f"{labels.get(v, v)} {n}" for v, n in d.counts.items() if n)
        lines.append(f"• To discuss, members disagree: _{escape(cut(d.text, 200))}_ ({spread})")
    return lines


def _spread(text: str, counts: dict[str, int], labels: dict[str, str]) -> str:
    """One statement's answers on its whole scale, every point shown with its label (a point nobody chose: 0)."""
    shown = " · ".join(f"{labels.get(value, value)} *{n}*" for value, n in counts.items())
    return f"• _{escape(cut(text, 200))}_\n    {shown if any(counts.values()) else 'no answers'}"


def scoring_note(rr: RoundReport) -> str:
    """How answers were scored, in the template's own words: its options and their points."""
    first = rr.template.questions()[0].options if rr.template.questions() else ()
    options = rr.template.scale or first
    points = ", ".join(f"{o.label} {o.score}" for o in options if o.score is not None)
    unscored = [o.label for o in options if o.score is None]
    apart = f"; “{unscored[0]}” is counted apart" if len(unscored) == 1 else (
        "; " + ", ".join(unscored) + " are counted apart" if unscored else "")
    return f"Scores: {points}, as a share of the most an area could score{apart}."


def too_few_message(template: Template, *, number: int, answered: int) -> dict:
    """An unattributed round closed with fewer answers than its report needs: no report, and why."""
    text = (f"The round {number} of *{escape(template.title)}* has closed with {answered} "
            f"member{' has' if answered == 1 else 's have'} answered, fewer than the {template.min_respondents} its "
            "report needs, so no report is shown: with so few, someone's answers could be told from it.")
    return message([section(text)], f"{template.title}: round {number}, too few answers for a report")


def report_message(rr: RoundReport) -> dict:
    """The report posted in the channel; the chart follows as an image."""
    report, template = rr.report, rr.template
    labels = {o.value: o.label for o in template.scale}
    state = "closed" if not rr.round.is_open else "still open"
    blocks = [header(f"{template.title}: round {rr.number} report"),
              context(f"{rr.report.members} member{'s' if report.members != 1 else ''} answered · round {state} · "
                      f"overall {RAG_MARKS[report.overall_rag]}, {_percent(report.overall)}"
                      + ("" if template.attributed else " · answers are not attributed to anyone"))]
    for area in report.areas:
        blocks.append(section("\n".join(_area_lines(area, labels))))
        if not template.attributed:  # how many gave each answer: never who
            blocks += sections([_spread(q.text, rr.distribution.get(q.id, {}), labels)
                                for a in template.areas if a.id == area.area_id for q in a.questions], max_blocks=3)
        for gap in area.gaps[:GAPS_SHOWN]:
            blocks.append(SectionBlock(
                text=f"Gap: {escape(cut(gap.text, 250))} ({_percent(gap.share)})",
                accessory=ButtonElement(text="Create action", action_id=ChecklistAction.CREATE_ACTION.value,
                                        value=f"{rr.round.id}:{gap.question_id}")).to_dict())
    blocks.append(context(escape(scoring_note(rr)) + " The chair turns a gap into an action with its button."))
    return message(blocks, f"{template.title}: round {rr.number} report")
