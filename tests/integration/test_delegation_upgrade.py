"""Upgrading a database with boards and votes to delegated authority (SQLite and PostgreSQL): organisations get
a type, and every vote its organisation's id, found by name in its own workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import alembic_config
from tests.conftest import BACKENDS, fresh_database_url

AT = datetime(2026, 6, 1, 9, 0)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> Iterator[str]:
    """A database at revision 0007 holding two workspaces that both have an organisation called Leeds."""
    url, drop = fresh_database_url(request.param, tmp_path)
    command.upgrade(alembic_config(url), "0007")
    engine = make_engine(url)
    with engine.begin() as conn:
        for n, team in ((1, "T1"), (2, "T2")):
            conn.execute(text("INSERT INTO workspaces (id, team_id, created_at) VALUES (:n, :team, :at)"),
                         {"n": n, "team": team, "at": AT})
            conn.execute(text("INSERT INTO organisations (id, workspace_id, name, name_key, created_by, created_at) "
                              "VALUES (:n, :n, 'Leeds', 'leeds', 'U1', :at)"), {"n": n, "at": AT})
        board = conn.execute(text("SELECT * FROM boards")).keys()
        values = {"id": 1, "workspace_id": 2, "name": "B", "kind": "peer_network", "collaboration_type": "informal",
                  "channel_id": "C1", "timezone": "Europe/London", "default_rule": "consensus", "created_by": "U1",
                  "created_at": AT, "digest_weekday": 0, "digest_at": "09:00", "reminder_hours": 24,
                  "skip_holidays": True}
        columns = [c for c in board if c in values]
        conn.execute(text(f"INSERT INTO boards ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                     {c: values[c] for c in columns})
        conn.execute(text(
            "INSERT INTO proposals (id, board_id, request_key, title, description, category, rule, threshold, quorum, "
            "secret, hide_results, per_organisation, proposer, channel_id, status, outcome_reasons, opened_at, "
            "closes_at) VALUES (1, 1, 'k', 'T', '', 'finance', 'consensus', '2/3', '1/2', false, false, false, 'U1', "
            "'C1', 'open', '', :at, :at)"), {"at": AT})
        conn.execute(text("INSERT INTO votes (proposal_id, user_id, organisation, position, reason, first_at, "
                          "updated_at) VALUES (1, 'U1', 'Leeds', 'agree', '', :at, :at)"), {"at": AT})
    engine.dispose()
    yield url
    drop()


def test_each_vote_gets_the_id_of_its_organisation_in_its_own_workspace(url):
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT organisation_id FROM votes")).scalar_one() == 2
        assert set(conn.execute(text("SELECT kind FROM organisations")).scalars()) == {"other"}
    engine.dispose()


def test_the_upgrade_can_be_undone(url):
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "0007")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT organisation FROM votes")).scalar_one() == "Leeds"
    engine.dispose()
