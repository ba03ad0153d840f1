"""The report's charts, drawn as PNG: each area's score as a bar coloured red, amber or green; and for an
unattributed checklist, how many chose each point of the scale, a stacked bar per statement."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping

from bot.domain.assessment import Rag, Report
from bot.domain.checklists import Template

COLOURS = {Rag.RED: "#c0392b", Rag.AMBER: "#e6a23c", Rag.GREEN: "#2e8b57", Rag.NONE: "#b0b0b0"}
# From the scale's lowest point to its highest: red through grey to green (ColorBrewer RdYlGn, grey in the middle).
SCALE_COLOURS = {2: ["#d73027", "#1a9850"], 3: ["#d73027", "#bdbdbd", "#1a9850"],
                 4: ["#d73027", "#fc8d59", "#91cf60", "#1a9850"],
                 5: ["#d73027", "#fc8d59", "#bdbdbd", "#91cf60", "#1a9850"]}


def _png(fig, **options) -> bytes:
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", **options)
    return out.getvalue()


def _pyplot():
    import matplotlib  # imported only when a chart is drawn: it is slow to import and big

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt


def report_chart(report: Report, *, title: str, template: Template | None = None,
                 distribution: Mapping[str, Mapping[str, int]] | None = None) -> bytes:
    """The report's chart: answers per statement for an unattributed checklist, else a bar per area's score."""
    if template is not None and distribution is not None and not template.attributed:
        return spread_chart(template, distribution, title=title)
    plt = _pyplot()
    areas = list(reversed(report.areas))
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(areas) + 1.6), dpi=120)
    try:
        scores = [100 * (a.score or 0) for a in areas]
        ax.barh([a.title for a in areas], scores, color=[COLOURS[a.rag] for a in areas])
        for n, area in enumerate(areas):
            label = "no answers" if area.score is None else f"{100 * area.score:.0f}%"
            ax.text(min(scores[n] + 1, 92), n, label, va="center", fontsize=9)
            if area.change is not None and area.score is not None:
                ax.plot(100 * (area.score - area.change), n, marker="|", markersize=14, color="#333333")
        ax.set_xlim(0, 100)
        ax.set_xlabel("Score, as a share of the most each area could score (| marks the previous round)")
        ax.set_title(title, fontsize=11, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)
    finally:
        plt.close(fig)


def spread_chart(template: Template, distribution: Mapping[str, Mapping[str, int]], *, title: str) -> bytes:
    """A stacked bar per statement: how many chose each point of its scale, lowest on the left, with the labels."""
    plt = _pyplot()
    questions = list(reversed(template.questions()))
    options = template.scale or questions[-1].options
    colours = SCALE_COLOURS.get(len(options)) or [plt.get_cmap("RdYlGn")(n / max(len(options) - 1, 1))
                                                  for n in range(len(options))]
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(questions) + 2.2), dpi=120)
    try:
        names = ["\n".join(textwrap.wrap(q.text, 48)[:3]) for q in questions]
        left = [0] * len(questions)
        for option, colour in zip(options, colours, strict=True):
            counts = [distribution.get(q.id, {}).get(option.value, 0) for q in questions]
            ax.barh(names, counts, left=left, color=colour, label=option.label, edgecolor="white")
            for n, count in enumerate(counts):
                if count:
                    ax.text(left[n] + count / 2, n, str(count), ha="center", va="center", fontsize=9)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.set_xlim(0, max(left + [1]))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("How many members chose each answer")
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title(title, fontsize=11, loc="left", pad=28)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(len(options), 5), fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig, bbox_inches="tight", pad_inches=0.2)  # the legend sits outside the axes
    finally:
        plt.close(fig)
