"""Domain errors in words: mrkdwn for Slack, plain text for the CLI. The one place their parts are rendered."""

from __future__ import annotations

from bot.domain.errors import Channel, Command, DomainError, Name, Part, People, Person, UsageError
from bot.domain.text import and_list, escape
from prompts.blocks.common import code, message, section
from prompts.blocks.replies import modal_error


def mrkdwn_part(part: Part) -> str:
    """A part in mrkdwn: people and channels as mentions, names in bold, commands as code; text escaped once."""
    match part:
        case Person(user_id=user_id):
            return f"<@{user_id}>"
        case People(user_ids=user_ids):
            return and_list([f"<@{user_id}>" for user_id in user_ids])
        case Channel(channel_id=channel_id):
            return f"<#{channel_id}>"
        case Name(text=text):
            return f"*{escape(text)}*"
        case Command(text=text):
            return code(text)
    return escape(str(part))


def mrkdwn(error: DomainError) -> str:
    """The error as Slack shows it in a message."""
    return error.words(mrkdwn_part)


def plain(error: DomainError) -> str:
    """The error as plain text, for a terminal or a log."""
    text = str(error)
    return f"{text}\nUsage: {error.usage}" if isinstance(error, UsageError) else text


def error_message(error: DomainError) -> dict:
    """A domain error as a short ephemeral reply, with the right usage when it was a typing slip."""
    text = f":warning: {mrkdwn(error)}"
    if isinstance(error, UsageError):
        text += f"\nUsage: {code(error.usage)}"
    return message([section(text)], mrkdwn(error))


def form_error(error: DomainError) -> str:
    """The error fit for an inline form error, which Slack shows as plain text."""
    return modal_error(mrkdwn(error))
