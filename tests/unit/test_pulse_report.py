"""A pulse report on its own scale: each statement's answers counted by label in the message, the CSV and the chart,
and the scores explained in the template's own words."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.domain import assessment as sa
from bot.domain.rounds import Round, RoundReport
from bot.outbound.charts import report_chart
from prompts.blocks.report import report_message
from prompts.checklist_csv import write_report_csv
from storage.checklist_files import shipped_templates
from tests.unit.board_on_fakes import four_member_board

NOW = datetime(2026, 11, 30, 10, 0)
COUNTS = [(0, 1, 0, 2, 0), (1, 0, 0, 1, 1), (0, 0, 3, 0, 0), (0, 0, 0, 0, 3), (2, 0, 0, 0, 1)]


def reported(template_id: str, counts: dict[str, dict[str, int]]) -> RoundReport:
    template = shipped_templates()[template_id]
    answers = sa.answers_from_counts(counts)
    with four_member_board(NOW).read() as uow:
        board = uow.boards.get(1)
    return RoundReport(Round(1, 1, template.id, template.version, False, "U1", NOW, closed_at=NOW), 1, template,
                       sa.score_round(template, answers), board, 3, sa.distribution(template, answers))


def pulse() -> RoundReport:
    statements = [q.id for q in shipped_templates()["pulse-check"].questions()]
    return reported("pulse-check", {q: dict(zip("12345", c, strict=True)) for q, c in zip(statements, COUNTS,
                                                                                          strict=True)})


def test_the_pulse_report_counts_every_point_of_the_scale_by_its_label_and_explains_its_scores():
    text = str(report_message(pulse()))
    assert "Strongly disagree *0* · Disagree *1* · Neither agree nor disagree *0* · Agree *2* · Strongly agree *0*" \
        in text
    assert "Scores: Strongly disagree 1, Disagree 2, Neither agree nor disagree 3, Agree 4, Strongly agree 5" in text
    assert "yes 2" not in text and "partly" not in text


def test_the_diagnostic_report_still_explains_yes_partly_and_no():
    first = shipped_templates()["board-diagnostic"].questions()[0].id
    text = str(report_message(reported("board-diagnostic", {first: {"yes": 1, "no": 1}})))
    assert "Scores: Yes 2, Partly 1, No 0" in text and "“Not sure” is counted apart" in text


def test_the_pulse_csv_has_a_row_per_statement_with_a_count_under_each_labelled_point():
    out = io.StringIO()
    write_report_csv(pulse(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    statements = [r for r in rows if r["Statement"]]
    assert [r["Statement"] for r in statements] == [q.text for q in shipped_templates()["pulse-check"].questions()]
    assert [statements[0][label] for label in ("Strongly disagree", "Disagree", "Neither agree nor disagree",
                                               "Agree", "Strongly agree")] == ["0", "1", "0", "2", "0"]
    disagree = next(r for r in rows if r["To discuss (members disagree)"])["To discuss (members disagree)"]
    assert "Strongly disagree 1" in disagree and "(1 1" not in disagree, "labels, not raw values"


def test_the_pulse_chart_is_a_png_taller_for_more_statements_than_the_area_chart():
    rr = pulse()
    spread = report_chart(rr.report, title="t", template=rr.template, distribution=rr.distribution)
    areas = report_chart(rr.report, title="t")
    assert spread.startswith(b"\x89PNG") and areas.startswith(b"\x89PNG")
    height = int.from_bytes(spread[20:24], "big")
    assert height > int.from_bytes(areas[20:24], "big"), "a bar per statement, not one for the single area"
