"""Ids of proposals, polls and their modals."""

from enum import StrEnum


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
    MARKS = "marks"
    ORG_AMOUNTS = "org_amounts"
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
