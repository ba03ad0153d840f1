"""The command line: `collab-bot serve|run|worker|db|audit|authority|checklist|export`."""

from bot.cli.main import main

__all__ = ["main"]
