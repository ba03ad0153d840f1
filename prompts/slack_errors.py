"""The Slack Web API error codes the bot acts on, named once: the outbound side retries or gives up by them, and
the messages that say what went wrong explain each."""

from __future__ import annotations

from enum import StrEnum


class SlackError(StrEnum):
    """An error code Slack answers with (`{"ok": false, "error": ...}`)."""

    ACCOUNT_INACTIVE = "account_inactive"
    CANNOT_DM_BOT = "cannot_dm_bot"
    CANT_UPDATE_MESSAGE = "cant_update_message"
    CHANNEL_NOT_FOUND = "channel_not_found"
    EDIT_WINDOW_CLOSED = "edit_window_closed"
    EKM_ACCESS_DENIED = "ekm_access_denied"
    INVALID_ARGUMENTS = "invalid_arguments"
    INVALID_AUTH = "invalid_auth"
    INVALID_BLOCKS = "invalid_blocks"
    INVALID_JSON = "invalid_json"
    IS_ARCHIVED = "is_archived"
    MESSAGE_NOT_FOUND = "message_not_found"
    METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE = "method_not_supported_for_channel_type"
    MISSING_SCOPE = "missing_scope"
    MSG_TOO_LONG = "msg_too_long"
    NO_TEXT = "no_text"
    NOT_AUTHED = "not_authed"
    NOT_IN_CHANNEL = "not_in_channel"
    RESTRICTED_ACTION = "restricted_action"
    TEAM_ACCESS_NOT_GRANTED = "team_access_not_granted"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    USER_IS_BOT = "user_is_bot"
    USER_NOT_FOUND = "user_not_found"
    USER_NOT_IN_CHANNEL = "user_not_in_channel"


# The bot cannot post in the channel until someone invites it (or the channel takes no bot posts at all).
NOT_INVITED = frozenset({SlackError.NOT_IN_CHANNEL, SlackError.CHANNEL_NOT_FOUND,
                         SlackError.METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE})
# Slack refused the bot's token itself.
TOKEN_REFUSED = frozenset({SlackError.INVALID_AUTH, SlackError.TOKEN_REVOKED, SlackError.ACCOUNT_INACTIVE})
