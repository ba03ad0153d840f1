"""A checklist round's report as CSV for board papers: one row per area, as the channel's report shows it."""

from __future__ import annotations

import csv
from typing import TextIO

from bot.domain.rounds import RoundReport
from prompts.csv_export import BOM, cell

COLUMNS = ["Checklist", "Round", "Area", "Score (%)", "Rating", "Change since last round (points)", "Not sure",
           "Critical questions answered no", "Gaps", "To discuss (members disagree)"]


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.0f}"


def _safe(row: dict[str, str]) -> dict[str, str]:
    # Text starting with = + - @ would be run as a formula by spreadsheet programs; numbers stay numbers.
    return {k: cell(v) for k, v in row.items()}


def _points(rr: RoundReport) -> list[tuple[str, str]]:
    """An unattributed checklist's scale as (value, column heading); none for an attributed one."""
    if rr.template.attributed or not rr.template.questions():
        return []
    return [(o.value, o.label) for o in rr.template.scale or rr.template.questions()[0].options]


def _statements(rr: RoundReport, area_id: str, points: list[tuple[str, str]]) -> list[dict[str, str]]:
    """An unattributed area's statements, one row each: how many chose each point of the scale."""
    area = next(a for a in rr.template.areas if a.id == area_id)
    return [{"Checklist": rr.template.title, "Round": str(rr.number), "Area": area.title, "Statement": q.text,
             **{heading: str(rr.distribution.get(q.id, {}).get(value, 0)) for value, heading in points}}
            for q in area.questions]


def write_report_csv(rr: RoundReport, out: TextIO) -> None:
    """Write the report's areas (for an unattributed checklist, each followed by its statements' answer counts,
    a column per point of the scale), then its overall row."""
    points = _points(rr)
    columns = COLUMNS + (["Statement"] + [heading for _, heading in points] if points else [])
    out.write(BOM)  # UTF-8 with a byte-order mark, so a spreadsheet reads it as UTF-8
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    texts = {q.id: q.text for q in rr.template.questions()}
    labels = {o.value: o.label for q in rr.template.questions() for o in q.options}
    for area in rr.report.areas:
        row = {
            "Checklist": rr.template.title, "Round": str(rr.number), "Area": area.title,
            "Score (%)": _percent(area.score), "Rating": area.rag.value,
            "Change since last round (points)": "" if area.change is None else f"{100 * area.change:.0f}",
            "Not sure": str(area.not_sure),
            "Critical questions answered no": "; ".join(texts.get(q, q) for q in area.critical_noes),
            "Gaps": "; ".join(f"{g.text} ({_percent(g.share)}%)" for g in area.gaps),
            "To discuss (members disagree)": "; ".join(
                d.text + " (" + ", ".join(f"{labels.get(v, v)} {n}" for v, n in d.counts.items() if n) + ")"
                for d in area.disagreements),
        }
        writer.writerow(_safe(row))
        writer.writerows(_safe(r) for r in (_statements(rr, area.area_id, points) if points else []))
    writer.writerow({"Checklist": rr.template.title, "Round": str(rr.number), "Area": "Overall",
                     "Score (%)": _percent(rr.report.overall), "Rating": rr.report.overall_rag.value})
