"""Every callback, block and action id the bot uses, in one place."""

from enum import StrEnum


class CallbackId(StrEnum):
    """Modal callback ids."""

    SETUP_BOARD = "setup_board"


class BlockId(StrEnum):
    """Input block ids; inline modal errors are keyed by these."""

    BOARD_NAME = "board_name"
    BOARD_KIND = "board_kind"
    COLLABORATION_TYPE = "collaboration_type"
    TIMEZONE = "timezone"
    DEFAULT_RULE = "default_rule"
    ORGANISATION = "organisation"
    ROLE = "role"


class ActionId(StrEnum):
    """Element action ids inside blocks."""

    BOARD_NAME = "board_name_input"
    BOARD_KIND = "board_kind_select"
    COLLABORATION_TYPE = "collaboration_type_select"
    TIMEZONE = "timezone_input"
    DEFAULT_RULE = "default_rule_select"
    ORGANISATION = "organisation_input"
    ROLE = "role_select"
