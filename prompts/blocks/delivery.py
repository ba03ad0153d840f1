"""What a person is told when Slack refuses for good something the bot posts for a board (a checklist report or
its chart, the weekly digest, a review reminder): that thing, what is saved, and the fix."""

from __future__ import annotations

from bot.domain.text import escape
from prompts.blocks.common import message, section
from prompts.slack_errors import TOKEN_REFUSED, SlackError

INVITE = "Invite me with `/invite @collab-bot` in <#{channel}>, then {then}."
FIXES = {
    SlackError.NOT_IN_CHANNEL: INVITE,
    SlackError.CHANNEL_NOT_FOUND: INVITE,
    SlackError.IS_ARCHIVED: "<#{channel}> is archived. Unarchive it, then {then}.",
    **dict.fromkeys(TOKEN_REFUSED, "Slack refused the bot's token; ask whoever runs collab-bot to check it."),
}
LOOK_AT_LOG = "If Slack refuses it again, ask whoever runs collab-bot to look at its log."


def undelivered(what: str, title: str, channel_id: str, *, error: str, needed: str | None, saved: str,
                then: str) -> dict:
    """`what` (for `title`) could not be posted in the channel: the error, what is saved, and the fix, which
    ends with `then` (how it gets posted once fixed)."""
    if error == SlackError.MISSING_SCOPE:
        scope = f"the `{escape(needed)}` scope" if needed else "the scope Slack names in collab-bot's log"
        fix = (f"The bot's Slack app lacks a permission it needs for this: whoever manages the app should add "
               f"{scope} to its bot scopes (manifest.yml lists them all) and reinstall the app, then {then}.")
    else:
        fix = FIXES.get(error, f"{then[0].upper()}{then[1:]}. {LOOK_AT_LOG}").format(channel=channel_id, then=then)
    text = (f":warning: I couldn't post {what} for *{escape(title)}* in <#{channel_id}> ({escape(error)}). "
            f"{saved} {fix}")
    return message([section(text)], text)


def report_undelivered(what: str, template_id: str, channel_id: str, *, error: str, needed: str | None) -> dict:
    """A checklist report (or its chart) Slack would not take: the round is saved; post it again once fixed."""
    return undelivered(what, template_id, channel_id, error=error, needed=needed,
                       saved="The round and every answer in it are saved.",
                       then=f"post it again with `/collab report {escape(template_id)}`")


def digest_undelivered(board_name: str, channel_id: str, *, error: str, needed: str | None) -> dict:
    """The weekly digest Slack would not take: its decisions are in the register; next week's comes as usual."""
    return undelivered("the weekly digest", board_name, channel_id, error=error, needed=needed,
                       saved="Every decision in it is saved in the register (`/collab decisions`).",
                       then="next week's digest will be posted as usual")


def reminder_undelivered(title: str, channel_id: str, *, error: str, needed: str | None) -> dict:
    """A review reminder Slack would not take: the review is saved, and the series carries on."""
    return undelivered("the reminder", title, channel_id, error=error, needed=needed, saved="The review is saved.",
                       then="its next reminder, if it has one, will be posted as usual")
