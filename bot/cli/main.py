"""The `collab-bot` command: run, serve, worker, db upgrade, audit, export decisions, authority import and export."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib.metadata import PackageNotFoundError, version

from alembic.util.exc import CommandError as AlembicError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.cli import audit as cli_audit
from bot.cli import authority as cli_authority
from bot.cli import checklist as cli_checklist
from bot.cli import export as cli_export
from bot.cli.checks import CommandError, check_app_token, check_bot_token, require_database
from bot.cli.errors import database_error_line
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("collab-bot")
NO_SCHEDULER = ("don't send outbox jobs from this process (run `collab-bot worker` elsewhere); "
                "also COLLAB_SCHEDULER=false")
EXIT_CONFIG = 2
DATABASE_ERRORS = (DBAPIError, PoolTimeout, AlembicError)
AUDIT_KEY = "COLLAB_AUDIT_KEY (needed with PostgreSQL)"
OPTIONAL = f"DATABASE_URL, {AUDIT_KEY}, SLACK_API_URL, COLLAB_TIMEZONE, COLLAB_DB_POOL_SIZE, LOG_LEVEL"
# Which settings each command reads: (needed, optional). Shown under each command's --help.
SETTINGS_USED = {
    "run": ("SLACK_BOT_TOKEN, SLACK_APP_TOKEN", OPTIONAL),
    "serve": ("SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET", OPTIONAL),
    "worker": ("SLACK_BOT_TOKEN", OPTIONAL),
    "db upgrade": ("nothing", f"DATABASE_URL (default sqlite:///collab-bot.db in this folder), {AUDIT_KEY}, "
                   "LOG_LEVEL"),
    "audit verify": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "audit head": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "export decisions": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "export checklist": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "export actions": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "authority import": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "authority export": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
    "checklist validate": ("nothing", "LOG_LEVEL"),
    "checklist load": ("DATABASE_URL naming an existing collab-bot database", f"{AUDIT_KEY}, LOG_LEVEL"),
}


def _version() -> str:
    try:
        return version("collab-bot")
    except PackageNotFoundError:
        return "(not installed: run pip install -e .)"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose command help ends with the settings that command reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = SETTINGS_USED.get(self.prog.removeprefix("collab-bot").strip())
        if used and not self.epilog:
            self.epilog = (f"Settings, from the environment or a .env file in the working directory: needs "
                           f"{used[0]}; optional: {used[1]}.")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="collab-bot", description="A Slack bot for collaborative governance: consensus "
                     "decisions, delegated authority and an audit log for partnership boards.")
    parser.add_argument("--version", action="version", version=f"collab-bot {_version()}")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{run,serve,worker,db,audit,export,authority,checklist}")
    run = sub.add_parser("run", help="connect to Slack over Socket Mode (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)",
                         description="Connect to Slack over Socket Mode: no public URL needed. Applies the "
                         "database migrations, checks both tokens with Slack, then runs until interrupted.")
    run.add_argument("--no-scheduler", action="store_true", help=NO_SCHEDULER)
    serve = sub.add_parser("serve", help="serve Slack's HTTP requests on POST /slack/events, with GET /healthz",
                           description="Serve Slack's HTTP requests (POST /slack/events) and a health check "
                           "(GET /healthz): gunicorn runs uvicorn worker processes, whose event loops read and "
                           "verify each request before Bolt sees it. Applies the database migrations first.")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=os.environ.get("PORT", "3000"),
                       help="port (default $PORT, else 3000)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=8,
                       help="threads per worker running Bolt's listeners for verified requests (default 8)")
    serve.add_argument("--no-scheduler", action="store_true", help=NO_SCHEDULER)
    sub.add_parser("worker", help="send what the bot owes Slack, with no web server",
                   description="Run only the dispatcher and the scheduler that ticks it: it sends every due "
                   "outbox job (poll messages, outcomes, receipts, closing polls at their deadline) until "
                   "interrupted. Any number of workers, run and serve processes may share one database.")
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db.add_subparsers(dest="db_command", required=True, metavar="{upgrade}").add_parser(
        "upgrade", help="create the database or apply new migrations",
        description="Create the database if it does not exist, or bring it to the newest schema. "
        "run and serve do this on start too.")
    cli_audit.add_parser(sub)
    cli_export.add_parser(sub)
    cli_authority.add_parser(sub)
    cli_checklist.add_parser(sub)
    return parser


def _upgrade(settings: Settings) -> None:
    from bot.keys import audit_key
    from storage.db import make_engine
    from storage.migrate import upgrade

    engine = make_engine(settings.DATABASE_URL, bounded=False)  # a migration may wait for locks and run long
    try:
        upgrade(engine, audit_key=lambda: audit_key(settings))
    finally:
        engine.dispose()


def _worker(settings: Settings) -> None:
    import signal
    import threading

    from bot.app import bot_token, make_database
    from bot.outbound.client import dispatch_client
    from bot.outbound.scheduler import start_background

    settings.require("SLACK_BOT_TOKEN")
    check_bot_token(settings, must_reach=False)
    _upgrade(settings)
    db = make_database(settings, request_threads=0)
    client = dispatch_client(token=bot_token(settings), base_url=settings.SLACK_API_URL)
    background = start_background(db, client, clock=db.clock)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    log.info("worker dispatching the outbox; stop it with Ctrl-C or SIGTERM")
    try:
        stopping.wait()
    finally:
        background.stop()


def _run(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    identity = check_bot_token(settings, must_reach=True)
    assert identity is not None  # it must reach Slack: it raises rather than answering None
    check_app_token(settings)
    log.info("Slack accepts both tokens: connecting as %s in %s", identity.get("user"), identity.get("team"))
    _upgrade(settings)
    SocketModeHandler(create_app(settings, socket_mode=True), settings.secret("SLACK_APP_TOKEN")).start()


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    from bot.web.server import serve

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    identity = check_bot_token(settings, must_reach=False)
    if identity:
        log.info("Slack accepts the bot token: %s in %s", identity.get("user"), identity.get("team"))
    _upgrade(settings)
    serve(settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if getattr(args, "no_scheduler", False):
        settings = settings.model_copy(update={"COLLAB_SCHEDULER": False})
    if args.command == "run":
        _run(settings)
    elif args.command == "worker":
        _worker(settings)
    elif args.command == "serve":
        _serve(settings, args)
    elif args.command == "db":
        _upgrade(settings)
        print("database is up to date")
    elif args.command in ("audit", "export"):
        # These only read: they open the database as it is (no migration, no new key; see read_only_database).
        return (cli_audit if args.command == "audit" else cli_export).main(settings, args)
    elif args.command == "authority":
        require_database(settings.DATABASE_URL)
        if cli_authority.writes(args):
            _upgrade(settings)
        return cli_authority.main(settings, args)
    elif args.command == "checklist" and args.checklist_command == "load":
        require_database(settings.DATABASE_URL)
        _upgrade(settings)
        return cli_checklist.load(settings, args)
    elif args.command == "checklist":
        return cli_checklist.main(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `collab-bot` console script."""
    args = _parser().parse_args(argv)
    settings = None
    try:
        settings = load_settings()
        configure_logging(settings.LOG_LEVEL, settings.secrets())
        return _dispatch(settings, args)
    except SettingsError as exc:
        print(f"collab-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CommandError as exc:
        print(f"collab-bot: {exc}", file=sys.stderr)
        return exc.status
    except DATABASE_ERRORS as exc:
        assert settings is not None  # the database is reached only once the settings are read
        print(f"collab-bot: {database_error_line(exc, settings.DATABASE_URL)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
