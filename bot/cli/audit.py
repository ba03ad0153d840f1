"""`collab-bot audit ...`: check the append-only audit log, and print its head for safe keeping."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from bot.domain.audit import parse_head
from bot.settings import Settings

VERIFY_DESCRIPTION = (
    "Walk the whole audit chain under the audit key (COLLAB_AUDIT_KEY, or the key file beside a SQLite "
    "database) and report the first broken link. If the chain holds, rebuild from the log the tables it "
    "describes (members, votes, vote_history, proposals, escalations, authorities, chain_levels, "
    "checklist_answers, closed rounds' checklist_tallies) and name every row that differs. Exit status 1 if "
    "anything is wrong. Reads only: it neither migrates the database nor makes a key."
)
HEAD_DESCRIPTION = (
    "Print the audit log's current head as SEQ:HASH. Keep it somewhere the database's users cannot change "
    "(--append-to a file from cron, on another machine or a mount they cannot write); `audit verify "
    "--expect-head-file FILE` (or --expect-head SEQ:HASH) later proves that no event up to it was removed or "
    "rewritten."
)


def _expected_head(text: str) -> tuple[int, str]:
    try:
        return parse_head(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def one_line_errors(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """A parser class like `base` whose usage errors are one line and exit status 2."""

    def error(self: argparse.ArgumentParser, message: str) -> NoReturn:
        self.exit(2, f"collab-bot: {message}\n")

    # Built with type(): a class statement cannot take a base only known when this runs, as far as mypy sees.
    return type("OneLineErrors", (base,), {
        "error": error, "__doc__": "A parser whose usage errors are one line (`collab-bot: ...`) and exit status 2."})


def add_parser(sub) -> None:
    """Add the `audit` subcommands to the top-level parser."""
    audit = sub.add_parser("audit", help="check the append-only audit log, or print its head",
                           description="Check the append-only, keyed and hash-chained audit log.")
    what = audit.add_subparsers(dest="audit_command", required=True, metavar="{verify,head}",
                                parser_class=one_line_errors(type(audit)))
    verify = what.add_parser("verify", help="check the chain, and the members and votes tables against it",
                             description=VERIFY_DESCRIPTION)
    saved = verify.add_mutually_exclusive_group()
    saved.add_argument("--expect-head", metavar="SEQ:HASH", type=_expected_head,
                       help="a head printed earlier by `audit head`: fail if that event is gone or changed")
    saved.add_argument("--expect-head-file", metavar="FILE",
                       help="a file `audit head --append-to` writes: check against the last head in it")
    head = what.add_parser("head", help="print the log's current SEQ:HASH to keep somewhere safe",
                           description=HEAD_DESCRIPTION)
    head.add_argument("--append-to", metavar="FILE",
                      help="also append `TIME SEQ:HASH` as a line to FILE (for cron); nothing else is printed")


def main(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `audit` subcommand; the exit status."""
    from bot.cli.checks import read_only_database

    if args.audit_command == "head":
        return _head(read_only_database(settings), args.append_to)
    expect = last_saved_head(Path(args.expect_head_file)) if args.expect_head_file else args.expect_head
    return _verify(read_only_database(settings), expect)


def last_saved_head(path: Path) -> tuple[int, str]:
    """The last `TIME SEQ:HASH` line of a file `audit head --append-to` wrote; CommandError (status 2) otherwise."""
    from bot.cli.checks import CommandError

    try:
        lines = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read --expect-head-file {path} ({getattr(exc, 'strerror', None) or exc})",
                           status=2) from None
    if not lines:
        raise CommandError(f"--expect-head-file {path} holds no head yet; `collab-bot audit head --append-to "
                           f"{path}` writes one", status=2)
    try:
        return parse_head(lines[-1][-1])
    except ValueError as exc:
        raise CommandError(f"the last line of --expect-head-file {path} {exc}", status=2) from None


def _head(db, append_to: str | None) -> int:
    from datetime import UTC, datetime

    from bot.services.audit import current_head

    seq, digest = current_head(db)
    print(f"{seq}:{digest}")
    if append_to:
        from bot.cli.checks import CommandError

        try:
            with open(append_to, "a", encoding="utf-8") as saved:
                saved.write(f"{datetime.now(UTC).isoformat(timespec='seconds')} {seq}:{digest}\n")
        except OSError as exc:
            raise CommandError(f"cannot append the head to {append_to} ({exc.strerror or exc})") from None
        return 0
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
    for line in report.problems + report.differences:
        print(line)
    if report.skipped_secret_ballots:
        print(f"{report.skipped_secret_ballots} secret ballot(s) not compared: their votes were recorded before "
              "the log named secret-ballot voters by pseudonym")
    if report.unlogged_rounds:
        print(f"{report.unlogged_rounds} checklist round(s) hold answers given before the log recorded checklist "
              "answers: those answers were not compared")
    if report.open_unattributed_rounds:
        print(f"{report.open_unattributed_rounds} unattributed checklist round(s) not compared yet: the log records "
              "their counts (never who answered) when they close")
    if report.problems:
        print(f"{len(report.problems)} event(s) could not be replayed: their payload lacks what their action needs")
    if report.differences:
        print(f"the tables differ from the audit log in {len(report.differences)} row(s)")
    if report.problems or report.differences:
        return 1
    print("the tables match the audit log")
    return 0
