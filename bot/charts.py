"""The report's chart: each area's score as a bar, coloured red, amber or green, drawn as a PNG."""

from __future__ import annotations

import io

from bot.domain.assessment import Rag, Report

COLOURS = {Rag.RED: "#c0392b", Rag.AMBER: "#e6a23c", Rag.GREEN: "#2e8b57", Rag.NONE: "#b0b0b0"}


def report_chart(report: Report, *, title: str) -> bytes:
    """A horizontal bar per area (score as a percentage of the maximum), with the previous round as a marker."""
    import matplotlib  # imported only when a chart is drawn: it is slow to import and big

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

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
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)
