"""`collab-bot checklist validate` and `checklist load`, run as a process: ok, every problem, an unreadable file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import AuditEventRow
from tests.conftest import TEST_AUDIT_KEY
from tests.integration.test_audit_cli import collab_bot
from tests.integration.test_boards import CHAIR, make_board
from tests.unit.test_checklist_templates import REPO_ROOT, fixture, problems


def test_validate_says_ok_with_the_title_version_and_size_and_exits_0(cli):
    path = REPO_ROOT / "prompts" / "checklists" / "board_diagnostic.yaml"
    result = cli("checklist", "validate", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{path}: ok (Board diagnostic for collaborative working, version 1: 6 areas, " \
                            "27 questions)\n"


def test_validate_prints_every_problem_and_exits_1(cli):
    path = fixture("many_errors")
    result = cli("checklist", "validate", str(path))
    assert result.returncode == 1
    *lines, summary = result.stdout.splitlines()
    assert lines == problems(path)
    assert summary == f"{path}: not valid ({len(lines)} problems)"


def test_validate_exits_2_with_one_line_when_the_file_cannot_be_read(cli, tmp_path):
    result = cli("checklist", "validate", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"collab-bot: {tmp_path / 'missing.yaml'}: there is no such file\n"


@pytest.fixture
def load(database_url, tmp_path):
    """Run `collab-bot checklist load ...` against the test database with the test key."""
    return lambda *args: collab_bot(tmp_path, "checklist", "load", *args, DATABASE_URL=database_url,
                                    COLLAB_AUDIT_KEY=TEST_AUDIT_KEY.hex())


def own_version_of(tmp_path, version: int) -> Path:
    """The shipped pulse check, as a board's own version `version` with one statement reworded."""
    text = (REPO_ROOT / "prompts" / "checklists" / "pulse_check.yaml").read_text()
    path = tmp_path / f"pulse-v{version}.yaml"
    path.write_text(text.replace("version: 1", f"version: {version}", 1))
    return path


def test_load_gives_a_board_its_own_version_once_and_audits_it(db, load, tmp_path):
    make_board(db)
    path = own_version_of(tmp_path, 2)
    first = load(str(path), "--board", "North Finance Network", "--by", CHAIR)
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == (f"North Finance Network now runs Pulse check on how we work together, version 2, "
                            f"from {path}\n")
    again = load(str(path), "--board", "North Finance Network", "--by", CHAIR)
    assert (again.returncode, again.stdout) == (1, "")
    assert again.stderr == ("collab-bot: North Finance Network already has version 2 of pulse-check; raise the "
                            "version number to load a changed template.\n")
    with db.read() as uow:
        loaded = uow.session.execute(select(AuditEventRow.payload).where(AuditEventRow.action == "checklist.loaded"))
        assert [json.loads(row.payload) for row in loaded] == [{"board_id": 1, "template": "pulse-check", "version": 2}]


def test_load_onto_a_board_that_does_not_exist_says_so_in_one_plain_line(db, load, tmp_path):
    make_board(db)
    result = load(str(own_version_of(tmp_path, 2)), "--board", "No Such Board")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "collab-bot: No single board is called 'No Such Board' (0 found).\n"


def test_load_of_a_broken_file_loads_nothing_and_lists_its_problems(db, load):
    make_board(db)
    path = fixture("many_errors")
    result = load(str(path), "--board", "North Finance Network")
    assert result.returncode == 1
    *lines, summary = result.stdout.splitlines()
    assert lines == problems(path) and summary == f"{path}: not loaded"
