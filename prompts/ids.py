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


class PollCallback(StrEnum):
    """Modal callback ids for proposals and polls."""

    PROPOSE = "propose"
    VOTE_REASON = "vote_reason"
    DECLARE_INTEREST = "declare_interest"
    EXTEND = "extend_poll"
    PROXY = "proxy_vote"


class PollBlock(StrEnum):
    """Block ids in the proposal modals and poll message."""

    TITLE = "title"
    DESCRIPTION = "description"
    CATEGORY = "category"
    AMOUNT = "amount"
    CLOSES_AT = "closes_at"
    RULE = "rule"
    THRESHOLD = "threshold"
    QUORUM = "quorum"
    OPTIONS = "options"
    REASON = "reason"
    PROXY_MEMBER = "proxy_member"
    PROXY_POSITION = "proxy_position"
    PROXY_REASON = "proxy_reason"
    VOTES = "poll_votes"
    MANAGE = "poll_manage"
    INTEREST = "interest_decision"


class PollAction(StrEnum):
    """Action ids of poll buttons and modal inputs."""

    VOTE_AGREE = "vote_agree"
    VOTE_RESERVATIONS = "vote_reservations"
    VOTE_STAND_ASIDE = "vote_stand_aside"
    VOTE_OBJECT = "vote_object"
    VOTE_ABSTAIN = "vote_abstain"
    DECLARE_INTEREST = "poll_declare_interest"
    CLOSE_NOW = "poll_close_now"
    EXTEND = "poll_extend"
    WITHDRAW = "poll_withdraw"
    PROXY = "poll_proxy"
    RECUSE = "interest_recuse"
    ALLOW = "interest_allow"
    INPUT = "value"
