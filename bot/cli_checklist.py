"""`collab-bot checklist validate FILE`: check a checklist template file before a board loads it."""

from __future__ import annotations

import argparse

from bot.cli_audit import one_line_errors

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
    what = checklist.add_subparsers(dest="checklist_command", required=True, metavar="{validate}",
                                    parser_class=one_line_errors(type(checklist)))
    validate = what.add_parser("validate", help="check a template file and list every problem in it",
                               description=VALIDATE_DESCRIPTION)
    validate.add_argument("file", metavar="FILE", help="a checklist template, .yaml or .yml")


def main(args: argparse.Namespace) -> int:
    """Run one `checklist` subcommand; the exit status."""
    from bot.checklist_files import TemplateFileError, UnreadableTemplate, load_template
    from bot.cli_checks import CommandError
    from bot.domain.text import plural

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
