"""The `collab-bot` command: run (Socket Mode), serve (HTTP), db upgrade, audit verify."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("collab-bot")
EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="collab-bot", description="A Slack bot for collaborative governance.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{run,serve,db,audit,export}")
    sub.add_parser("run", help="connect to Slack over Socket Mode (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)")
    serve = sub.add_parser("serve", help="serve Slack's HTTP requests on POST /slack/events, with GET /healthz")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="port (default 3000)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    db = sub.add_parser("db", help="database maintenance")
    db.add_subparsers(dest="db_command", required=True).add_parser("upgrade", help="apply the migrations")
    audit = sub.add_parser("audit", help="the append-only audit log")
    audit.add_subparsers(dest="audit_command", required=True).add_parser(
        "verify", help="check the hash chain and report the first broken link")
    export = sub.add_parser("export", help="export records for board papers")
    what = export.add_subparsers(dest="export_command", required=True)
    decisions = what.add_parser("decisions", help="the decision register of one board")
    decisions.add_argument("--board", required=True, help="the board's name")
    decisions.add_argument("--format", choices=["csv"], default="csv", help="file format (csv)")
    decisions.add_argument("--output", help="file to write (default: standard output)")
    return parser


def _export_decisions(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import make_database
    from bot.domain.errors import NotFound
    from bot.services.polls import register
    from prompts.register import write_csv

    _upgrade(settings)
    try:
        snaps = register(make_database(settings), board_name=args.board)
    except NotFound as exc:
        print(f"collab-bot: {exc.message}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as out:
            write_csv(snaps, out)
        print(f"wrote {len(snaps)} decisions to {args.output}")
    else:
        write_csv(snaps, sys.stdout)
    return 0


def _upgrade(settings: Settings) -> None:
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.DATABASE_URL)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _check_token(settings: Settings) -> None:
    from bot.app import make_client

    try:
        identity = make_client(settings).auth_test()
        log.info("connected to Slack as %s in %s", identity.get("user"), identity.get("team"))
    except SlackApiError as exc:
        raise SettingsError(f"SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')})") from None
    except OSError as exc:
        log.warning("could not reach Slack at %s yet (%s); carrying on", settings.SLACK_API_URL, exc)


def _run(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    _upgrade(settings)
    _check_token(settings)
    SocketModeHandler(create_app(settings, socket_mode=True), settings.SLACK_APP_TOKEN.get_secret_value()).start()


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from bot.server import serve

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _upgrade(settings)
    _check_token(settings)
    serve(settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def _audit_verify(settings: Settings) -> int:
    from bot.app import make_database
    from bot.services.audit import verify_audit

    _upgrade(settings)
    result = verify_audit(make_database(settings))
    if result.broken is None:
        print(f"audit chain intact: {result.events} events verified")
        return 0
    print(f"audit chain broken at event {result.broken.seq}: {result.broken.reason} "
          f"({result.events} events verified before it)")
    return 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `collab-bot` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.LOG_LEVEL, settings.secrets())
        if args.command == "run":
            _run(settings)
        elif args.command == "serve":
            _serve(settings, args)
        elif args.command == "db":
            _upgrade(settings)
            print("database is up to date")
        elif args.command == "audit":
            return _audit_verify(settings)
        elif args.command == "export":
            return _export_decisions(settings, args)
    except SettingsError as exc:
        print(f"collab-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except OperationalError as exc:
        print(f"collab-bot: cannot use the database at DATABASE_URL ({exc.orig.__class__.__name__})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
