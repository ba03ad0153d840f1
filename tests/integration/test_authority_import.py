"""`collab-bot authority import` and `authority export` as an operator runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.services import boards
from bot.services.audit import verify_audit
from storage.models import AuditEventRow
from storage.models_delegation import AuthorityRow
from tests.conftest import TEST_AUDIT_KEY
from tests.integration.test_audit_cli import collab_bot
from tests.integration.test_boards import CHAIR, CHANNEL, NOW, TEAM, count, make_board

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADER = "organisation,user,category,limit,valid_from,valid_until,granted_by\n"
# Line number -> what the message about it must say, for the ten rows planted wrong in scheme_ten_errors.csv.
PLANTED = {
    3: 'unknown organisation "Leeds Teaching Hosptials"',
    5: "U0NOBODY9 is not on any board for Wakefield Council",
    6: 'unknown category "capital spend"',
    8: 'limit "lots" does not work for finance',
    9: 'valid_from "01/04/2027" is not a date',
    10: "valid_until 2026-03-31 is before valid_from 2027-04-01",
    11: "repeats row 2 (same organisation, user, category and valid_from)",
    12: "dates overlap row 4 (from 2027-04-01, open-ended)",
    13: "missing limit, valid_from",
    14: 'user "@wake02" is not a Slack user id',
}


@pytest.fixture
def scheme_db(db):
    """Three organisations on two boards of one workspace; U0KIRK02 sits only on the second board."""
    make_board(db)
    for name in ("Wakefield Council", "Kirklees Council"):
        boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name=name, now=NOW)
    for user, org in (("U0LEEDS01", "Leeds Teaching Hospitals"), ("U0WAKE01", "Wakefield Council"),
                      ("U0WAKE02", "Wakefield Council"), ("U0KIRK01", "Kirklees Council")):
        boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=user, organisation=org,
                          role=Role.MEMBER, now=NOW)
    make_board(db, channel="C2", actor="UCHAIR2", name="West Yorkshire Partnership Board")
    boards.add_member(db, team_id=TEAM, channel_id="C2", actor="UCHAIR2", user_id="U0KIRK02",
                      organisation="Kirklees Council", role=Role.MEMBER, now=NOW)
    return db


@pytest.fixture
def authority(database_url, tmp_path):
    """Run `collab-bot authority ...` against the test database with the test key."""
    return lambda *args: collab_bot(tmp_path, "authority", *args, DATABASE_URL=database_url,
                                    COLLAB_AUDIT_KEY=TEST_AUDIT_KEY.hex())


def authorities(db) -> list[AuthorityRow]:
    with db.read() as uow:
        rows = uow.session.execute(select(AuthorityRow).order_by(AuthorityRow.id)).scalars().all()
        uow.session.expunge_all()
        return rows


def imported_events(db) -> list[dict]:
    with db.read() as uow:
        payloads = uow.session.execute(select(AuditEventRow.payload).where(
            AuditEventRow.action == "authority.set").order_by(AuditEventRow.seq)).scalars()
        return [json.loads(p) for p in payloads]


def test_the_dry_run_finds_every_planted_error_and_writes_nothing(scheme_db, authority):
    events = count(scheme_db, AuditEventRow)
    result = authority("import", str(FIXTURES / "scheme_ten_errors.csv"), "--by", CHAIR, "--dry-run")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(PLANTED) + 1
    for line, (number, reason) in zip(lines, PLANTED.items(), strict=False):
        assert line.startswith(f"row {number}: ") and reason in line, (number, line)
    assert lines[-1] == "10 problems in 15 rows; nothing was written."
    assert result.stderr == ""
    assert count(scheme_db, AuthorityRow) == 0 and count(scheme_db, AuditEventRow) == events


def test_a_file_with_errors_writes_nothing_even_without_dry_run(scheme_db, authority):
    events = count(scheme_db, AuditEventRow)
    result = authority("import", str(FIXTURES / "scheme_ten_errors.csv"), "--by", CHAIR)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "10 problems in 15 rows; nothing was written."
    assert count(scheme_db, AuthorityRow) == 0 and count(scheme_db, AuditEventRow) == events


def test_a_good_file_dry_run_says_what_it_would_do_and_writes_nothing(scheme_db, authority):
    result = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("row 2: Leeds Teaching Hospitals, U0LEEDS01, finance: up to £250,000 from 2027-04-01 "
                        "until 2028-03-31, granted by UCHAIR")
    assert lines[-1] == "would set 9 limits for 6 people in 3 organisations (dry run: nothing was written)"
    assert count(scheme_db, AuthorityRow) == 0


def test_the_import_writes_every_row_with_who_granted_it_and_an_audit_event_each(scheme_db, authority):
    result = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "set 9 limits for 6 people in 3 organisations\n"
    rows = authorities(scheme_db)
    assert [(r.user_id, r.category, r.amount_pence, r.unlimited, r.allowed, r.version, r.granted_by)
            for r in rows] == [
        ("U0LEEDS01", "finance", 25_000_000, False, False, 1, CHAIR),
        ("U0LEEDS01", "finance", 30_000_000, False, False, 2, CHAIR),
        ("U0LEEDS01", "service_change", None, False, True, 1, CHAIR),
        ("UCHAIR", "finance", 120_000_000, False, False, 1, "UCHAIR2"),  # another board's chair
        ("U0WAKE01", "finance", None, True, False, 1, CHAIR),  # granted_by from --by
        ("U0WAKE01", "data_sharing", None, False, False, 1, CHAIR),
        ("U0WAKE02", "finance", None, False, False, 1, CHAIR),
        ("U0KIRK01", "procurement", None, False, True, 1, CHAIR),
        ("U0KIRK02", "finance", 5_000_000, False, False, 1, CHAIR),
    ]
    assert rows[0].valid_until == date(2028, 3, 31) and rows[1].valid_until is None
    assert all(r.superseded_at is None and r.granted_at is not None for r in rows)
    events = imported_events(scheme_db)
    assert len(events) == 9 and all(e["source"] == "import" for e in events)
    assert events[0] == {"team": TEAM, "user": "U0LEEDS01", "organisation": "Leeds Teaching Hospitals",
                         "organisation_id": 1, "category": "finance", "limit": "up to £250,000",
                         "valid_from": "2027-04-01", "valid_until": "2028-03-31", "version": 1, "source": "import"}
    assert events[6]["organisation"] == "Wakefield Council"  # the name as registered, not as typed
    assert verify_audit(scheme_db).broken is None


def test_importing_a_later_period_supersedes_the_old_version_and_keeps_it_in_force_until_then(
        scheme_db, authority, tmp_path):
    assert authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR).returncode == 0
    later = tmp_path / "later.csv"
    later.write_text(HEADER + "Wakefield Council,U0WAKE01,finance,1m,2027-10-01,,UCHAIR\n", encoding="utf-8")
    result = authority("import", str(later))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "set 1 limit for 1 person in 1 organisation\n"
    versions = [r for r in authorities(scheme_db) if (r.user_id, r.category) == ("U0WAKE01", "finance")]
    assert [(v.version, v.unlimited, v.amount_pence, str(v.valid_from), str(v.valid_until)) for v in versions] == [
        (1, True, None, "2027-04-01", "None"), (2, True, None, "2027-04-01", "2027-09-30"),
        (3, False, 100_000_000, "2027-10-01", "None")]
    assert [v.superseded_at is not None for v in versions] == [True, False, False]
    assert imported_events(scheme_db)[-1]["version"] == 3


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_export_round_trips_through_import(scheme_db, authority, tmp_path, fmt):
    assert authority("import", str(FIXTURES / f"scheme_good.{fmt}"), "--by", CHAIR).returncode == 0
    first = authority("export", "--format", fmt)
    assert first.returncode == 0, first.stderr
    exported = tmp_path / f"exported.{fmt}"
    exported.write_text(first.stdout, encoding="utf-8")
    again = authority("import", str(exported))
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == "set 9 limits for 6 people in 3 organisations\n"
    assert authority("export", "--format", fmt).stdout == first.stdout
    every = authorities(scheme_db)
    assert len(every) == 18 and sum(r.superseded_at is None for r in every) == 9  # each row once more, as new versions


def test_the_csv_export_is_the_import_format(scheme_db, authority, tmp_path):
    assert authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR).returncode == 0
    out = tmp_path / "scheme.csv"
    result = authority("export", "--output", str(out))
    assert result.returncode == 0 and result.stdout == f"wrote 9 limits to {out}\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] + "\n" == "\ufeff" + HEADER, "UTF-8 with a byte-order mark, for spreadsheets"
    assert "Kirklees Council,U0KIRK01,procurement,yes,2027-04-01,,UCHAIR" in lines
    assert 'Leeds Teaching Hospitals,U0LEEDS01,finance,"£300,000",2028-04-01,,UCHAIR' in lines
    assert "Wakefield Council,U0WAKE01,finance,unlimited,2027-04-01,,UCHAIR" in lines
    assert "Wakefield Council,U0WAKE02,finance,none,2027-04-01,2027-09-30,UCHAIR" in lines
    yaml_out = tmp_path / "scheme.yml"
    assert authority("export", "--output", str(yaml_out)).returncode == 0
    assert yaml_out.read_text(encoding="utf-8").startswith("- organisation: Kirklees Council\n")


def test_yaml_problems_are_numbered_by_item(scheme_db, authority, tmp_path):
    broken = tmp_path / "scheme.yaml"
    broken.write_text("- {organisation: Kirklees Council, user: U0KIRK01, category: estates, limit: yes,"
                      " valid_from: 2027-04-01, granted_by: UCHAIR}\n"
                      "- {organisation: Kirklees Council, category: estates, limit: maybe, valid_from: 2027-04-01,"
                      " valid_untill: 2028-03-31}\n"
                      "- {organisation: Kirklees Council, user: U0KIRK01, category: finance, limit: 5k,"
                      " valid_from: 2027-02-30, granted_by: UCHAIR}\n", encoding="utf-8")
    result = authority("import", str(broken))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        'row 2: unknown key "valid_untill" (the keys are organisation, user, category, limit, valid_from, '
        'valid_until, granted_by); missing user; limit "maybe" does not work for estates: for this category, '
        "say yes or no; no granted_by: give it in the file or with --by",
        'row 3: valid_from "2027-02-30" is not a date: give YYYY-MM-DD, for example 2027-04-01',
        "5 problems in 3 rows; nothing was written."]
    assert count(scheme_db, AuthorityRow) == 0


def test_only_a_chair_or_secretary_of_a_board_the_organisation_sits_on_may_grant(scheme_db, authority, tmp_path):
    rows = tmp_path / "grants.csv"
    rows.write_text(HEADER + "Wakefield Council,U0WAKE01,finance,5m,2027-04-01,,U0NOBODY9\n"
                    "Wakefield Council,U0WAKE02,finance,5m,2027-04-01,,U0WAKE01\n"
                    "Kirklees Council,U0KIRK02,finance,5k,2027-04-01,,UCHAIR2\n"
                    "Wakefield Council,U0WAKE02,estates,yes,2027-04-01,,UCHAIR2\n", encoding="utf-8")
    result = authority("import", str(rows))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "row 2: granted_by U0NOBODY9 is not the chair or secretary of a board Wakefield Council sits on, so "
        "cannot grant its authority",
        "row 3: granted_by U0WAKE01 is not the chair or secretary of a board Wakefield Council sits on, so "
        "cannot grant its authority",
        "row 5: granted_by UCHAIR2 is not the chair or secretary of a board Wakefield Council sits on, so "
        "cannot grant its authority",
        "3 problems in 4 rows; nothing was written."]
    assert count(scheme_db, AuthorityRow) == 0


def test_a_by_operator_who_manages_no_board_is_refused_before_any_row(scheme_db, authority):
    result = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", "U0WAKE01", "--dry-run")
    assert result.returncode == 2
    assert result.stderr.strip() == ("collab-bot: --by U0WAKE01 is not the chair or secretary of any board in this "
                                     "workspace; only they may grant authority")


@pytest.mark.parametrize(("name", "content", "says"), [
    ("absent.csv", None, "there is no file"),
    ("utf16.csv", HEADER.encode("utf-16"), "is UTF-16 text; save it as CSV UTF-8"),
    ("binary.csv", HEADER.encode() + b"Wakefield Council,U0WAKE01,finance,\x81\x9d,2027-04-01,,UCHAIR\n",
     "is neither UTF-8 nor Windows-1252 text (byte 103); save it as CSV UTF-8"),
    ("deep.yaml", b"[" * 5000 + b"]" * 5000, "nests lists or keys too deeply to be a scheme of delegation"),
    ("deep_keys.yaml", b"".join(b"  " * i + b"a:\n" for i in range(3000)), "nests lists or keys too deeply"),
    ("broken.yaml", b"- organisation: [Kirklees\n  user: U0KIRK01\n", "is not valid YAML"),
    ("headless.csv", b"Kirklees Council,U0KIRK01,procurement,yes,2027-04-01,,UCHAIR\n", "has no header line"),
    ("scheme.txt", b"", "give a .csv, .yaml or .yml file"),
])
def test_a_file_that_cannot_be_read_exits_2_with_one_line(scheme_db, authority, tmp_path, name, content, says):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    result = authority("import", str(tmp_path / name), "--dry-run")
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("collab-bot: ") and says in lines[0]


def test_two_workspaces_need_team(scheme_db, authority):
    boards.setup_board(scheme_db, team_id="T2OTHER", channel_id="C9", actor="UOTHER", name="Elsewhere",
                       kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                       timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Elsewhere",
                       role=Role.CHAIR, now=NOW)
    result = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR, "--dry-run")
    assert result.returncode == 2
    assert result.stderr.strip() == ("collab-bot: the database holds 2 workspaces (T1, T2OTHER); pass --team with "
                                     "one of them")
    chosen = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", CHAIR, "--dry-run", "--team", TEAM)
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert authority("export", "--team", "T2OTHER").stdout == "\ufeff" + HEADER


def test_a_malformed_by_is_one_line_and_exit_2(scheme_db, authority):
    result = authority("import", str(FIXTURES / "scheme_good.csv"), "--by", "alice")
    assert result.returncode == 2
    assert result.stderr.strip() == "collab-bot: argument --by: 'alice' is not a Slack user id (like U0123ABCD)"


def test_a_database_that_does_not_exist_is_refused(tmp_path):
    result = collab_bot(tmp_path, "authority", "import", str(FIXTURES / "scheme_good.csv"),
                        DATABASE_URL=f"sqlite:///{tmp_path}/nothing.db")
    assert result.returncode == 1
    assert "there is no collab-bot database" in result.stderr and not (tmp_path / "nothing.db").exists()
