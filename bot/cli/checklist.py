"""`collab-bot checklist validate|load FILE`: check a checklist template file, or give one board its own version."""

from __future__ import annotations

import argparse
import sys

from bot.cli.audit import one_line_errors

VALIDATE_DESCRIPTION = (
    "Check a checklist template (a .yaml file like those in prompts/checklists) without loading it anywhere. "
    "Prints `FILE: ok (...)` with its title, version and size, or every problem as `FILE:LINE: message` "
    "(exit status 1). A file that cannot be read at all exits with status 2. Needs no database."
)


def add_parser(sub) -> None:
    """Add the `checklist` subcommands to the top-level parser."""
    checklist = sub.add_parser("checklist", help="check a checklist template file",
                               description="Work with checklist templates: the questions a board answers about "
                               "how it collaborates.")
    what = checklist.add_subparsers(dest="checklist_command", required=True, metavar="{validate,load}",
                                    parser_class=one_line_errors(type(checklist)))
    validate = what.add_parser("validate", help="check a template file and list every problem in it",
                               description=VALIDATE_DESCRIPTION)
    validate.add_argument("file", metavar="FILE", help="a checklist template, .yaml or .yml")
    load = what.add_parser("load", help="give one board its own version of a checklist from a template file",
                           description="Check a template file and give one board its own version of it: the board's "
                                       "rounds then use it instead of the shipped template with the same id. A "
                                       "version once loaded can't be replaced; raise the version to change it.")
    load.add_argument("file", metavar="FILE", help="a checklist template, .yaml or .yml")
    load.add_argument("--board", required=True, help="the board's name")
    load.add_argument("--by", default="collab-bot", help="who is loading it, for the audit log (a Slack user id)")


def main(args: argparse.Namespace) -> int:
    """Run one `checklist` subcommand; the exit status."""
    from bot.cli.checks import CommandError
    from bot.domain.text import plural
    from storage.checklist_files import TemplateFileError, UnreadableTemplate, load_template

    try:
        template = load_template(args.file)
    except UnreadableTemplate as exc:
        raise CommandError(exc.lines[0], status=2) from None
    except TemplateFileError as exc:
        for line in exc.lines:
            print(line)
        print(f"{args.file}: not valid ({plural(len(exc.lines), 'problem')})")
        return 1
    questions = len(template.questions())
    print(f"{args.file}: ok ({template.title}, version {template.version}: {plural(len(template.areas), 'area')}, "
          f"{plural(questions, 'question')})")
    return 0


def load(settings, args: argparse.Namespace) -> int:
    """`collab-bot checklist load FILE --board NAME`: check the file, then keep it as the board's own version."""
    from bot.app import make_database
    from bot.cli.checks import CommandError
    from bot.cli.errors import domain_error_line
    from bot.clock import SystemClock
    from bot.domain.errors import DomainError
    from bot.services.checklist_templates import load_for_board
    from storage.checklist_files import TemplateFileError, UnreadableTemplate, read_template

    db = make_database(settings)
    try:
        template, source = read_template(args.file)
    except UnreadableTemplate as exc:
        raise CommandError(exc.lines[0], status=2) from None
    except TemplateFileError as exc:
        for line in exc.lines:
            print(line)
        print(f"{args.file}: not loaded")
        return 1
    try:
        load_for_board(db, board_name=args.board, template=template, source=source, actor=args.by,
                       now=SystemClock().now())
    except DomainError as exc:
        print(domain_error_line(exc), file=sys.stderr)
        return 1
    print(f"{args.board} now runs {template.title}, version {template.version}, from {args.file}")
    return 0
