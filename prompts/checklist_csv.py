"""A checklist round's report as CSV for board papers: one row per area, as the channel's report shows it."""

from __future__ import annotations

import csv
from typing import TextIO

from bot.domain.rounds import RoundReport

COLUMNS = ["Checklist", "Round", "Area", "Score (%)", "Rating", "Change since last round (points)", "Not sure",
           "Critical questions answered no", "Gaps", "To discuss (members disagree)"]


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.0f}"


def write_report_csv(rr: RoundReport, out: TextIO) -> None:
    """Write the report's areas, then its overall row."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    texts = {q.id: q.text for q in rr.template.questions()}
    for area in rr.report.areas:
        row = {
            "Checklist": rr.template.title, "Round": str(rr.number), "Area": area.title,
            "Score (%)": _percent(area.score), "Rating": area.rag.value,
            "Change since last round (points)": "" if area.change is None else f"{100 * area.change:+.0f}",
            "Not sure": str(area.not_sure),
            "Critical questions answered no": "; ".join(texts.get(q, q) for q in area.critical_noes),
            "Gaps": "; ".join(f"{g.text} ({_percent(g.share)}%)" for g in area.gaps),
            "To discuss (members disagree)": "; ".join(
                d.text + " (" + ", ".join(f"{v} {n}" for v, n in d.counts.items() if n) + ")"
                for d in area.disagreements),
        }
        # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
        writer.writerow({k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in row.items()})
    writer.writerow({"Checklist": rr.template.title, "Round": str(rr.number), "Area": "Overall",
                     "Score (%)": _percent(rr.report.overall), "Rating": rr.report.overall_rag.value})
