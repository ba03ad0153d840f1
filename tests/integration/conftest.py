"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from tests.integration.test_cli import run_cli


@pytest.fixture
def cli(tmp_path):
    """Run `python -m bot.cli` in tmp_path with no inherited Slack or database settings."""
    return lambda *args, **settings: run_cli(tmp_path, *args, **settings)
