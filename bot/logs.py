"""Logging set-up that never lets a token or secret reach the log."""

from __future__ import annotations

import logging
import re

TOKEN_PATTERN = re.compile(r"\b(xox[abposre]-|xapp-)[A-Za-z0-9-]+")


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


def configure_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr with secrets redacted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
