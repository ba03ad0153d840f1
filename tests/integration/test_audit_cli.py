"""`collab-bot audit head` and `audit verify [--expect-head SEQ:HASH]` as an operator runs them (SQLite and
PostgreSQL)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.services import boards
from bot.services.audit import current_head
from storage.audit import read_events
from tests.conftest import TEST_AUDIT_KEY
from tests.integration.test_audit_keyed_chain import raw, with_history
from tests.integration.test_boards import CHAIR, CHANNEL, NOW, TEAM

REPO_ROOT = Path(__file__).resolve().parents[2]


def collab_bot(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """`python -m bot.cli` with only `settings` in its environment."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO_ROOT), **settings}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def audit(database_url, tmp_path):
    """Run `collab-bot audit ...` against the test database with the test key."""
    return lambda *args: collab_bot(tmp_path, "audit", *args, DATABASE_URL=database_url,
                                    COLLAB_AUDIT_KEY=TEST_AUDIT_KEY.hex())


def test_audit_head_prints_seq_and_hash_alone_on_stdout_with_guidance_on_stderr(db, audit):
    with_history(db)
    result = audit("head")
    assert result.returncode == 0, result.stderr
    seq, digest = current_head(db)
    assert result.stdout == f"{seq}:{digest}\n"
    assert f"--expect-head {seq}:{digest}" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_cut_tail_passes_plain_verify_but_fails_against_the_saved_head(db, database_url, audit):
    with_history(db)
    saved = audit("head").stdout.strip()
    with db.read() as uow:
        kept = [e for e in read_events(uow.session) if e.seq == 3][0]
    raw(database_url, ("DELETE FROM audit_events WHERE seq > 3", {}),
        ("UPDATE audit_head SET seq = 3, hash = :hash", {"hash": kept.hash}))
    plain = audit("verify")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    checked = audit("verify", "--expect-head", saved)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0].startswith("audit chain broken at event 4: the head you saved is event 5")
    assert "Traceback" not in checked.stderr


def test_verify_against_a_head_that_still_holds_passes(db, audit):
    with_history(db)
    saved = audit("head").stdout.strip()
    result = audit("verify", "--expect-head", saved)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "including event 5 with the hash you saved" in result.stdout


@pytest.mark.parametrize("value", ["5", "5:xyz", "five:" + "a" * 64])
def test_a_malformed_expected_head_is_one_line_and_exit_2(db, audit, value):
    result = audit("verify", "--expect-head", value)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("collab-bot: ") and "SEQ:HASH" in lines[0]


def test_verify_prints_each_differing_row_on_its_own_line_and_exits_1(db, audit):
    with_history(db)
    with db.uow() as uow:
        uow.session.execute(text("UPDATE members SET role = 'member'"))
        uow.commit()
    result = audit("verify")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("audit chain intact")
    assert lines[1].startswith("members: board ") and lines[1].endswith(
        "user UCHAIR: the table says member for Leeds Teaching Hospitals, the log says chair for Leeds Teaching "
        "Hospitals")
    assert lines[-1] == "the tables differ from the audit log in 1 row(s)"


def test_verify_with_the_wrong_key_says_the_key_may_be_wrong(db, database_url, tmp_path):
    with_history(db)
    result = collab_bot(tmp_path, "audit", "verify", DATABASE_URL=database_url, COLLAB_AUDIT_KEY="ab" * 32)
    assert result.returncode == 1
    assert "broken at event 1" in result.stdout and "not the key the log was written with" in result.stdout


def test_postgresql_without_a_key_exits_2_with_one_line(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file keeps its key beside it")
    for args in (("db", "upgrade"), ("audit", "verify"), ("audit", "head")):
        result = collab_bot(tmp_path, *args, DATABASE_URL=database_url)
        assert result.returncode == 2
        assert result.stderr.strip() == ("collab-bot: COLLAB_AUDIT_KEY is not set; every instance sharing a "
                                         "PostgreSQL database needs the same key (e.g. from `openssl rand -hex 32`)")


def test_a_cut_tail_fails_against_the_last_head_cron_appended_to_a_file(db, database_url, audit, tmp_path):
    with_history(db)
    heads = tmp_path / "audit-heads.txt"
    first = audit("head", "--append-to", str(heads))
    assert first.returncode == 0 and first.stderr == ""
    boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Calderdale Council", now=NOW)
    audit("head", "--append-to", str(heads))
    seq, digest = current_head(db)
    lines = heads.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and re.fullmatch(rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 {seq}:{digest}", lines[1])
    assert audit("verify", "--expect-head-file", str(heads)).returncode == 0
    with db.read() as uow:
        kept = [e for e in read_events(uow.session) if e.seq == seq - 1][0]
    raw(database_url, ("DELETE FROM audit_events WHERE seq = :s", {"s": seq}),
        ("UPDATE audit_head SET seq = :seq, hash = :hash", {"seq": kept.seq, "hash": kept.hash}))
    checked = audit("verify", "--expect-head-file", str(heads))
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0].startswith(
        f"audit chain broken at event {seq}: the head you saved is event {seq}, but the log now ends at event "
        f"{seq - 1}: events were removed")


@pytest.mark.parametrize("content", [None, "", "2026-12-01T00:00:00+00:00 not-a-head\n"])
def test_an_unusable_head_file_is_one_line_and_exit_2(db, audit, tmp_path, content):
    heads = tmp_path / "audit-heads.txt"
    if content is not None:
        heads.write_text(content, encoding="utf-8")
    result = audit("verify", "--expect-head-file", str(heads))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("collab-bot: ") and str(heads) in lines[0]


def test_a_forged_event_is_one_line_in_verify_and_exit_1_never_a_traceback(db, audit):
    with_history(db)
    with db.uow() as uow:  # someone holding the key writes an event the bot never would
        forged = uow.audit.append(actor="UEVIL", action="member.added", payload={}, at=NOW)
        uow.commit()
    result = audit("verify")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"event {forged.seq} member.added: missing fields board_id, user, organisation, role" in \
        result.stdout.splitlines()


def test_a_head_file_that_cannot_be_written_is_one_line(db, audit, tmp_path):
    result = audit("head", "--append-to", str(tmp_path / "no" / "such" / "folder" / "heads"))
    assert result.returncode == 1 and result.stderr.startswith("collab-bot: cannot append the head to ")
    assert len(result.stderr.splitlines()) == 1
