"""A transaction PostgreSQL picks as a deadlock's victim runs once more; nothing else is retried."""

from __future__ import annotations

import pytest
from psycopg import errors
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from bot.services.uow import once_more_on_deadlock
from storage.retry import is_deadlock
from storage.uow import Database

DB = Database(sessionmaker(), sessionmaker(), audit_key=b"k" * 32)  # never connects: only asked about errors


def failing(*causes: Exception):
    """A transaction that raises each of `causes` (as SQLAlchemy wraps them) in turn, then returns how many
    times it ran."""
    runs = []

    @once_more_on_deadlock
    def work(db: Database) -> int:
        runs.append(1)
        if len(runs) <= len(causes):
            raise OperationalError("UPDATE proposals ...", {}, causes[len(runs) - 1])
        return len(runs)

    return lambda: work(DB)


def test_a_deadlock_victim_runs_once_more():
    assert failing(errors.DeadlockDetected("deadlock detected"))() == 2
    assert failing(errors.SerializationFailure("could not serialize access"))() == 2


def test_a_second_deadlock_is_raised_not_retried_again():
    with pytest.raises(OperationalError) as raised:
        failing(errors.DeadlockDetected("one"), errors.DeadlockDetected("two"))()
    assert is_deadlock(raised.value) and "two" in str(raised.value)


def test_a_lock_timeout_is_not_a_deadlock_and_is_raised_at_once():
    with pytest.raises(OperationalError) as raised:
        failing(errors.LockNotAvailable("canceling statement due to lock timeout"))()
    assert not is_deadlock(raised.value)
