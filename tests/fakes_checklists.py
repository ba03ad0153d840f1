"""In-memory fake of the checklists' action repository (storage/checklists.py's ActionRepository).

Its state lives in the Store (as `store.checklists`), so the fake unit of work's copy-on-enter and copy-on-commit
cover it. Actions are frozen, so handing them out is as safe as the SQL version building new ones from rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.rounds import Action

if TYPE_CHECKING:
    from tests.fakes import Store

LISTED = 200  # the SQL list stops at this many rows


@dataclass
class ChecklistState:
    """The checklists' rows as the fake database holds them."""

    actions: dict[int, Action] = field(default_factory=dict)
    action_created: dict[int, datetime] = field(default_factory=dict)


def state_of(s: Store) -> ChecklistState:
    """The store's checklist state, made on first use (the fake unit of work copies the store's whole __dict__)."""
    found = getattr(s, "checklists", None)
    if found is None:
        found = s.checklists = ChecklistState()
    return found


class FakeActions:
    def __init__(self, s: Store):
        self.c = state_of(s)

    def add(self, a: Action, *, at: datetime) -> int:
        action_id = len(self.c.actions) + 1
        self.c.actions[action_id] = replace(a, id=action_id, done_at=None, done_by=None)
        self.c.action_created[action_id] = at
        return action_id

    def get(self, action_id: int, *, lock: bool = False) -> Action | None:
        return self.c.actions.get(action_id)

    def finish(self, action_id: int, *, by: str, at: datetime) -> None:
        if action_id in self.c.actions:
            self.c.actions[action_id] = replace(self.c.actions[action_id], done_at=at, done_by=by)

    def open_of(self, board_id: int) -> list[Action]:
        found = [a for a in self.c.actions.values() if a.board_id == board_id and a.done_at is None]
        return sorted(found, key=lambda a: (a.due_on, a.id))[:LISTED]

