"""`collab-bot authority ...`: load a scheme of delegation in bulk from CSV or YAML, or write the current one out."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.cli.audit import one_line_errors
from bot.settings import Settings

COLUMNS_HELP = (
    "Columns (CSV header) or keys (YAML, a list of items): organisation, user (a Slack user id such as U0123ABCD), "
    "category (a key such as finance or service_change, or its label), limit (250k, £1.2m, unlimited or none for "
    "money; yes or no otherwise), valid_from (YYYY-MM-DD), valid_until (optional) and granted_by (optional, a Slack "
    "user id; else --by)."
)
IMPORT_DESCRIPTION = (
    "Set many people's delegated authority at once from a .csv, .yaml or .yml file. Every row is checked first "
    "and every problem is listed as `row N: ...`; if any row has a problem nothing is written (exit status 1). "
    "Otherwise every row is written in one transaction, with an audit event each; a limit whose dates overlap "
    "one already recorded supersedes it (the old version is kept). Only a chair or secretary of a board the "
    "organisation sits on may be granted_by (or --by). CSV may be comma-, semicolon- or tab-separated, in UTF-8 "
    "or Windows-1252; progress goes to stderr every 50,000 rows. " + COLUMNS_HELP
)
EXPORT_DESCRIPTION = (
    "Write the workspace's current scheme of delegation (every organisation, current versions only) in the format "
    "`authority import` reads, so it can be edited and loaded again. " + COLUMNS_HELP
)
TEAM_HELP = "the workspace's Slack team id (needed only when the database holds more than one workspace)"


def _user_id(text: str) -> str:
    from bot.services.scheme_files import is_user_id

    if not is_user_id(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Slack user id (like U0123ABCD)")
    return text


def add_parser(sub) -> None:
    """Add the `authority` subcommands to the top-level parser."""
    authority = sub.add_parser("authority", help="load or export a scheme of delegation in bulk",
                               description="Load a scheme of delegation in bulk, or export the current one.")
    what = authority.add_subparsers(dest="authority_command", required=True, metavar="{import,export}",
                                    parser_class=one_line_errors(type(authority)))
    load = what.add_parser("import", help="set people's delegated authority from a CSV or YAML file",
                           description=IMPORT_DESCRIPTION)
    load.add_argument("file", metavar="FILE", help="a .csv, .yaml or .yml file")
    load.add_argument("--team", metavar="TEAM_ID", help=TEAM_HELP)
    load.add_argument("--by", metavar="USER_ID", type=_user_id,
                      help="who granted the rows with no granted_by: a board's chair or secretary (a Slack user id)")
    load.add_argument("--dry-run", action="store_true", help="check the file and say what would be set; write nothing")
    export = what.add_parser("export", help="write the current scheme of delegation as CSV or YAML",
                             description=EXPORT_DESCRIPTION)
    export.add_argument("--team", metavar="TEAM_ID", help=TEAM_HELP)
    export.add_argument("--format", choices=["csv", "yaml"],
                        help="file format (default: yaml for an --output ending .yaml or .yml, else csv)")
    export.add_argument("--output", metavar="FILE", help="file to write (default: standard output)")


def writes(args: argparse.Namespace) -> bool:
    """Whether the subcommand changes the database (and so may migrate it first); export and --dry-run only read."""
    return args.authority_command == "import" and not args.dry_run


def main(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `authority` subcommand; the exit status."""
    from bot.app import make_database
    from bot.cli.checks import CommandError, read_only_database
    from bot.services.scheme_files import CannotImport

    db = make_database(settings) if writes(args) else read_only_database(settings)
    try:
        return _import(db, args) if args.authority_command == "import" else _export(db, args)
    except CannotImport as exc:
        raise CommandError(str(exc), status=2) from None


def _summary(plan) -> str:
    """ "14 limits for 6 people in 3 organisations"."""
    from bot.domain.text import plural

    return (f"{plural(plan.count, 'limit')} for {plural(plan.people, 'person', 'people')} in "
            f"{plural(plan.organisations, 'organisation')}")


def _progress(line: str) -> None:
    print(f"collab-bot: {line}", file=sys.stderr, flush=True)


def _describe(planned) -> str:
    a = planned.authority
    until = f" until {a.valid_until.isoformat()}" if a.valid_until else ""
    return (f"row {planned.row}: {planned.organisation}, {a.user_id}, {planned.category.key}: "
            f"{a.describe(money=planned.category.is_money)} from {a.valid_from.isoformat()}{until}, "
            f"granted by {a.granted_by}")


def _import(db, args: argparse.Namespace) -> int:
    from bot.domain.text import plural
    from bot.services.scheme_files import open_rows
    from bot.services.scheme_io import apply, check_rows

    rows = open_rows(Path(args.file))
    if rows.encoding_name != "UTF-8":
        _progress(f"{args.file} is not UTF-8, so it was read as {rows.encoding_name} text")
    found = dict(team_id=args.team, rows=rows, default_by=args.by, progress=_progress)
    plan = check_rows(db, **found) if args.dry_run else apply(db, **found, now=db.clock.now())
    if plan.problems:
        for problem in plan.problems:
            print(f"row {problem.row}: {'; '.join(problem.reasons)}")
        count = sum(len(p.reasons) for p in plan.problems)
        print(f"{plural(count, 'problem')} in {plural(plan.rows, 'row')}; nothing was written.")
        return 1
    if args.dry_run:
        for planned in plan.limits:
            print(_describe(planned))
        if plan.count > len(plan.limits):
            print(f"... and {plural(plan.count - len(plan.limits), 'more row')}")
        print(f"would set {_summary(plan)} (dry run: nothing was written)")
        return 0
    print(f"set {_summary(plan)}")
    return 0


def _export(db, args: argparse.Namespace) -> int:
    from bot.cli.checks import CommandError
    from bot.domain.text import plural
    from bot.services.scheme_files import write_rows
    from bot.services.scheme_io import export_rows

    rows = export_rows(db, team_id=args.team)
    yaml_file = bool(args.output) and Path(args.output).suffix.lower() in (".yaml", ".yml")
    fmt = args.format or ("yaml" if yaml_file else "csv")
    if not args.output:
        try:
            write_rows(rows, sys.stdout, fmt=fmt)
            sys.stdout.flush()
        except BrokenPipeError:  # piped into `head`: stop quietly, as other command-line tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    try:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_rows(rows, out, fmt=fmt)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"wrote {plural(len(rows), 'limit')} to {args.output}")
    return 0
