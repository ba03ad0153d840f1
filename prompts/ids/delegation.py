"""Ids of sign-off requests' buttons and of the answer, chain and authority modals."""

from enum import StrEnum


class DelegationCallback(StrEnum):
    """Modal callback ids."""

    ANSWER = "escalation_answer"
    CHAIN = "chain_edit"
    AUTHORITY = "authority_set"
    REVIEWED = "delegated_reviewed"


class DelegationBlock(StrEnum):
    """Input block ids; inline errors are keyed by these."""

    COMMENT = "escalation_comment"
    BUTTONS = "escalation_buttons"
    LEVEL = "chain_level"  # level n's block is f"{LEVEL}_{n}"
    MEMBER = "authority_member"
    CATEGORY = "authority_category"
    LIMIT = "authority_limit"
    VALID_FROM = "authority_from"
    VALID_UNTIL = "authority_until"
    NOTE = "delegated_note"


class DelegationAction(StrEnum):
    """Action ids of a sign-off request's buttons and the delegated-review button."""

    ENDORSE = "escalation_endorse"
    DECLINE = "escalation_decline"
    REVIEWED = "delegated_reviewed"
