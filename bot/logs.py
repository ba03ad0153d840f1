"""Logging set-up that never lets a token or secret reach the log."""

from __future__ import annotations

import logging
import re

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

TOKEN_PATTERN = re.compile(r"\b(xox[abposre]-|xapp-)[A-Za-z0-9-]+")
# Loggers kept at WARNING whatever LOG_LEVEL says: APScheduler logs two INFO lines per job run, every few seconds.
QUIET_LOGGERS = ("alembic", "apscheduler")


class RedactSecrets(logging.Filter):
    """Replace Slack tokens and known secret values in every record with a marker."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def redact(self, text: str) -> str:
        """The text with secrets masked."""
        text = TOKEN_PATTERN.sub(lambda m: m.group(1) + "[redacted]", text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class DropBoltTokenNotice(logging.Filter):
    """Drop Bolt's "`token` will be unused" warning, and nothing else.

    Bolt reads SLACK_BOT_TOKEN from the environment even though the app hands it a WebClient holding that
    same token, so the warning appears at every start and means nothing here.
    """

    NOTICE = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("slack_bolt") and record.getMessage() == self.NOTICE)


def configure_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr with secrets redacted, without the noise of APScheduler's ticks and Bolt's token notice."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(DropBoltTokenNotice())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.WARNING)
