"""The in-memory fakes and the SQL repositories implement the same declared repositories, method for method."""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import get_type_hints

import pytest
from sqlalchemy.orm import sessionmaker

import storage.uow
from bot.clock import FixedClock
from bot.services import uow as services_uow
from bot.services.repositories import People
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork, Store

NOW = datetime(2026, 12, 1, 9, 0)
DECLARED = {name: port for name, port in get_type_hints(AbstractUnitOfWork, vars(services_uow)).items()
            if inspect.isclass(port) and inspect.isabstract(port)}


def public(cls: type) -> dict[str, list[tuple[str, inspect._ParameterKind]]]:
    """Each public method's parameters: name and kind (positional or keyword-only)."""
    return {name: [(p.name, p.kind) for p in inspect.signature(member).parameters.values()]
            for name, member in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def real_uow() -> storage.uow.UnitOfWork:
    """The SQL unit of work, entered: its session is never used, so no database is needed."""
    return storage.uow.UnitOfWork(sessionmaker(), audit_key=b"k" * 32, clock=FixedClock(NOW)).__enter__()


def repositories() -> list[tuple[str, type, type, type]]:
    """(attribute, declared type, SQL class, fake class) for every repository the unit of work declares."""
    real, fake = real_uow(), FakeUnitOfWork(Store(), clock=FixedClock(NOW)).__enter__()
    return [(name, port, type(getattr(real, name)), type(getattr(fake, name))) for name, port in DECLARED.items()]


def test_the_unit_of_work_declares_every_repository_it_holds():
    assert len(DECLARED) == 22
    held = {name for name in vars(real_uow()) if not name.startswith("_")} - {"session", "clock", "events"}
    assert held == set(DECLARED)


@pytest.mark.parametrize(("name", "port", "real", "fake"), repositories(), ids=list(DECLARED))
def test_the_sql_and_fake_repository_implement_the_declared_one(name, port, real, fake):
    for cls in (real, fake):
        assert issubclass(cls, port) and not inspect.isabstract(cls), cls
    assert public(real) == public(port), f"storage's {real.__name__} differs from {port.__name__}"
    assert public(fake) == public(port), f"{fake.__name__} differs from {port.__name__}"


def test_the_sql_and_fake_database_implement_the_declared_one():
    declared = public(AbstractDatabase)
    for cls in (storage.uow.Database, FakeDatabase):
        assert issubclass(cls, AbstractDatabase) and not inspect.isabstract(cls)
        assert {name: found for name, found in public(cls).items() if name in declared} == declared


def test_a_fake_missing_a_method_fails_when_it_is_built():
    class ForgetfulPeople(People):
        def names(self, team_id: str, user_ids: list[str], *, fresh_since: datetime) -> dict[str, str]:
            return {}

    with pytest.raises(TypeError, match="remember"):
        ForgetfulPeople()
