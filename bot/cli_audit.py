"""`collab-bot audit ...`: check the append-only audit log, and print its head for safe keeping."""

from __future__ import annotations

import argparse
import sys

from bot.domain.audit import parse_head
from bot.settings import Settings

VERIFY_DESCRIPTION = (
    "Walk the whole audit chain under the audit key (COLLAB_AUDIT_KEY, or the key file beside a SQLite "
    "database) and report the first broken link. If the chain holds, rebuild board memberships and votes from "
    "the log and name every row of the members and votes tables that differs. Exit status 1 if anything is "
    "wrong."
)
HEAD_DESCRIPTION = (
    "Print the audit log's current head as SEQ:HASH. Keep it somewhere the database's users cannot change; "
    "`audit verify --expect-head SEQ:HASH` later proves that no event up to it was removed or rewritten."
)


def _expected_head(text: str) -> tuple[int, str]:
    try:
        return parse_head(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def one_line_errors(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """A parser class like `base` whose usage errors are one line and exit status 2."""

    class OneLineErrors(base):
        """A parser whose usage errors are one line (`collab-bot: ...`) and exit status 2."""

        def error(self, message: str):
            self.exit(2, f"collab-bot: {message}\n")

    return OneLineErrors


def add_parser(sub) -> None:
    """Add the `audit` subcommands to the top-level parser."""
    audit = sub.add_parser("audit", help="check the append-only audit log, or print its head",
                           description="Check the append-only, keyed and hash-chained audit log.")
    what = audit.add_subparsers(dest="audit_command", required=True, metavar="{verify,head}",
                                parser_class=one_line_errors(type(audit)))
    verify = what.add_parser("verify", help="check the chain, and the members and votes tables against it",
                             description=VERIFY_DESCRIPTION)
    verify.add_argument("--expect-head", metavar="SEQ:HASH", type=_expected_head,
                        help="a head printed earlier by `audit head`: fail if that event is gone or changed")
    what.add_parser("head", help="print the log's current SEQ:HASH to keep somewhere safe",
                    description=HEAD_DESCRIPTION)


def main(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `audit` subcommand; the exit status."""
    from bot.app import make_database

    db = make_database(settings)
    if args.audit_command == "head":
        return _head(db)
    return _verify(db, args.expect_head)


def _head(db) -> int:
    from bot.services.audit import current_head

    seq, digest = current_head(db)
    print(f"{seq}:{digest}")
    print(f"collab-bot: keep this line where the database's users cannot change it; later, `collab-bot audit "
          f"verify --expect-head {seq}:{digest}` proves no event up to {seq} was removed or rewritten",
          file=sys.stderr)
    return 0


def _verify(db, expect: tuple[int, str] | None) -> int:
    from bot.services.audit import verify_audit

    report = verify_audit(db, expect=expect)
    if report.broken is not None:
        print(f"audit chain broken at event {report.broken.seq}: {report.broken.reason} "
              f"({report.events} events verified before it)")
        return 1
    saved = f", including event {expect[0]} with the hash you saved" if expect and expect[0] else ""
    print(f"audit chain intact: {report.events} events verified{saved}")
    for line in report.differences:
        print(line)
    if report.skipped_secret_ballots:
        print(f"{report.skipped_secret_ballots} secret ballot(s) not compared: their votes were recorded before "
              "the log named secret-ballot voters by pseudonym")
    if report.differences:
        print(f"the tables differ from the audit log in {len(report.differences)} row(s)")
        return 1
    print("the members and votes tables match the audit log")
    return 0
