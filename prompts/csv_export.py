"""CSV files for UK spreadsheets: UTF-8 with a byte-order mark (so Excel reads £ and names right), dates as
DD/MM/YYYY and times as HH:MM in the board's time zone, and numbers, negative ones too, left as numbers."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TextIO

from bot.domain.times import in_zone

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


def cell(value: str) -> str:
    """A cell as a spreadsheet should show it: a number stays a number; text that would run as a formula is quoted."""
    if NUMBER.fullmatch(value):
        return value
    return "'" + value if value[:1] in FORMULA_STARTS else value


def write_csv(out: TextIO, columns: list[str], rows: Iterable[Mapping[str, str]]) -> None:
    """A header row and the rows, after a byte-order mark; cells are made safe for spreadsheets."""
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(value) for key, value in row.items()})


def uk_date(day: date) -> str:
    """A calendar date as DD/MM/YYYY."""
    return f"{day:%d/%m/%Y}"


def uk_day(moment: datetime | None, timezone: str) -> str:
    """The board's calendar date of a naive-UTC moment, DD/MM/YYYY; empty for none."""
    return uk_date(in_zone(moment, timezone).date()) if moment else ""


def uk_time(moment: datetime | None, timezone: str) -> str:
    """A naive-UTC moment as DD/MM/YYYY HH:MM in the board's zone; empty for none."""
    return f"{in_zone(moment, timezone):%d/%m/%Y %H:%M}" if moment else ""


def iso_time(moment: datetime | None, timezone: str) -> str:
    """A naive-UTC moment as ISO 8601 in the board's zone, with its offset: 2026-07-01T06:33+01:00."""
    return in_zone(moment, timezone).isoformat(timespec="minutes") if moment else ""


def pounds(pence: int | None) -> str:
    """Pence as a number of pounds a spreadsheet sums: "250000", "12.50", "-250000"; empty for none."""
    if pence is None:
        return ""
    sign, pence = ("-" if pence < 0 else ""), abs(pence)
    whole, rest = divmod(pence, 100)
    return f"{sign}{whole}" + (f".{rest:02d}" if rest else "")
