"""Settings from the environment and a `.env` file, with one-line errors for bad values."""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.audit import decode_key
from bot.domain.boards import parse_timezone
from bot.domain.errors import InvalidValue

TOKEN_PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
POSTGRES_SCHEMES = ("postgres", "postgresql")


def normalise_database_url(value: str) -> str:
    """`value` with postgres:// and postgresql:// meaning psycopg 3; ValueError for any driver the bot lacks."""
    try:
        scheme = make_url(value).drivername
    except ArgumentError:
        raise ValueError("is not a database URL such as sqlite:///collab-bot.db") from None
    backend, _, driver = scheme.partition("+")
    if backend in POSTGRES_SCHEMES and driver in ("", "psycopg"):
        # Plain postgresql:// means psycopg2 to SQLAlchemy; the bot ships psycopg 3.
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return value
    if backend in POSTGRES_SCHEMES:
        raise ValueError(f"{scheme} is not supported (collab-bot uses psycopg 3): write postgresql+psycopg://"
                         "user:password@host/database, or postgresql:// which means the same")
    if backend == "sqlite":
        raise ValueError(f"{scheme} is not supported: write sqlite:///path/to/file.db")
    raise ValueError("must be a sqlite:///path/to/file.db or postgresql+psycopg://user:password@host/database URL")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      case_sensitive=True)

    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DATABASE_URL: str = "sqlite:///collab-bot.db"
    COLLAB_TIMEZONE: str = "Europe/London"
    COLLAB_DB_POOL_SIZE: int = Field(default=5, ge=1, le=50)
    COLLAB_SCHEDULER: bool = True  # run and serve also dispatch the outbox unless turned off
    COLLAB_AUDIT_KEY: SecretStr | None = None  # hex or base64, 32+ bytes; keys the audit log's chain
    LOG_LEVEL: str = "INFO"

    @field_validator("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", mode="after")
    @classmethod
    def _token_prefix(cls, value: SecretStr | None, info) -> SecretStr | None:
        prefix = TOKEN_PREFIXES[info.field_name]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"must start with {prefix}")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _log_level(cls, value):
        level = value.strip().upper() if isinstance(value, str) else value
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (any case)")
        return level

    @field_validator("COLLAB_AUDIT_KEY", mode="before")
    @classmethod
    def _audit_key(cls, value):
        if isinstance(value, str):
            if not value.strip():
                return None
            decode_key(value)  # a ValueError says what it should look like, never what it was
        return value

    @field_validator("COLLAB_TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            return parse_timezone(value)
        except InvalidValue:
            raise ValueError("is not a time zone name such as Europe/London") from None

    def require(self, *names: str) -> None:
        """Raise SettingsError naming the first of `names` that is not set."""
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise SettingsError(f"{name} is not set; put it in the environment or in .env")

    def secret(self, name: str) -> str:
        """The value of the secret setting `name`; SettingsError naming it when it is not set."""
        self.require(name)
        return getattr(self, name).get_secret_value()

    def secrets(self) -> list[str]:
        """Every secret value set, so logs can redact them."""
        fields = (self.SLACK_BOT_TOKEN, self.SLACK_SIGNING_SECRET, self.SLACK_APP_TOKEN, self.COLLAB_AUDIT_KEY)
        return [f.get_secret_value() for f in fields if f is not None and f.get_secret_value()]


def load_settings() -> Settings:
    """Read the settings; a malformed one raises SettingsError naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = first["loc"][0] if first["loc"] else "a setting"
        reason = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} is malformed: {reason}") from None
