"""A board's open actions as CSV for board papers: what, who, when due (board's calendar) and how late."""

from __future__ import annotations

from typing import TextIO

from bot.domain.rounds import Action
from prompts.csv_export import uk_date, write_csv

COLUMNS = ["Action", "Owner", "Due", "Due (ISO 8601)", "Days until due", "Status"]


def action_row(action: Action, today, names: dict[str, str]) -> dict[str, str]:
    """One open action; "Days until due" is negative once it is overdue."""
    owner = names.get(action.owner)
    return {
        "Action": action.title, "Owner": f"{owner} ({action.owner})" if owner else action.owner,
        "Due": uk_date(action.due_on), "Due (ISO 8601)": action.due_on.isoformat(),
        "Days until due": str((action.due_on - today).days),
        "Status": "overdue" if action.overdue(today) else "open",
    }


def write_actions_csv(actions: list[Action], today, out: TextIO, names: dict[str, str] | None = None) -> None:
    """Write the actions, soonest due first, with a header row."""
    write_csv(out, COLUMNS, (action_row(a, today, names or {}) for a in actions))
