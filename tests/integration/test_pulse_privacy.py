"""Non-attribution of a pulse check against someone who reads the whole database, its logs and the audit key.

Five members answer a pulse, each with answers of their own. The reader has every row of every table (the outbox
and its job keys, the audit log, progress), in the order the rows are stored, which transaction wrote each row on
PostgreSQL (xmin), and the log lines. Two checks, on both databases:
- swapping who gave which answers leaves all of that exactly the same, so nothing in it can tell who said what;
- the joins that worked before (a recomputed pseudonym, an equal timestamp, a shared key) find nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from bot.clock import FixedClock
from bot.domain.audit import respondent_pseudonym
from bot.domain.events import Route
from bot.outbound.registry import effects_of
from bot.services import checklists, rounds
from storage.db import make_engine, session_factories
from storage.migrate import upgrade
from storage.uow import Database
from tests.conftest import BACKENDS, TEST_AUDIT_KEY, fresh_database_url
from tests.integration.test_boards import CHANNEL, TEAM, make_board
from tests.integration.test_proposals import CHAIR, NOW, seat

PEOPLE = ("UPRIV1", "UPRIV2", "UPRIV3", "UPRIV4", "UPRIV5")
PULSE = "pulse-check"
SAID = ("15243", "42315", "33333", "51155", "24411")  # one answer per statement, each person their own


def _answered(url: str, said: tuple[str, ...], caplog) -> tuple[list, int, list[str]]:
    """Run a pulse in a fresh database in which PEOPLE[n] answers said[n]; every stored row, the round, questions."""
    engine = make_engine(url)
    upgrade(engine, audit_key=TEST_AUDIT_KEY)
    db = Database(*session_factories(engine), audit_key=TEST_AUDIT_KEY, clock=FixedClock(NOW), effects=effects_of)
    try:
        make_board(db)
        seat(db, dict.fromkeys(PEOPLE, "member"))
        r, template, _ = rounds.open_round(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, template_id=PULSE,
                                           closes_at=NOW + timedelta(days=7), now=NOW)
        statements = [q.id for q in template.questions()]
        with caplog.at_level(logging.DEBUG):
            for n, (user, answers) in enumerate(zip(PEOPLE, said, strict=True)):
                at = NOW + timedelta(minutes=10 * n, seconds=n, microseconds=123 * n)
                checklists.start(db, team_id=TEAM, channel_id=CHANNEL, user_id=user, template_id=PULSE, now=at)
                checklists.answer_area(db, team_id=TEAM, round_id=r.id, user_id=user, now=at + timedelta(minutes=2),
                                       values=dict(zip(statements, answers, strict=True)),
                                       reply_to=Route(TEAM, user, None, f"https://hooks.example/{n}"))
            rounds.close_round(db, round_id=r.id, by=CHAIR, now=NOW + timedelta(hours=2), team_id=TEAM)
        return _every_row(engine), r.id, statements
    finally:
        engine.dispose()


def _every_row(engine) -> list[tuple[str, tuple]]:
    """Every row of every table in stored order; on PostgreSQL with which transaction wrote it (as a rank)."""
    postgres = engine.dialect.name == "postgresql"
    rows: list[tuple[str, tuple]] = []
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table == "alembic_version":
                continue
            query = (f'SELECT xmin::text::bigint AS tx, * FROM "{table}" ORDER BY ctid' if postgres
                     else f'SELECT 0 AS tx, * FROM "{table}" ORDER BY rowid')
            rows += [(table, tuple(row)) for row in conn.execute(text(query))]
    ranks = {tx: n for n, tx in enumerate(sorted({row[0] for _, row in rows}))}
    return [(table, (ranks[row[0]], *row[1:])) for table, row in rows]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


def test_the_stored_rows_are_the_same_whoever_gave_which_answers(backend, tmp_path, caplog):
    swapped = SAID[1:] + SAID[:1]
    urls = [fresh_database_url(backend, tmp_path) for _ in range(2)]
    try:
        first, _, _ = _answered(urls[0][0], SAID, caplog)
        second, _, _ = _answered(urls[1][0], swapped, caplog)
    finally:
        for _, drop in urls:
            drop()
    differ = sorted({table for (table, row) in set(first) ^ set(second)})
    assert first == second, f"who gave which answers shows in: {differ}"


def _cells(row: tuple) -> list[str]:
    return [c.isoformat() if isinstance(c, datetime) else str(c) for c in row[1:] if c is not None]


def test_no_key_timestamp_or_pseudonym_joins_an_answer_to_a_person(backend, tmp_path, caplog):
    url, drop = fresh_database_url(backend, tmp_path)
    try:
        rows, round_id, statements = _answered(url, SAID, caplog)
    finally:
        drop()
    values = {v for answers in SAID for v in answers}
    answer_rows = [_cells(row) for _, row in rows
                   if set(_cells(row)) & set(statements) and set(_cells(row)) & values]
    assert answer_rows, "the answers are stored somewhere"
    about_people = [" ".join(_cells(row)) for _, row in rows if any(p in " ".join(_cells(row)) for p in PEOPLE)]
    about_people += [f"{datetime.fromtimestamp(r.created).isoformat()} {r.getMessage()}" for r in caplog.records
                     if any(p in r.getMessage() for p in PEOPLE)]
    pseudonyms = {respondent_pseudonym(TEST_AUDIT_KEY, round_id, p) for p in PEOPLE}
    leaks = []
    for cells in answer_rows:
        leaks += [f"pseudonym {c}" for c in cells if c in pseudonyms]
        # a moment, key or id of 8 characters or more that an answer row shares with a row naming a person
        shared = {c for c in cells if len(c) >= 8 and c not in statements and any(c in row for row in about_people)}
        leaks += [f"shared {c}" for c in shared]
    assert leaks == []
