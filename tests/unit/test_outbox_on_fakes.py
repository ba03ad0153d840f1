"""The outbox's rules (tests/integration/test_outbox.py) hold on the in-memory fake as on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.fakes import FakeDatabase
from tests.integration import test_outbox as rules
from tests.integration.test_dispatch_fakes import T0


@pytest.fixture
def db() -> FakeDatabase:
    """The fake database in place of the migrated one: the rules below run on it unchanged."""
    return FakeDatabase(T0)


globals().update({name: rule for name, rule in vars(rules).items() if name.startswith("test_")})
