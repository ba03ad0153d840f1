"""Settings from the environment and a `.env` file, with one-line errors for bad values."""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.boards import parse_timezone
from bot.domain.errors import InvalidValue

TOKEN_PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


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
    COLLAB_CLOSE_CHECK_SECONDS: int = Field(default=15, ge=1, le=3600)
    LOG_LEVEL: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

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
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
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

    def secrets(self) -> list[str]:
        """Every secret value set, so logs can redact them."""
        fields = (self.SLACK_BOT_TOKEN, self.SLACK_SIGNING_SECRET, self.SLACK_APP_TOKEN)
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
