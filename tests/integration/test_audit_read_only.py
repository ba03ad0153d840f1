"""Commands that only read (`audit`, `export`, `authority export` and `authority import --dry-run`) never make an
audit key and never migrate: a missing key file or an older schema is one line saying what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS, TEST_AUDIT_KEY, fresh_database_url
from tests.integration.test_audit_cli import collab_bot

BOARD = ("--board", "North Finance Network")
READERS = [("audit", "verify"), ("audit", "head"), ("export", "decisions", *BOARD), ("export", "checklist", *BOARD),
           ("export", "actions", *BOARD), ("authority", "export"), ("authority", "import", "--dry-run", "scheme.csv")]
OLDER = "0008"


@pytest.fixture
def sqlite_without_key(tmp_path) -> tuple[str, Path]:
    """A migrated SQLite file whose key file beside it has been lost."""
    url = f"sqlite:///{tmp_path}/collab-bot.db"
    engine = make_engine(url)
    upgrade(engine, audit_key=TEST_AUDIT_KEY)
    engine.dispose()
    (tmp_path / "scheme.csv").write_text("organisation,user,category,limit,valid_from\n", encoding="utf-8")
    return url, tmp_path / "collab-bot.key"


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_reader_without_its_key_file_says_the_key_is_missing_and_makes_none(sqlite_without_key, tmp_path, args):
    url, key = sqlite_without_key
    result = collab_bot(tmp_path, *args, DATABASE_URL=url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (f"collab-bot: the audit key file {key} is missing; restore it from your copy or set "
                             "COLLAB_AUDIT_KEY\n")
    assert result.stdout == "" and not key.exists()


def test_db_upgrade_still_makes_the_key_of_a_new_database(tmp_path):
    result = collab_bot(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path}/collab-bot.db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "collab-bot.key").is_file()


@pytest.fixture(params=BACKENDS)
def older_schema(request, tmp_path):
    """A database at an older revision than this collab-bot's newest."""
    url, drop = fresh_database_url(request.param, tmp_path)
    command.upgrade(alembic_config(url), OLDER)
    (tmp_path / "scheme.csv").write_text("organisation,user,category,limit,valid_from\n", encoding="utf-8")
    yield url
    drop()


def _revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return found


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_reader_leaves_an_older_schema_as_it_is_and_says_to_run_db_upgrade(older_schema, tmp_path, args):
    result = collab_bot(tmp_path, *args, DATABASE_URL=older_schema, COLLAB_AUDIT_KEY=TEST_AUDIT_KEY.hex())
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "is at an older schema than this collab-bot; run `collab-bot db upgrade`" in lines[0]
    assert _revision(older_schema) == OLDER
