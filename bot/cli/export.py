"""`collab-bot export ...`: records for board papers."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings

SPREADSHEET = ("The file is UTF-8 with a byte-order mark, for spreadsheets; dates are DD/MM/YYYY and times HH:MM in "
               "the board's time zone, and numbers are plain numbers.")


def add_parser(sub) -> None:
    """Add the `export` subcommands to the top-level parser."""
    export = sub.add_parser("export", help="export records for board papers",
                            description="Export records for board papers.")
    what = export.add_subparsers(dest="export_command", required=True, metavar="{decisions,checklist,actions}")
    decisions = what.add_parser(
        "decisions", help="the decision register of one board",
        description="Write one board's decision register as CSV. With SLACK_BOT_TOKEN set, people are named "
                    "as well as identified (Slack's users.info, cached for a week); otherwise by Slack id only. "
                    + SPREADSHEET)
    decisions.add_argument("--board", required=True, help="the board's name")
    decisions.add_argument("--format", choices=["csv"], default="csv", help="file format (csv)")
    decisions.add_argument("--output", help="file to write (default: standard output)")
    checklist = what.add_parser(
        "checklist", help="the report of one board's checklist round",
        description="Write the report of one board's round of a checklist as CSV: one row per area with its "
                    "score, rating, change since the last round, gaps and what members disagree on. Answers are "
                    "never attributed to anyone. " + SPREADSHEET)
    checklist.add_argument("--board", required=True, help="the board's name")
    checklist.add_argument("--template", default="board-diagnostic", help="the checklist (default: board-diagnostic)")
    checklist.add_argument("--round", type=int, help="the round's number (default: the latest)")
    checklist.add_argument("--format", choices=["csv"], default="csv", help="file format (csv)")
    checklist.add_argument("--output", help="file to write (default: standard output)")
    actions = what.add_parser(
        "actions", help="the open actions of one board",
        description="Write one board's open actions as CSV: what, who owns it, when it is due and how many days "
                    "until then (negative once overdue). " + SPREADSHEET)
    actions.add_argument("--board", required=True, help="the board's name")
    actions.add_argument("--format", choices=["csv"], default="csv", help="file format (csv)")
    actions.add_argument("--output", help="file to write (default: standard output)")


def _slack_lookup(settings: Settings):
    """A function naming a Slack user, or None without a bot token."""
    if settings.SLACK_BOT_TOKEN is None:
        return None
    from bot.app import make_client

    client = make_client(settings)

    def lookup(user_id: str) -> str:
        user = client.users_info(user=user_id)["user"]
        profile = user.get("profile") or {}
        return profile.get("real_name") or user.get("real_name") or user.get("name") or user_id

    return lookup


def _checklist(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.checks import read_only_database
    from bot.cli.errors import domain_error_line
    from bot.domain.errors import InvalidValue, NotFound
    from bot.services.rounds import report_by_number
    from prompts.checklist_csv import write_report_csv

    try:
        rr = report_by_number(read_only_database(settings), board_name=args.board, template_id=args.template,
                              number=args.round)
    except (NotFound, InvalidValue) as exc:  # InvalidValue: an unattributed round with too few answers
        print(domain_error_line(exc), file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_report_csv(rr, out)
        print(f"wrote round {rr.number} of {rr.template.title} to {args.output}")
    else:
        write_report_csv(rr, sys.stdout)
    return 0


def _actions(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.checks import read_only_database
    from bot.cli.errors import domain_error_line
    from bot.clock import SystemClock
    from bot.domain.errors import NotFound
    from bot.domain.text import plural
    from bot.services.actions import board_actions
    from prompts.actions_csv import write_actions_csv

    try:
        found = board_actions(read_only_database(settings), board_name=args.board, now=SystemClock().now())
    except NotFound as exc:
        print(domain_error_line(exc), file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_actions_csv(found.actions, found.today, out)
        print(f"wrote {plural(len(found.actions), 'open action')} to {args.output}")
    else:
        write_actions_csv(found.actions, found.today, sys.stdout)
    return 0


def main(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `export` subcommand; the exit status."""
    if args.export_command == "checklist":
        return _checklist(settings, args)
    if args.export_command == "actions":
        return _actions(settings, args)
    from bot.cli.checks import read_only_database
    from bot.cli.errors import domain_error_line
    from bot.clock import SystemClock
    from bot.domain.errors import NotFound
    from bot.domain.text import plural
    from bot.services.people import display_names
    from bot.services.polls import register
    from prompts.register import people_in, write_csv

    db = read_only_database(settings)
    try:
        team_id, snaps = register(db, board_name=args.board)
    except NotFound as exc:
        print(domain_error_line(exc), file=sys.stderr)
        return 1
    lookup, names = _slack_lookup(settings), dict[str, str]()
    if lookup is None:
        print("collab-bot: SLACK_BOT_TOKEN is not set, so people are shown by Slack id only", file=sys.stderr)
    else:
        names, unnamed = display_names(db, lookup, team_id=team_id, user_ids=people_in(snaps),
                                       now=SystemClock().now())
        if unnamed:
            print(f"collab-bot: Slack could not name {plural(len(unnamed), 'person', 'people')}; "
                  "they are shown by Slack id", file=sys.stderr)
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_csv(snaps, out, names)
        print(f"wrote {plural(len(snaps), 'decision')} to {args.output}")
    else:
        write_csv(snaps, sys.stdout, names)
    return 0
