"""CSV exports open right in a UK spreadsheet: UTF-8 with a BOM, DD/MM/YYYY in the board's zone, numbers as numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime

import pytest

from bot.domain.assessment import AreaResult, Rag, Report
from bot.domain.rounds import Round, RoundReport
from prompts.checklist_csv import write_report_csv
from prompts.csv_export import BOM, cell, iso_time, pounds, uk_time
from prompts.register import write_csv
from storage.checklist_files import shipped_templates
from tests.unit.test_poll_blocks import snapshot

WINTER = datetime(2026, 11, 30, 22, 0)  # naive UTC
SUMMER = datetime(2026, 7, 1, 5, 33)


def rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM), "UTF-8 with a byte-order mark, so Excel reads it as UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


@pytest.mark.parametrize(("value", "written"), [
    ("-250000", "-250000"), ("-12.5", "-12.5"), ("7", "7"), ("-", "'-"), ("-x", "'-x"), ("=1+1", "'=1+1"),
    ("+44 113", "'+44 113"), ("@SUM(A1)", "'@SUM(A1)"), ("Leeds", "Leeds"),
])
def test_numbers_stay_numbers_and_formulas_are_quoted(value, written):
    assert cell(value) == written


def test_amounts_are_plain_pounds_a_spreadsheet_can_sum():
    assert [pounds(p) for p in (25_000_000, 1250, -25_000_000, None)] == ["250000", "12.50", "-250000", ""]


def test_times_are_uk_dates_in_the_boards_zone_with_the_iso_moment_kept():
    assert uk_time(SUMMER, "Europe/London") == "01/07/2026 06:33"
    assert uk_time(WINTER, "America/New_York") == "30/11/2026 17:00"
    assert iso_time(SUMMER, "Europe/London") == "2026-07-01T06:33+01:00"


def closed_register(timezone: str) -> str:
    snap = snapshot(3, closed=True)
    snap = replace(snap, board=replace(snap.board, timezone=timezone), closed_at=SUMMER)
    out = io.StringIO()
    write_csv([snap], out)
    return out.getvalue()


def test_the_register_is_utf8_with_a_bom_and_dates_its_closing_in_board_time():
    [row] = rows(closed_register("America/New_York"))
    assert row["Closed"] == "01/07/2026 01:33" and row["Closed (ISO 8601)"] == "2026-07-01T01:33-04:00"
    assert "Closed (UTC)" not in row


def test_the_registers_amount_is_a_number_not_text_with_a_pound_sign():
    [row] = rows(closed_register("Europe/London"))
    assert row["Amount (£)"] == "1200000"


def report(change: float | None) -> RoundReport:
    template = shipped_templates()["board-diagnostic"]
    area = template.areas[0]
    result = AreaResult(area.id, area.title, 0.4, Rag.RED, 3, 0, (), (), (), change)
    r = Round(1, 1, template.id, template.version, False, "UCHAIR", WINTER, closed_at=WINTER)
    snap = snapshot(3)
    return RoundReport(r, 2, template, Report(template.id, template.title, 3, (result,), 0.4, Rag.RED), snap.board,
                       3, {})


def test_a_fall_since_the_last_round_is_a_negative_number_not_quoted_text():
    out = io.StringIO()
    write_report_csv(report(-0.25), out)
    area = rows(out.getvalue())[0]
    assert area["Change since last round (points)"] == "-25" and area["Score (%)"] == "40"


def test_a_rise_since_the_last_round_is_a_plain_number():
    out = io.StringIO()
    write_report_csv(report(0.1), out)
    assert rows(out.getvalue())[0]["Change since last round (points)"] == "10"
