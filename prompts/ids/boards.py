"""Ids of the board set-up modal."""

from enum import StrEnum


class SetupCallback(StrEnum):
    """Callback id of the set-up modal."""

    SETUP_BOARD = "setup_board"


class SetupBlock(StrEnum):
    """Input block ids of the set-up modal; inline errors are keyed by these."""

    BOARD_NAME = "board_name"
    BOARD_KIND = "board_kind"
    COLLABORATION_TYPE = "collaboration_type"
    TIMEZONE = "timezone"
    DEFAULT_RULE = "default_rule"
    ORGANISATION = "organisation"
    ROLE = "role"
