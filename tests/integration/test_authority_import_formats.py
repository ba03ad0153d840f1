"""`collab-bot authority import` takes files as spreadsheets save them (semicolons, Windows-1252, a byte order
mark), reports progress on long files, and writes in batches (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from storage.models_delegation import AuthorityRow
from tests.integration import test_authority_import as base
from tests.integration.test_authority_import import (
    HEADER,
    authorities,
)
from tests.integration.test_boards import CHAIR, TEAM, count

authority = base.authority  # a fixture
scheme_db = base.scheme_db  # a fixture

EXCEL_ROWS = ("Wakefield Council;U0WAKE01;finance;£5k;2027-04-01;;UCHAIR\r\n"
              "Kirklees Council;U0KIRK01;Service change;yes;2027-04-01;;UCHAIR\r\n")


def test_a_semicolon_separated_windows_1252_file_imports_and_says_how_it_was_read(scheme_db, authority, tmp_path):
    excel = tmp_path / "scheme.csv"
    excel.write_bytes((HEADER.replace(",", ";") + EXCEL_ROWS).encode("cp1252"))
    result = authority("import", str(excel))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "set 2 limits for 2 people in 2 organisations\n"
    assert result.stderr == f"collab-bot: {excel} is not UTF-8, so it was read as Windows-1252 text\n"
    assert [(r.user_id, r.amount_pence, r.allowed) for r in authorities(scheme_db)] == [
        ("U0WAKE01", 500_000, False), ("U0KIRK01", None, True)]


def test_a_utf8_file_with_a_byte_order_mark_imports(scheme_db, authority, tmp_path):
    marked = tmp_path / "scheme.csv"
    marked.write_bytes((HEADER.replace(",", ";") + EXCEL_ROWS).encode("utf-8-sig"))
    result = authority("import", str(marked))
    assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
    assert count(scheme_db, AuthorityRow) == 2


def test_a_csv_export_to_a_file_has_a_byte_order_mark_and_imports_again(scheme_db, authority, tmp_path):
    source = tmp_path / "scheme.csv"
    source.write_text(HEADER + EXCEL_ROWS.replace(";", ","), encoding="utf-8")
    assert authority("import", str(source)).returncode == 0
    out = tmp_path / "exported.csv"
    assert authority("export", "--output", str(out)).returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbforganisation,user,")
    again = authority("import", str(out))
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_long_import_reports_progress_and_writes_every_row_in_batches(scheme_db, tmp_path):
    from bot.services import scheme_io
    from bot.services.scheme_files import open_rows

    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for year in range(1900, 1905):
            f.write(f"Wakefield Council,U0WAKE01,finance,{year - 1899}k,{year}-04-01,{year + 1}-03-31,{CHAIR}\n")
    said: list[str] = []
    plan = scheme_io.apply(scheme_db, team_id=TEAM, rows=open_rows(path), default_by=None,
                           now=datetime(2026, 11, 24, 9), progress=said.append, every=2)
    assert plan.problems == [] and plan.count == 5
    assert said == ["checked 2 rows, 0 with problems so far", "checked 4 rows, 0 with problems so far",
                    "wrote 2 of 5 limits", "wrote 4 of 5 limits"]
    assert [r.version for r in authorities(scheme_db)] == [1, 2, 3, 4, 5]
