"""`collab-bot checklist validate`, run as a process: ok, every problem, and an unreadable file."""

from __future__ import annotations

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
