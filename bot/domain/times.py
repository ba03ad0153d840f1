"""Times as people read them: in the board's own time zone, named by its abbreviation (GMT, BST, EST).

The project stores naive UTC; every time shown to a person goes through here with the board's zone, so a
London board reads "14:05 BST" in summer and a New York board "09:05 EDT", never a bare "UTC".
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def in_zone(moment: datetime, timezone: str) -> datetime:
    """A naive-UTC moment as an aware time in `timezone`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone))


def zone_name(local: datetime) -> str:
    """The zone's abbreviation at that moment ("GMT", "BST", "EST"), or "UTC+04" where it has none."""
    name = local.tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name


def local_time(moment: datetime, timezone: str) -> str:
    """"Tue 24 Nov 2026 14:05 GMT": a naive-UTC moment in the board's zone."""
    local = in_zone(moment, timezone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {zone_name(local)}"


def local_day(moment: datetime, timezone: str) -> str:
    """"Tue 24 Nov 2026": the board's calendar date of a naive-UTC moment."""
    local = in_zone(moment, timezone)
    return f"{local:%a} {local.day} {local:%b %Y}"
