"""A service transaction its database says was a deadlock's victim runs once more; nothing else is retried."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services.uow import once_more_on_deadlock
from tests.fakes import FakeDatabase


class Victim(Exception):
    """What this test's database calls a deadlock."""


class Deadlocking(FakeDatabase):
    def is_deadlock(self, error: BaseException) -> bool:
        return isinstance(error, Victim)


def failing(*errors: Exception):
    """A service that raises each of `errors` in turn, then returns how many times it ran."""
    runs = []

    @once_more_on_deadlock
    def service(db, *, actor: str) -> int:
        runs.append(actor)
        if len(runs) <= len(errors):
            raise errors[len(runs) - 1]
        return len(runs)

    return service


def test_a_deadlock_victim_runs_once_more_whether_db_is_passed_by_position_or_name():
    db = Deadlocking(datetime(2026, 12, 1))
    assert failing(Victim())(db, actor="U1") == 2
    assert failing(Victim())(db=db, actor="U1") == 2


def test_a_second_deadlock_is_raised_not_retried_again():
    with pytest.raises(Victim, match="two"):
        failing(Victim("one"), Victim("two"))(Deadlocking(datetime(2026, 12, 1)), actor="U1")


def test_any_other_error_is_raised_at_once():
    with pytest.raises(ValueError):
        failing(ValueError("no"))(Deadlocking(datetime(2026, 12, 1)), actor="U1")
