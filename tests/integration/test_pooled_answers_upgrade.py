"""Upgrading a database whose pulse answers sit under pseudonyms (SQLite and PostgreSQL): they are pooled into
counts, their notes and the link to any pseudonym dropped, and a downgrade deals the counts out to no one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import alembic_config
from tests.conftest import BACKENDS, fresh_database_url

AT = datetime(2026, 6, 1, 9, 41, 7, 123456)
ANSWERS = (("p-aaa", "q1", "4"), ("p-aaa", "q2", "2"), ("p-bbb", "q1", "4"), ("p-bbb", "q2", None),
           ("UATTRIB", "q1", "yes"))


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> Iterator[str]:
    """A database at 0009 with a round answered by two pseudonyms (one also began and gave nothing) and one id."""
    url, drop = fresh_database_url(request.param, tmp_path)
    command.upgrade(alembic_config(url), "0009")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO workspaces (id, team_id, created_at) VALUES (1, 'T1', :at)"), {"at": AT})
        conn.execute(text(
            "INSERT INTO boards (id, workspace_id, name, kind, collaboration_type, channel_id, timezone, "
            "default_rule, created_by, created_at, digest_weekday, digest_at, reminder_hours, skip_holidays) VALUES "
            "(1, 1, 'B', 'peer_network', 'informal', 'C1', 'Europe/London', 'consensus', 'U1', :at, 0, '09:00', "
            "24, true)"), {"at": AT})
        conn.execute(text("INSERT INTO checklist_rounds (id, board_id, template_id, version, personal, opened_by, "
                          "opened_at) VALUES (1, 1, 'pulse-check', 1, false, 'U1', :at)"), {"at": AT})
        for who in ("p-aaa", "p-bbb", "p-ccc", "UATTRIB"):
            conn.execute(text("INSERT INTO checklist_responses (round_id, respondent, started_at) "
                              "VALUES (1, :who, :at)"), {"who": who, "at": AT})
        for who, question, value in ANSWERS:
            conn.execute(text("INSERT INTO checklist_answers (round_id, respondent, question_id, value, note, "
                              "evidence, answered_at) VALUES (1, :who, :q, :v, 'in confidence', '', :at)"),
                         {"who": who, "q": question, "v": value, "at": AT})
    engine.dispose()
    yield url
    drop()


def rows(url: str, query: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(str(c)[:19] if isinstance(c, datetime | str) else c for c in r)
                    for r in conn.execute(text(query))]
    finally:
        engine.dispose()


def test_pseudonymous_answers_become_counts_and_their_respondents_are_kept_to_the_day(url):
    command.upgrade(alembic_config(url), "head")
    assert rows(url, "SELECT question_id, value, count FROM checklist_tallies ORDER BY question_id, value") == [
        ("q1", "4", 2), ("q2", "2", 1)]
    assert rows(url, "SELECT respondent, value, note FROM checklist_answers") == [("UATTRIB", "yes", "in confidence")]
    day = "2026-06-01 00:00:00"
    assert rows(url, "SELECT respondent, started_at, finished_at FROM checklist_responses WHERE respondent LIKE "
                     "'p-%' ORDER BY respondent") == [("p-aaa", day, day), ("p-bbb", day, day)], \
        "those who answered count as having sent it; one who gave nothing is dropped"


def test_a_downgrade_deals_the_counts_out_to_stand_ins_who_are_no_one(url):
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "0009")
    assert rows(url, "SELECT respondent, question_id, value FROM checklist_answers WHERE respondent LIKE 'p-%' "
                     "ORDER BY question_id, respondent") == [
        ("p-pooled-1", "q1", "4"), ("p-pooled-2", "q1", "4"), ("p-pooled-1", "q2", "2")]
